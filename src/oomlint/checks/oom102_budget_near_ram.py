"""OOM102 budget-near-ram. Published text: rules/OOM102.yaml."""

from __future__ import annotations

from oomlint.checks._budget import host_calc, unbounded_note
from oomlint.checks._common import host_loc
from oomlint.findings import Finding
from oomlint.model.budget import get_budget
from oomlint.units import format_size

RULE = "OOM102"


def check(host, opts):
    if host.ram is None:
        return
    b = get_budget(host)
    if b.total > host.ram or b.total <= opts.near_share * host.ram:
        return
    yield Finding(
        RULE,
        f"the services' worst case adds up to {format_size(b.total)}, "
        f"{b.total * 100 // host.ram}% of the host's {format_size(host.ram)}: little is left "
        f"for the kernel, the page cache and everything else{unbounded_note(b)}",
        host_loc(host),
        calc=host_calc(b, host.ram, "RAM"),
    )
