"""OOM204 memory-limit-deprecated. Published text: rules/OOM204.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.checks._common import admin_setting

RULE = "OOM204"
_UNIFIED = ("MemoryMax", "MemoryHigh", "MemorySwapMax", "MemoryZSwapMax", "MemoryMin",
            "MemoryLow")


def check(ctx, opts):
    host = ctx.host
    seen = set()
    for name, unit in sorted(host.units.items()):
        lim = unit.get("MemoryLimit")
        if unit.masked or not admin_setting(lim):
            continue
        if lim.loc in seen:
            continue
        seen.add(lim.loc)
        others = [k for k in _UNIFIED if unit.get(k) is not None]
        if others:
            msg = (f"{name}: MemoryLimit={lim.raw} is disregarded because {others[0]}= is also "
                   "set (cgroup v2 uses only the unified settings); remove it or move the value "
                   "to MemoryMax=")
        else:
            msg = (f"{name}: MemoryLimit={lim.raw} is the deprecated cgroup-v1 setting: systemd "
                   "up to 257 maps it to memory.max, systemd 258 and later ignore it and the "
                   "service runs unlimited; use MemoryMax=")
        yield Finding(RULE, msg, lim.loc, subject=(name, "MemoryLimit"))
