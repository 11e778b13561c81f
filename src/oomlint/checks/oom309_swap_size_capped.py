"""OOM309 swap-size-capped. Published text: rules/OOM309.yaml."""

from __future__ import annotations

from oomlint.findings import Finding
from oomlint.provenance import Related

RULE = "OOM309"


def check(host, opts):
    size = host.dphys.get("CONF_SWAPSIZE")
    if size is None or not size.value.isdigit():
        return
    cap = host.dphys.get("CONF_MAXSWAP")
    if cap is not None and cap.value == "":
        return
    cap_mib = int(cap.value) if cap is not None and cap.value.isdigit() else 2048
    if int(size.value) <= cap_mib:
        return
    where = f"CONF_MAXSWAP={cap.value}" if cap is not None else "the default CONF_MAXSWAP=2048"
    yield Finding(RULE, f"CONF_SWAPSIZE={size.value} MiB is silently capped to {cap_mib} MiB by "
                  f"{where}: raise CONF_MAXSWAP (or set it empty) to get the swap you asked for",
                  size.loc, related=(Related(cap.loc, f"CONF_MAXSWAP={cap.value}"),) if cap else ())
