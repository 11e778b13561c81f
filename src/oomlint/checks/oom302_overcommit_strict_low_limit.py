"""OOM302 overcommit-strict-low-limit. Published text: rules/OOM302.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding, Term
from oomlint.base.grammar.host import format_size

RULE = "OOM302"


def check(ctx, opts):
    host = ctx.host
    mode = host.sysctl_int("vm.overcommit_memory")
    if mode is None or mode.value != 2:
        return
    ratio_s = host.sysctl_int("vm.overcommit_ratio")
    kbytes_s = host.sysctl_int("vm.overcommit_kbytes")
    huge_s = host.sysctl_int("vm.nr_hugepages")
    huge = host.hugepage_pool(ctx.assumptions.hugepage_size)
    related = tuple(s.related("overridden")[0] for s in (ratio_s, kbytes_s) if s and s.overrides)
    if host.ram is None:
        # Without RAM only the share is known, and only when nothing absolute enters it.
        ratio = ratio_s.value if ratio_s else 50
        kbytes = kbytes_s.value if kbytes_s else 0
        if kbytes or huge or host.swap_bytes != 0 or ratio / 100 >= opts.min_share:
            return
        yield Finding(RULE, f"vm.overcommit_memory=2 with vm.overcommit_ratio={ratio} and no "
                      f"swap: CommitLimit is {ratio}% of RAM, so programs get ENOMEM once "
                      f"{ratio}% of the memory is committed", mode.loc,
                      subject=("vm.overcommit_memory",), related=related)
        return
    c = host.commit_limit(huge)
    if c is None:
        return  # the swap size is unknown
    limit, swap = c.bytes, c.swap
    if c.kbytes:
        terms = (Term("vm.overcommit_kbytes", c.kbytes * 1024, kbytes_s.loc),
                 Term("+ swap", swap, None))
        formula = f"overcommit_kbytes ({format_size(c.kbytes * 1024)}) + swap ({format_size(swap)})"
    else:
        terms = (Term("RAM", c.ram, None),
                 Term("- hugepages", -c.hugepages, huge_s.loc if huge_s else None),
                 Term(f"× vm.overcommit_ratio {c.ratio}%", None, ratio_s.loc if ratio_s else None),
                 Term("+ swap", swap, None))
        formula = (f"(RAM {format_size(c.ram)} - hugepages {format_size(c.hugepages)}) × "
                   f"{c.ratio}% + swap {format_size(swap)}")
    if limit >= opts.min_share * host.ram:
        return
    yield Finding(
        RULE,
        f"vm.overcommit_memory=2 limits all committed memory to CommitLimit = {formula} = "
        f"{format_size(limit)}, {limit * 100 // host.ram}% of RAM: allocations fail with ENOMEM "
        "while memory is still free; raise vm.overcommit_ratio, add swap, or use mode 0",
        mode.loc,
        subject=("vm.overcommit_memory",),
        related=related,
        calc=Calc(terms, total=limit, total_label="= CommitLimit", limit=host.ram,
                  limit_label="vs RAM"),
    )
