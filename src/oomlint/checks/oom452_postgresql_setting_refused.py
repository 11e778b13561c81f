"""OOM452 postgresql-setting-refused. Published text: rules/OOM452.yaml."""

from __future__ import annotations

from oomlint.checks._common import refusals

RULE = "OOM452"


def check(ctx, opts):
    host = ctx.host
    yield from refusals(host, RULE, "postgresql", "postgres")
