"""OOM454 postgresql-shared-buffers-large. Published text: rules/OOM454.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size

RULE = "OOM454"


def check(ctx, opts):
    host = ctx.host
    if host.ram is None:
        return
    for db in host.databases:
        cfg = db.config
        src = cfg.source("shared_buffers") if cfg.kind == "postgresql" else None
        if src is None:
            continue
        sb = int(cfg.get("shared_buffers"))
        if sb <= opts.max_share * host.ram:
            continue
        yield Finding(
            RULE,
            f"{db.name}: shared_buffers={src.raw} ({format_size(sb)}) is "
            f"{sb * 100 // host.ram}% of RAM: beyond about 40% it rarely helps, leaves less for "
            "work_mem and the page cache, and shows in every backend's RSS",
            src.loc,
            subject=(db.name, "shared_buffers"),
        )
