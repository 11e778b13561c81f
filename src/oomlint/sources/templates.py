"""Template expressions in configuration: the one test every format uses.

A repository of Ansible roles or Salt states holds values such as ``{{ app_memory }}``;
until they are rendered the value is unknown, not wrong. Every loader asks `is_templated`
before judging a value, and reports it once with `templated_value` (OOM007) instead of
calling it an error the owning program would refuse. Where a program splits a value into
words before judging each (a java command line), `templated_runs` says which words one
expression spans, so that they are judged as one unknown word.
"""

from __future__ import annotations

from typing import Sequence

from oomlint.base.findings import Finding
from oomlint.base.ids import TEMPLATED_VALUE
from oomlint.base.provenance import Loc

# Jinja2 expression, statement and comment delimiters (also Ansible's and Salt's).
_DELIMITERS = {"{{": "}}", "{%": "%}", "{#": "#}"}


def template_spans(text: str) -> list[tuple[int, int]]:
    """The [start, end) offsets of the template expressions in `text`, leftmost first: an
    opening delimiter up to the first matching closing one (what the regular expression
    ``\\{\\{.*?\\}\\}|\\{%.*?%\\}|\\{#.*?#\\}`` finds), in linear time: an opening delimiter
    with no closing one after it has none after any later opening of the same kind."""
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    pos = 0
    while True:
        start = text.find("{", pos)
        if start < 0 or start + 1 >= len(text):
            return spans
        opening = text[start:start + 2]
        closing = _DELIMITERS.get(opening)
        if closing is None or opening in unclosed:
            pos = start + 1
            continue
        end = text.find(closing, start + 2)
        if end < 0:
            unclosed.add(opening)
            pos = start + 1
            continue
        spans.append((start, end + 2))
        pos = end + 2


def is_templated(value: str) -> bool:
    """True for a Jinja/Ansible expression such as ``{{ app_memory }}``."""
    return bool(template_spans(value))


def templated_runs(words: Sequence[str]) -> list[tuple[int, int]]:
    """The [first, last + 1) indices of the words that template expressions span, for
    words split at whitespace before the template was rendered (``-Xmx{{ heap }}`` is the
    three words ``-Xmx{{``, ``heap``, ``}}``): each run is one templated word once
    rejoined; a word alone that holds an expression is a run of one."""
    starts, offset = [], 0
    for w in words:
        starts.append(offset)
        offset += len(w) + 1
    runs: list[tuple[int, int]] = []
    index = 0
    for begin, end in template_spans(" ".join(words)):
        while index + 1 < len(words) and starts[index + 1] <= begin:
            index += 1
        first = index
        while index + 1 < len(words) and starts[index + 1] < end:
            index += 1
        if runs and runs[-1][1] > first:  # a second expression in the run's last word
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((first, index + 1))
    return runs


def templated_value(key: str, value: str, loc: Loc) -> Finding:
    """OOM007: a setting whose value is a template expression, treated as unknown."""
    return templated_setting(f"{key}={value}", loc)


def templated_setting(written: str, loc: Loc) -> Finding:
    """OOM007 for a setting as written (``-Xmx{{ heap }}``), treated as unknown."""
    return Finding(TEMPLATED_VALUE, f"{written}: a template expression cannot be "
                   "evaluated; the setting is treated as unknown", loc)
