"""OOM605 php-fpm-config-refused. Published text: rules/OOM605.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding

RULE = "OOM605"


def check(ctx, opts):
    seen = set()
    for fpm in ctx.host.php_fpm:
        for loc, written, reason in fpm.config.refused:
            if (loc, reason) in seen:
                continue
            seen.add((loc, reason))
            text = f"{written}: {reason}" if written else reason
            yield Finding(RULE, f"{fpm.name}: {text}", loc, subject=(fpm.name, written or reason))
