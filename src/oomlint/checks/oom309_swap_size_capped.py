"""OOM309 swap-size-capped. Published text: rules/OOM309.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related

RULE = "OOM309"


def check(ctx, opts):
    host = ctx.host
    d = host.dphys_swapfile
    if d is None or d.requested_mib is None or d.cap_mib is None or d.requested_mib <= d.cap_mib:
        return
    cap, cap_mib = d.cap, d.cap_mib
    where = f"CONF_MAXSWAP={cap.value}" if cap is not None else "the default CONF_MAXSWAP=2048"
    related = (Related(cap.loc, f"CONF_MAXSWAP={cap.value}"),) if cap else ()
    fix = "raise CONF_MAXSWAP (or set it empty) to get the swap you asked for"
    if d.requested is not None:
        yield Finding(RULE, f"CONF_SWAPSIZE={d.requested.value} MiB is silently capped to "
                      f"{cap_mib} MiB by {where}: {fix}",
                      d.requested.loc, subject=("CONF_SWAPSIZE",), related=related)
    elif d.factor is not None and d.ram_mib is not None:
        # Only a factor the file sets: the packaged defaults (factor 2, cap 2048) cap every
        # host above 1 GiB by design, and nobody asked for more there.
        yield Finding(RULE, f"CONF_SWAPFACTOR={d.factor.value} asks for ({d.ram_mib} MiB RAM "
                      f"+ 10) x {d.factor.value} = {d.requested_mib} MiB, silently capped to "
                      f"{cap_mib} MiB by {where}: {fix}",
                      d.factor.loc, subject=("CONF_SWAPFACTOR",), related=related)
