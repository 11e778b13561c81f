"""OOM101 budget-exceeds-ram. Published text: rules/OOM101.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import host_calc, not_summed_note
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.checks._common import host_loc, unbounded_note

RULE = "OOM101"


def check(ctx, opts):
    host = ctx.host
    if host.ram is None:
        return
    b = ctx.budget
    if b.total <= host.ram:
        return
    swap = b.swap
    if swap is None:
        fit = "swap is configured but its size is unknown (pass --swap)"
    elif b.total <= host.ram + swap:
        fit = f"it fits only by swapping {format_size(b.total - host.ram)} of it"
    else:
        fit = f"it does not fit even in RAM + swap ({format_size(host.ram + swap)})"
    yield Finding(
        RULE,
        f"the services' worst case adds up to {format_size(b.total)}, above the host's "
        f"{format_size(host.ram)} of RAM: {fit}{unbounded_note(b)}"
        f"{not_summed_note(b)}",
        host_loc(host),
        subject=(),
        calc=host_calc(b, host.ram, "RAM"),
    )
