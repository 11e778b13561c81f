"""OOM309 swap-size-capped. Published text: rules/OOM309.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related

RULE = "OOM309"


def check(ctx, opts):
    host = ctx.host
    d = host.dphys_swapfile
    if d is None or d.requested is None or d.cap_mib is None or d.requested_mib <= d.cap_mib:
        return
    size, cap, cap_mib = d.requested, d.cap, d.cap_mib
    where = f"CONF_MAXSWAP={cap.value}" if cap is not None else "the default CONF_MAXSWAP=2048"
    yield Finding(RULE, f"CONF_SWAPSIZE={size.value} MiB is silently capped to {cap_mib} MiB by "
                  f"{where}: raise CONF_MAXSWAP (or set it empty) to get the swap you asked for",
                  size.loc, subject=("CONF_SWAPSIZE",),
                  related=(Related(cap.loc, f"CONF_MAXSWAP={cap.value}"),) if cap else ())
