"""OOM653 redis-setting-refused. Published text: rules/OOM653.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding

RULE = "OOM653"


def check(ctx, opts):
    for r in ctx.host.redis:
        for loc, written, reason in r.config.refused:
            yield Finding(RULE, f"{r.name}: '{written}': {reason}: the server does not start",
                          loc, subject=(r.name, written))
