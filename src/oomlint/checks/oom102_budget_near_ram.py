"""OOM102 budget-near-ram. Published text: rules/OOM102.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import host_calc, not_summed_note
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.checks._common import host_loc, unbounded_note

RULE = "OOM102"


def check(ctx, opts):
    host = ctx.host
    if host.ram is None:
        return
    b = ctx.budget
    if b.total > host.ram or b.total <= opts.near_share * host.ram:
        return
    yield Finding(
        RULE,
        f"the services' worst case adds up to {format_size(b.total)}, "
        f"{b.total * 100 // host.ram}% of the host's {format_size(host.ram)}: little is left "
        f"for the kernel, the page cache and everything else{unbounded_note(b)}"
        f"{not_summed_note(b)}",
        host_loc(host),
        subject=(),
        calc=host_calc(b, host.ram, "RAM"),
    )
