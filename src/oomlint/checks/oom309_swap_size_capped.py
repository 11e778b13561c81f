"""OOM309 swap-size-capped. Published text: rules/OOM309.yaml."""

from __future__ import annotations

import re

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related

RULE = "OOM309"
# A number dphys-swapfile's `[ N -gt M ]` can compare: ASCII digits within 64 bits ("²" is
# str.isdigit() but not a number to the shell, and int() refuses over 4300 digits).
_NUMBER = re.compile(r"[0-9]{1,18}")


def check(ctx, opts):
    host = ctx.host
    size = host.dphys.get("CONF_SWAPSIZE")
    if size is None or not _NUMBER.fullmatch(size.value):
        return
    cap = host.dphys.get("CONF_MAXSWAP")
    if cap is not None and cap.value == "":
        return
    cap_mib = int(cap.value) if cap is not None and _NUMBER.fullmatch(cap.value) else 2048
    if int(size.value) <= cap_mib:
        return
    where = f"CONF_MAXSWAP={cap.value}" if cap is not None else "the default CONF_MAXSWAP=2048"
    yield Finding(RULE, f"CONF_SWAPSIZE={size.value} MiB is silently capped to {cap_mib} MiB by "
                  f"{where}: raise CONF_MAXSWAP (or set it empty) to get the swap you asked for",
                  size.loc, subject=("CONF_SWAPSIZE",),
                  related=(Related(cap.loc, f"CONF_MAXSWAP={cap.value}"),) if cap else ())
