"""OOM456 postgresql-huge-pages-short. Published text: rules/OOM456.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Related

RULE = "OOM456"


def check(ctx, opts):
    host = ctx.host
    b = ctx.budget
    for db, s in ((d, next((x for x in b.services if x.name == d.name), None))
                  for d in host.databases):
        cfg = db.config
        if cfg.kind != "postgresql" or s is None or str(cfg.get("huge_pages")) != "on":
            continue
        need = s.tiers.get("huge_pages_needed", s.tiers["shared_floor"])
        if b.hugepages >= need:
            continue
        src = cfg.source("huge_pages")
        yield Finding(
            RULE,
            f"{db.name}: huge_pages = on needs about {format_size(need)} of huge pages for "
            f"shared memory, but the reserved pool is {format_size(b.hugepages)}: postgres "
            "refuses to start (could not map anonymous shared memory)",
            src.loc if src else db.loc,
            subject=(db.name, "huge_pages"),
            related=(Related(b.hugepages_loc, "vm.nr_hugepages"),) if b.hugepages_loc else (),
        )
