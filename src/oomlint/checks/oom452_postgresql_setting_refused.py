"""OOM452 postgresql-setting-refused. Published text: rules/OOM452.yaml."""

from __future__ import annotations

from oomlint.checks._common import refusals

RULE = "OOM452"


def check(host, opts):
    yield from refusals(host, RULE, "postgresql", "postgres")
