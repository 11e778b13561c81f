"""OOM704 memory-pressure-high. Published text: rules/OOM704.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.checks.oom7_live import cgroup_name, live_of

RULE = "OOM704"


def _over(pressure, opts) -> list[tuple[str, float, float]]:
    out = []
    for kind in ("some", "full"):
        line = pressure.lines.get(kind)
        if line is None:
            continue
        for window in (10, 60, 300):
            limit = getattr(opts, f"{kind}_avg{window}")
            if line.avg(window) > limit:
                out.append((f"{kind} avg{window}", line.avg(window), limit))
    return out


def _text(over) -> str:
    return ", ".join(f"{k}={v:.2f}% (above {limit:g}%)" for k, v, limit in over)


def check(ctx, opts):
    live = live_of(ctx)
    if live is None:
        return
    if live.pressure is not None:
        over = _over(live.pressure, opts)
        if over:
            kind = over[0][0].split()[0]
            yield Finding(RULE, f"the host is under memory pressure: {_text(over)}: tasks "
                          "stall waiting for memory; an OOM kill or thrashing follows if it "
                          "keeps rising", live.pressure.lines[kind].loc, subject=("host",))
    for cg in live.cgroups.values():
        if cg.pressure is None or cg.path == "/" or not (cg.unit or "").endswith(
                (".service", ".scope")) or not cg.path.endswith(cg.unit or "\0"):
            continue
        over = _over(cg.pressure, opts)
        if over:
            kind = over[0][0].split()[0]
            yield Finding(RULE, f"{cgroup_name(cg)} is under memory pressure: {_text(over)}: "
                          "its tasks stall waiting for memory (its limit or the host's)",
                          cg.pressure.lines[kind].loc, subject=(cg.unit or cg.path,))
