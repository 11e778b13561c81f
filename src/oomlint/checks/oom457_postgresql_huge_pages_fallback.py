"""OOM457 postgresql-huge-pages-fallback. Published text: rules/OOM457.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding, Term
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Related

RULE = "OOM457"


def check(ctx, opts):
    host = ctx.host
    b = ctx.budget
    hp = ctx.assumptions.hugepage_size
    for db, s in ((d, next((x for x in b.services if x.name == d.name), None))
                  for d in host.databases):
        cfg = db.config
        if cfg.kind != "postgresql" or s is None or str(cfg.get("huge_pages")) != "try":
            continue
        need = s.tiers.get("huge_pages_needed", s.tiers["shared_floor"])
        if b.hugepages == 0 or b.hugepages >= need:
            continue  # no pool (normal pages by choice), or the segment fits in it
        src = cfg.source("huge_pages")
        floor = s.tiers["shared_floor"]
        yield Finding(
            RULE,
            f"{db.name}: huge_pages = try, but the shared memory needs {need // hp} huge pages "
            f"and vm.nr_hugepages reserves {b.hugepages // hp}: postgres silently falls back "
            f"to 4 kB pages, the {format_size(b.hugepages)} pool stays pinned and unused, and "
            f"the {format_size(floor)} of shared memory comes from the rest of RAM",
            b.hugepages_loc or (src.loc if src else db.loc),
            subject=(db.name, "huge_pages"),
            related=tuple(r for r in (
                Related(src.loc, "huge_pages = try") if src else None,) if r),
            calc=Calc((Term("hugetlb pool (vm.nr_hugepages), unused", b.hugepages,
                            b.hugepages_loc),
                       Term("shared memory on 4 kB pages", floor, None)),
                      total=b.hugepages + floor, total_label="RAM both take",
                      limit=need, limit_label="huge pages the segment needs"),
        )
