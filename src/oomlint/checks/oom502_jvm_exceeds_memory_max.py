"""OOM502 jvm-exceeds-memory-max. Published text: rules/OOM502.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding
from oomlint.base.grammar.host import format_size

RULE = "OOM502"


def check(ctx, opts):
    host = ctx.host
    budgets = {s.name: s for s in ctx.budget.services if s.kind == "jvm"}
    for j in host.jvms:
        s = budgets.get(j.name)
        heap = j.config.max_heap.bytes
        if s is None or j.limit is None or heap is None or heap >= j.limit:
            continue  # heap at or above the limit is OOM501
        if s.worst_case is None or s.worst_case <= j.limit:
            continue
        yield Finding(
            RULE,
            f"{j.name}: heap {format_size(heap)} fits under MemoryMax {format_size(j.limit)}, "
            f"but heap plus non-heap memory comes to {format_size(s.worst_case)}: metaspace, "
            "code cache, thread stacks and direct buffers live outside the heap and count "
            "against the same cgroup limit",
            j.config.max_heap.loc or j.limit_loc or j.unit.service_header(),
            subject=(j.name, "MemoryMax"),
            calc=Calc(s.terms, total=s.worst_case, total_label="worst case", limit=j.limit,
                      limit_label="MemoryMax"),
        )
