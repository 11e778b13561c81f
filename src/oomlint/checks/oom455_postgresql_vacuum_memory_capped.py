"""OOM455 postgresql-vacuum-memory-capped. Published text: rules/OOM455.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import pg_major
from oomlint.base.findings import Finding
from oomlint.base.grammar.c import GIB
from oomlint.base.grammar.host import format_size

RULE = "OOM455"


def check(ctx, opts):
    host = ctx.host
    for db in host.databases:
        cfg = db.config
        if cfg.kind != "postgresql":
            continue
        major = pg_major(cfg.flavor)
        if major is None or major >= 17:
            continue
        avwm = cfg.get("autovacuum_work_mem")
        name = "autovacuum_work_mem" if avwm is not None and int(avwm) >= 0 else \
            "maintenance_work_mem"
        value, src = int(cfg.get(name)), cfg.source(name)
        if src is None or value <= GIB:
            continue
        yield Finding(
            RULE,
            f"{db.name}: {src.key}={src.raw} ({format_size(value)}) is above 1 GiB, but before "
            f"PostgreSQL 17 VACUUM stores at most 1 GiB of dead tuples (assumed version "
            f"{cfg.flavor}); the rest is never used by vacuum",
            src.loc,
            subject=(db.name, src.key),
        )
