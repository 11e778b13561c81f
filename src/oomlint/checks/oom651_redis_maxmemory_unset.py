"""OOM651 redis-maxmemory-unset. Published text: rules/OOM651.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding

RULE = "OOM651"


def check(ctx, opts):
    for r in ctx.host.redis:
        cfg = r.config
        if cfg.maxmemory_bytes != 0:
            continue
        how = "maxmemory 0" if cfg.maxmemory is not None else "no maxmemory"
        loc = cfg.maxmemory.loc if cfg.maxmemory is not None else (
            r.loc if r.loc.line or cfg.conf else r.unit.service_header())
        yield Finding(
            RULE,
            f"{r.name}: {how}: the dataset has no limit and grows until the host runs out of "
            "memory; the OOM killer then picks the largest process, which is usually this "
            "server",
            loc, subject=(r.name, "maxmemory"))
