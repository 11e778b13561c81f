"""OOM703 cgroup-near-memory-limit. Published text: rules/OOM703.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding, Term
from oomlint.base.provenance import Related
from oomlint.checks.oom7_live import cgroup_name, live_of, pct, size

RULE = "OOM703"


def check(ctx, opts):
    live = live_of(ctx)
    if live is None:
        return
    host = ctx.host
    for cg in live.cgroups.values():
        if cg.path == "/":
            continue
        limits = [(lim.bytes, loc, name) for lim, loc, name in
                  ((cg.max, cg.max_loc, "memory.max" if cg.version == 2 else
                    "memory.limit_in_bytes"), (cg.high, cg.high_loc, "memory.high"))
                  if lim is not None and lim.bytes]
        if not limits:
            continue
        limit, limit_loc, limit_name = min(limits, key=lambda t: t[0])
        for reading, what in ((cg.current, "uses"), (cg.peak, "has peaked at")):
            if reading is None or reading.value < opts.near_share * limit:
                continue
            related = [Related(limit_loc, limit_name)]
            unit = host.units.get(cg.unit) if cg.unit else None
            cap = host.memory_cap(unit) if unit is not None else None
            if cap is not None:
                related.append(Related(cap.loc, "MemoryMax"))
            yield Finding(
                RULE,
                f"{cgroup_name(cg)} {what} {size(reading.value)}, {pct(reading.value, limit)} "
                f"of its {limit_name} {size(limit)}: the next spike is reclaimed hard "
                f"{'or OOM-killed' if limit_name != 'memory.high' else 'and throttled'}",
                reading.loc, subject=(cg.unit or cg.path, what), related=tuple(related),
                calc=Calc((Term(what, reading.value, reading.loc),), reading.value,
                          what, limit, limit_name))
            break  # the current use, else the peak: one finding per cgroup
