"""OOM603 php-fpm-memory-limit-unlimited. Published text: rules/OOM603.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.php import UNLIMITED

RULE = "OOM603"


def check(ctx, opts):
    for fpm in ctx.host.php_fpm:
        for pool in fpm.config.pools:
            ml = pool.memory_limit
            if ml is None or ml.bytes != UNLIMITED:
                continue
            n = pool.max_children.value if pool.max_children is not None else None
            loc = ml.loc or pool.loc
            yield Finding(
                RULE,
                f"{fpm.name}: pool [{pool.name}] runs up to {n if n is not None else '?'} "
                f"workers with memory_limit = -1 (from {ml.origin}): no request has a memory "
                "bound, so one runaway script can take the host's memory",
                loc, subject=(fpm.name, pool.name, "memory_limit"))
