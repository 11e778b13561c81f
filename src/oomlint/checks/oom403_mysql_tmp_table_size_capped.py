"""OOM403 mysql-tmp-table-size-capped. Published text: rules/OOM403.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Related

RULE = "OOM403"


def check(ctx, opts):
    host = ctx.host
    for db in host.databases:
        cfg = db.config
        if cfg.kind != "mysql":
            continue
        if cfg.uses_temptable():
            continue  # MySQL 8's TempTable engine is not capped by max_heap_table_size
        tmp, heap = cfg.get("tmp_table_size"), cfg.get("max_heap_table_size")
        src = cfg.source("tmp_table_size")
        if src is None or tmp is None or heap is None or tmp <= heap:
            continue
        hsrc = cfg.source("max_heap_table_size")
        yield Finding(
            RULE,
            f"tmp_table_size={format_size(tmp)} is above max_heap_table_size="
            f"{format_size(heap)}: in-memory temporary tables are capped by the smaller one, so "
            "raise both together or lower tmp_table_size",
            src.loc,
            subject=(db.name, "tmp_table_size"),
            related=(Related(hsrc.loc, "max_heap_table_size"),) if hsrc else (),
        )
