"""OOM710 oom-score-adj-running-differs. Published text: rules/OOM710.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Loc, Related
from oomlint.checks.oom7_live import live_of

RULE = "OOM710"


def check(ctx, opts):
    live = live_of(ctx)
    if live is None:
        return
    by_unit: dict[str, list] = {}
    for p in live.processes:
        if p.unit is not None and p.oom_score_adj is not None:
            by_unit.setdefault(p.unit, []).append(p)
    for name, unit in sorted(ctx.host.units.items()):
        setting = unit.get("OOMScoreAdjust")
        procs = by_unit.get(name)
        if setting is None or not procs or not isinstance(setting.value, int):
            continue
        # A process may change its own children's value (PostgreSQL's backends do): only a
        # unit none of whose processes runs with the configured value is reported.
        if any(p.oom_score_adj == setting.value for p in procs):
            continue
        first = min(procs, key=lambda p: p.pid)
        values = sorted({p.oom_score_adj for p in procs})
        yield Finding(
            RULE, f"{name}: OOMScoreAdjust={setting.value} in its files, but its processes "
            f"run with oom_score_adj {', '.join(map(str, values))} (pid {first.pid}, "
            f"{first.comm}): the unit was not restarted since the line changed, or something "
            "rewrote /proc/PID/oom_score_adj; the OOM killer ranks it by the running value",
            setting.loc, subject=(name, "OOMScoreAdjust"),
            related=(Related(Loc(f"/proc/{first.pid}/oom_score_adj", 1),
                             "running oom_score_adj"),))
