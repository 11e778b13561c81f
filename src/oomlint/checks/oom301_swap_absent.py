"""OOM301 swap-absent. Published text: rules/OOM301.yaml."""

from __future__ import annotations

from oomlint.analysis.roles import host_roles, no_swap_reason
from oomlint.base.findings import Finding
from oomlint.base.provenance import Loc
from oomlint.checks._common import host_loc

RULE = "OOM301"


def check(ctx, opts):
    host = ctx.host
    if not host.loose and no_swap_reason(host_roles(host)):
        return  # the vendor's instruction here (analysis/roles.py; rules/OOM301.yaml)
    if host.loose or host.swap_configured:
        return
    inactive = [s for s in host.swaps if not s.active]
    loc = inactive[0].loc if inactive and inactive[0].loc else host_loc(host)
    if host.swap_override == 0:
        detail = "swap is 0 (--swap or configuration)"
    elif inactive:
        detail = f"the only swap area ({inactive[0].what}) is noauto and not activated at boot"
    else:
        detail = ("no swap line in /etc/fstab, no .swap unit, no zram-generator device, no "
                  "dphys-swapfile")
    yield Finding(
        RULE,
        f"no swap configured ({detail}): anonymous memory has nowhere to go, so the OOM killer "
        "fires sooner and without the slowdown that warns of it",
        loc if isinstance(loc, Loc) else host_loc(host),
        subject=(),
    )
