"""OOM302 overcommit-strict-low-limit. Published text: rules/OOM302.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding, Term
from oomlint.base.grammar.c import PAGE_SIZE
from oomlint.base.grammar.host import format_size
from oomlint.base.grammar.systemd import systemd_parse_size

RULE = "OOM302"


def check(ctx, opts):
    host = ctx.host
    mode = host.sysctl_int("vm.overcommit_memory")
    if mode is None or mode.value != 2:
        return
    ratio_s = host.sysctl_int("vm.overcommit_ratio")
    kbytes_s = host.sysctl_int("vm.overcommit_kbytes")
    huge_s = host.sysctl_int("vm.nr_hugepages")
    ratio = ratio_s.value if ratio_s else 50
    kbytes = kbytes_s.value if kbytes_s else 0
    hugepage = systemd_parse_size(opts.hugepage_size)
    huge = (huge_s.value if huge_s else 0) * hugepage
    swap = host.swap_bytes
    related = tuple(s.related("overridden")[0] for s in (ratio_s, kbytes_s) if s and s.overrides)
    if host.ram is None:
        # Without RAM only the share is known, and only when nothing absolute enters it.
        if kbytes or huge or swap != 0 or ratio / 100 >= opts.min_share:
            return
        yield Finding(RULE, f"vm.overcommit_memory=2 with vm.overcommit_ratio={ratio} and no "
                      f"swap: CommitLimit is {ratio}% of RAM, so programs get ENOMEM once "
                      f"{ratio}% of the memory is committed", mode.loc,
                      subject=("vm.overcommit_memory",), related=related)
        return
    if swap is None:
        return
    ram_pages = host.ram // PAGE_SIZE
    swap_pages = swap // PAGE_SIZE
    if kbytes:
        limit = (kbytes * 1024 // PAGE_SIZE + swap_pages) * PAGE_SIZE
        terms = (Term("vm.overcommit_kbytes", kbytes * 1024, kbytes_s.loc),
                 Term("+ swap", swap, None))
        formula = f"overcommit_kbytes ({format_size(kbytes * 1024)}) + swap ({format_size(swap)})"
    else:
        huge_pages = huge // PAGE_SIZE
        limit = ((ram_pages - huge_pages) * ratio // 100 + swap_pages) * PAGE_SIZE
        terms = (Term("RAM", host.ram, None),
                 Term("- hugepages", -huge, huge_s.loc if huge_s else None),
                 Term(f"× vm.overcommit_ratio {ratio}%", None, ratio_s.loc if ratio_s else None),
                 Term("+ swap", swap, None))
        formula = (f"(RAM {format_size(host.ram)} - hugepages {format_size(huge)}) × {ratio}% + "
                   f"swap {format_size(swap)}")
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
