"""OOM702 cgroup-oom-events. Published text: rules/OOM702.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related
from oomlint.checks.oom7_live import cgroup_name, children, live_of

RULE = "OOM702"

# memory.events counts a cgroup's and its descendants' events (cgroup-v2.rst): each one is
# reported at the deepest cgroup that has it, by subtracting what the children account for.
_V2 = (("oom_kill", "process", "OOM-killed inside it"),
       ("max", "time", "its usage hit memory.max (reclaim or an OOM kill followed)"))
_V1 = (("oom_kill", "process", "OOM-killed inside it"),)


def check(ctx, opts):
    live = live_of(ctx)
    if live is None:
        return
    host = ctx.host
    for cg in live.cgroups.values():
        if cg.path == "/" or cg.events is None:
            continue
        kids = children(live, cg)
        parts, loc = [], None
        for key, noun, what in (_V2 if cg.version == 2 else _V1):
            v = cg.events.values.get(key)
            if v is None:
                continue
            own = v.value - sum(c.events.get(key) or 0 for c in kids if c.events is not None)
            if own > 0:
                plural = noun + ("es" if noun == "process" else "s") if own != 1 else noun
                parts.append(f"{own} {plural} {what}")
                loc = loc or v.loc
        if cg.version == 1 and cg.failcnt is not None and cg.failcnt.value > 0 and not kids:
            parts.append(f"{cg.failcnt.value} time{'s' if cg.failcnt.value != 1 else ''} its "
                         "usage hit memory.limit_in_bytes (memory.failcnt)")
            loc = loc or cg.failcnt.loc
        if not parts:
            continue
        unit = host.units.get(cg.unit) if cg.unit else None
        related = []
        text = f"{cgroup_name(cg)}: {'; '.join(parts)} since it was created"
        if unit is not None:
            cap = host.memory_cap(unit)
            if cap is not None:
                related.append(Related(cap.loc, "MemoryMax"))
                text += " — it keeps hitting its own MemoryMax"
            restart = unit.get("Restart")
            if restart is not None and restart.value in ("always", "on-failure", "on-abnormal"):
                related.append(Related(restart.loc, "Restart"))
                text += f"; Restart={restart.value} starts it again: a restart loop"
        yield Finding(RULE, text, loc, subject=(cg.unit or cg.path,), related=tuple(related))
