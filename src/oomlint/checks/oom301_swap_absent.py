"""OOM301 swap-absent. Published text: rules/OOM301.yaml."""

from __future__ import annotations

from oomlint.analysis.roles import no_swap_reason
from oomlint.base.findings import Finding
from oomlint.base.provenance import Loc, Related
from oomlint.checks._common import host_loc

RULE = "OOM301"


def check(ctx, opts):
    host = ctx.host
    if not host.loose and no_swap_reason(ctx.roles):
        return  # the vendor's instruction here (analysis/roles.py; rules/OOM301.yaml)
    if host.loose or host.swap_configured:
        return
    inactive = [s for s in host.swaps if not s.active]
    related: tuple[Related, ...] = ()
    loc = host_loc(host)
    head = "no swap configured"
    if host.swap_override == 0:
        detail = "swap is 0 (--swap or configuration)"
    elif inactive:
        first = inactive[0]
        more = len(inactive) - 1
        head = "no swap activated at boot"
        detail = (f"{first.what}: {first.note}"
                  + (f"; {more} more swap area{'s' if more > 1 else ''} not activated either"
                     if more else ""))
        # Point at what to change: the mask when one keeps the swap from starting, with the
        # line that configures the swap beside it.
        where = first.mask or first.loc
        if isinstance(where, Loc):
            loc = where
        if first.mask is not None and first.loc is not None and first.loc != first.mask:
            related = (Related(first.loc, f"{first.what} configured here"),)
        related += tuple(Related(s.loc, f"{s.what}: {s.note}") for s in inactive[1:4]
                         if s.loc is not None)
    else:
        detail = ("no swap line in /etc/fstab, no .swap unit, no zram-generator device, no "
                  "dphys-swapfile")
    yield Finding(
        RULE,
        f"{head} ({detail}): anonymous memory has nowhere to go, so the OOM killer "
        "fires sooner and without the slowdown that warns of it",
        loc,
        subject=(),
        related=related,
    )
