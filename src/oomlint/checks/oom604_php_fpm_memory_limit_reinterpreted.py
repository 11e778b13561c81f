"""OOM604 php-fpm-memory-limit-reinterpreted. Published text: rules/OOM604.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding

RULE = "OOM604"


def check(ctx, opts):
    seen = set()
    for fpm in ctx.host.php_fpm:
        for loc, written, reason in fpm.config.reinterpreted:
            if (loc, reason) in seen:
                continue
            seen.add((loc, reason))
            yield Finding(RULE, f"{written}: PHP does not read it as written: {reason}", loc,
                          subject=(fpm.name, written))
