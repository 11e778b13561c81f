"""OOM455 postgresql-vacuum-memory-capped. Published text: rules/OOM455.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size

RULE = "OOM455"


def check(ctx, opts):
    host = ctx.host
    for db in host.databases:
        cfg = db.config
        if cfg.kind != "postgresql":
            continue
        vacuum = cfg.autovacuum_memory()
        value, src = vacuum.configured, cfg.source(vacuum.setting)
        if src is None or vacuum.used == value:
            continue  # below 1 GiB, or PostgreSQL 17+ (or an unknown version)
        yield Finding(
            RULE,
            f"{db.name}: {src.key}={src.raw} ({format_size(value)}) is above 1 GiB, but before "
            f"PostgreSQL 17 VACUUM stores at most 1 GiB of dead tuples (assumed version "
            f"{cfg.flavor}); the rest is never used by vacuum",
            src.loc,
            subject=(db.name, src.key),
        )
