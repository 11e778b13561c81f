"""OOM602 php-fpm-exceeds-memory-max. Published text: rules/OOM602.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import service_calc
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Related

RULE = "OOM602"


def check(ctx, opts):
    for s in ctx.budget.services:
        if s.kind != "php-fpm" or s.limit is None or s.worst_case is None or \
                s.worst_case <= s.limit:
            continue
        yield Finding(
            RULE,
            f"{s.name}: pm.max_children × memory_limit over its pools adds up to "
            f"{format_size(s.worst_case)}, above its MemoryMax of {format_size(s.limit)}: with "
            "every worker busy the kernel kills workers inside the unit's cgroup",
            s.limit_loc or s.loc, subject=(s.name, "MemoryMax"),
            related=tuple(Related(t.loc, t.label) for t in s.terms
                          if t.loc is not None and t.bytes),
            calc=service_calc(s, s.limit, "MemoryMax"))
