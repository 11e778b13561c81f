"""OOM103 service-exceeds-memory-max. Published text: rules/OOM103.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import service_calc
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Related

RULE = "OOM103"


def check(ctx, opts):
    for s in ctx.budget.services:
        if s.kind not in ("mysql", "postgresql"):
            continue  # JVMs have their own rules (OOM501, OOM502) with the heap split out
        if s.limit is None or s.worst_case is None or s.worst_case <= s.limit:
            continue
        yield Finding(
            RULE,
            f"{s.name}: worst case {format_size(s.worst_case)} is above its MemoryMax of "
            f"{format_size(s.limit)}: at full load it is OOM-killed inside its own cgroup, and a "
            "restart brings it back into the same wall",
            s.limit_loc or s.loc,
            subject=(s.name, "MemoryMax"),
            related=(Related(s.loc, f"{s.kind} configuration"),),
            calc=service_calc(s, s.limit, "MemoryMax"),
        )
