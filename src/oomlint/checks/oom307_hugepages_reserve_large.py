"""OOM307 hugepages-reserve-large. Published text: rules/OOM307.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding, Term
from oomlint.base.grammar.host import format_size

RULE = "OOM307"


def check(ctx, opts):
    host = ctx.host
    n = host.sysctl_int("vm.nr_hugepages")
    if n is None or n.value <= 0 or host.ram is None:
        return
    size = ctx.assumptions.hugepage_size
    reserved = host.hugepage_pool(size)
    if reserved <= opts.max_share * host.ram:
        return
    yield Finding(
        RULE,
        f"vm.nr_hugepages={n.value} reserves {format_size(reserved)} "
        f"({reserved * 100 // host.ram}% of {format_size(host.ram)} RAM) for hugetlb pages that "
        "nothing else can use or swap; everything else must fit in the remaining "
        f"{format_size(max(host.ram - reserved, 0))}",
        n.loc,
        subject=("vm.nr_hugepages",),
        calc=Calc((Term(f"{n.value} × {format_size(size)}", reserved, n.loc),), total=reserved,
                  total_label="reserved", limit=host.ram, limit_label="RAM"),
    )
