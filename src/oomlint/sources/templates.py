"""Template expressions in configuration: the one test every format uses.

A repository of Ansible roles or Salt states holds values such as ``{{ app_memory }}``;
until they are rendered the value is unknown, not wrong. Every loader asks `is_templated`
before judging a value, and reports it once with `templated_value` (OOM007) instead of
calling it an error the owning program would refuse.
"""

from __future__ import annotations

import re

from oomlint.base.findings import Finding
from oomlint.base.ids import TEMPLATED_VALUE
from oomlint.base.provenance import Loc

# Jinja2 expression, statement and comment delimiters (also Ansible's and Salt's).
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def is_templated(value: str) -> bool:
    """True for a Jinja/Ansible expression such as ``{{ app_memory }}``."""
    return bool(_TEMPLATE.search(value))


def templated_value(key: str, value: str, loc: Loc) -> Finding:
    """OOM007: a setting whose value is a template expression, treated as unknown."""
    return Finding(TEMPLATED_VALUE, f"{key}={value}: a template expression cannot be "
                   "evaluated; the setting is treated as unknown", loc)
