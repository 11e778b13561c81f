"""OOM453 postgresql-work-mem-connections. Published text: rules/OOM453.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding, Term
from oomlint.base.grammar.host import format_size

RULE = "OOM453"


def check(ctx, opts):
    host = ctx.host
    if host.ram is None:
        return
    for db in host.databases:
        cfg = db.config
        if cfg.kind != "postgresql":
            continue
        conns, wm = int(cfg.get("max_connections")), int(cfg.get("work_mem"))
        hmm = float(cfg.get("hash_mem_multiplier") or 1.0)
        total = int(conns * wm * hmm)
        if total <= opts.max_share * host.ram:
            continue
        src = cfg.source("work_mem") or cfg.source("max_connections")
        csrc = cfg.source("max_connections")
        yield Finding(
            RULE,
            f"{db.name}: max_connections {conns} × work_mem {format_size(wm)} × "
            f"hash_mem_multiplier {hmm:g} = {format_size(total)}, "
            f"{total * 100 // host.ram}% of RAM, for a single sort or hash per backend; a "
            "busy moment with several per query multiplies it",
            src.loc if src else db.loc,
            subject=(db.name, "work_mem"),
            calc=Calc((Term("work_mem", wm, src.loc if src and src.key == "work_mem" else None),
                       Term(f"× max_connections {conns}", None, csrc.loc if csrc else None),
                       Term(f"× hash_mem_multiplier {hmm:g}", None, None)),
                      total=total, total_label="per-operation total", limit=host.ram,
                      limit_label="RAM"),
        )
