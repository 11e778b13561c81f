"""OOM402 mysql-setting-refused. Published text: rules/OOM402.yaml."""

from __future__ import annotations

from oomlint.checks._common import refusals

RULE = "OOM402"


def check(ctx, opts):
    host = ctx.host
    yield from refusals(host, RULE, "mysql", "mysqld")
