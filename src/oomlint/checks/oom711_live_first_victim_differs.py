"""OOM711 live-first-victim-differs. Published text: rules/OOM711.yaml.

The live first victim (model/live.py `kill_list`: highest /proc/PID/oom_score) against the
configuration: a service its unit protects (negative OOMScoreAdjust=), or another service
than the predicted first victim (analysis/kill_order.py) because some process runs with an
oom_score_adj its unit does not set."""

from __future__ import annotations

from dataclasses import replace

from oomlint.analysis.kill_order import kill_order
from oomlint.base.findings import Finding
from oomlint.base.provenance import Loc, Related
from oomlint.checks.oom7_live import live_of
from oomlint.model.live import kill_list, running_swap

RULE = "OOM711"


def _configured(ctx, unit_name: str | None) -> tuple[int, Loc | None, str] | None:
    """(oom_score_adj the configuration gives a unit's processes, where, how it is named),
    None for a process outside any unit or a templated value."""
    if unit_name is None:
        return None
    unit = ctx.host.units.get(unit_name)
    if unit is None:
        return None
    s = unit.get("OOMScoreAdjust")
    if s is not None:
        return (s.value, s.loc, f"OOMScoreAdjust={s.value}") if isinstance(s.value, int) \
            else None
    m = ctx.host.manager.get("DefaultOOMScoreAdjust")
    if m is not None:
        try:
            return int(str(m.value).strip()), m.loc, f"DefaultOOMScoreAdjust={m.value}"
        except ValueError:
            return None
    loc = Loc(unit.fragment.path, 0) if unit.fragment is not None else None
    return 0, loc, "no OOMScoreAdjust= (0)"


def _adj_path(pid: int) -> Loc:
    return Loc(f"/proc/{pid}/oom_score_adj", 1)


def _pg_hint(ctx, unit_name: str | None) -> str:
    try:
        c = next((c for c in ctx.kill_order.candidates if c.unit == unit_name), None)
    except Exception:
        return ""
    return f" (the configuration says so: {c.adj_note})" if c is not None and c.adj_note \
        else ""


def predicted(ctx):
    """The predicted order, with /proc/meminfo SwapTotal in totalpages when the
    configuration gives no swap figure (model/live.py `running_swap`), as the audit shows it."""
    run = running_swap(ctx.host)
    if run is None:
        return ctx.kill_order
    return kill_order(ctx.host, replace(ctx.budget, swap=run.value),
                      budget_assumptions=ctx.assumptions)


def check(ctx, opts):
    live = live_of(ctx)
    if live is None:
        return
    ranked = kill_list(live, 1)
    if not ranked:
        return
    v = ranked[0]
    who = f"pid {v.pid} ({v.comm or v.argv0 or '?'})"
    conf = _configured(ctx, v.unit)
    score_rel = Related(v.loc, "live first victim's oom_score")
    if conf is not None and conf[0] < 0 and conf[1] is not None:
        adj, loc, said = conf
        if v.oom_score_adj is not None and v.oom_score_adj != adj:
            why = (f"it runs with oom_score_adj {v.oom_score_adj}, not the {adj} its unit "
                   f"sets: something reset it for this process (a program resetting its "
                   f"children's value, or a write to /proc/{v.pid}/oom_score_adj)"
                   f"{_pg_hint(ctx, v.unit)}")
        else:
            why = (f"it runs with that value ({v.oom_score_adj}) and is still the largest "
                   "candidate: the protection does not outweigh its size")
        yield Finding(
            RULE, f"the live first victim is {who} of {v.unit}, which the configuration "
            f"protects with {said}; {why}. The next global OOM kills it first (oom_score "
            f"{v.oom_score})", loc, subject=(v.unit, "protected"),
            related=(Related(_adj_path(v.pid), "running oom_score_adj"), score_rel))
        return
    try:
        ranked_pred = predicted(ctx).ranked
    except Exception:  # no budget: nothing predicted
        return
    if not ranked_pred or ranked_pred[0].unit is None or ranked_pred[0].unit == v.unit:
        return
    pred = ranked_pred[0]
    # The cause: the live first victim runs above its unit's value, or the predicted one's
    # processes run below theirs (a -1000 written by hand hides them from the killer).
    causes = []
    if conf is not None and v.oom_score_adj is not None and v.oom_score_adj > conf[0]:
        causes.append((v.unit, v, conf))
    pconf = _configured(ctx, pred.unit)
    if pconf is not None:
        lowered = [p for p in live.processes if p.unit == pred.unit
                   and p.oom_score_adj is not None and p.oom_score_adj < pconf[0]]
        if lowered:
            causes.append((pred.unit, min(lowered, key=lambda p: p.oom_score_adj), pconf))
    if not causes:
        return  # sizes, not adjustments: the prediction is at worst case, the list is now
    unit, p, (adj, loc, said) = causes[-1]
    if loc is None:
        return
    never = " (never chosen)" if p.oom_score_adj == -1000 else ""
    yield Finding(
        RULE, f"the live first victim is {who} of {v.unit or v.cgroup or 'no unit'}, not "
        f"{pred.service} as the configuration predicts (#1 at worst case, oom_score "
        f"{pred.oom_score}): {unit}'s process pid {p.pid} ({p.comm or '?'}) runs with "
        f"oom_score_adj {p.oom_score_adj}{never}, while its unit gives {said}; the value "
        f"was written to /proc/{p.pid}/oom_score_adj by hand or by the program, and is lost "
        "at the next restart", loc, subject=(unit, "first-victim"),
        related=(Related(_adj_path(p.pid), "running oom_score_adj"), score_rel))
