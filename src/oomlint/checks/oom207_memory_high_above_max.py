"""OOM207 memory-high-above-max. Published text: rules/OOM207.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.systemd import MemoryLimit
from oomlint.base.provenance import Related
from oomlint.checks._common import admin_setting

RULE = "OOM207"


def _compare(high: MemoryLimit, mx: MemoryLimit, ram):
    """high - max sign, or None when it cannot be known."""
    if mx.infinity or high.infinity:
        return None
    if high.permyriad is not None and mx.permyriad is not None:
        return high.permyriad - mx.permyriad
    h, m = high.resolve(ram), mx.resolve(ram)
    return None if h is None or m is None else h - m


def check(ctx, opts):
    host = ctx.host
    for name, unit in sorted(host.units.items()):
        high, mx = unit.get("MemoryHigh"), unit.get("MemoryMax")
        if unit.masked or high is None or mx is None:
            continue
        if not (admin_setting(high) or admin_setting(mx)):
            continue
        if not isinstance(high.value, MemoryLimit) or not isinstance(mx.value, MemoryLimit):
            continue
        diff = _compare(high.value, mx.value, host.ram)
        if diff is None or diff < 0:
            continue
        yield Finding(
            RULE,
            f"{name}: MemoryHigh={high.raw} is not below MemoryMax={mx.raw}: throttling and "
            "reclaim at memory.high never engage before the hard limit's OOM kill; set "
            "MemoryHigh below MemoryMax (for example 80-90% of it)",
            high.loc,
            subject=(name, "MemoryHigh"),
            related=(Related(mx.loc, f"MemoryMax={mx.raw}"),),
        )
