"""OOM213 nothing-killable-left. Published text: rules/OOM213.yaml.

The -1000 services alone can fill RAM + swap, or every large candidate is at -1000: a global
OOM then has nothing to kill but the small helpers that remain (remote access, the journal,
agents), and when those are gone the kernel panics ("System is deadlocked on memory")."""

from __future__ import annotations

from oomlint.analysis.kill_order import ranking_text
from oomlint.base.findings import Finding, Related
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Loc
from oomlint.checks._common import CORE_DAEMONS, unit_matches

RULE = "OOM213"


def _helper(host, c) -> bool:
    unit = host.units.get(c.unit) if c.unit else None
    return unit is not None and unit_matches(unit, CORE_DAEMONS)


def check(ctx, opts):
    k = ctx.kill_order
    if k.totalpages is None or k.ram is None:
        return
    exempt = sorted((c for c in k.exempt if c.task_bytes is not None),
                    key=lambda c: (-c.task_bytes, c.service))
    if not exempt:
        return
    held = sum(c.task_bytes for c in exempt)
    total = k.ram + (k.swap or 0)
    large = int(k.ram * float(opts.large_share))
    killable = list(k.ranked)
    big_exempt = [c for c in exempt if c.task_bytes >= large]
    # Remote access and the system's own daemons of unknown size are the helpers left to
    # kill; any other service of unknown size may be the large candidate.
    helpers = [c for c in k.unknown if _helper(ctx.host, c)]
    if held >= total:
        why = (f"the -1000 services alone can hold {format_size(held)}, at least RAM + swap "
               f"= {format_size(total)}")
    elif big_exempt and len(helpers) == len(k.unknown) and ctx.budget.total >= total and \
            all(c.task_bytes < large for c in killable):
        why = (f"the worst case ({format_size(ctx.budget.total)}) fills RAM + swap and every "
               f"candidate of at least {float(opts.large_share):.0%} of RAM "
               f"({format_size(large)}) is at -1000")
    else:
        return
    names = [f"{c.service} ({format_size(c.task_bytes)})" for c in killable] + \
        [f"{c.service} (unknown size)" for c in helpers]
    left = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    order = f" Predicted order: {ranking_text(k)}" if killable else ""
    tail = (f"a global OOM can only kill {left}, then panics (\"Out of memory and no "
            f"killable processes...\").{order}" if names else
            "a global OOM has nothing to kill and panics (\"Out of memory and no killable "
            "processes...\")")
    top = exempt[0]
    yield Finding(
        RULE,
        f"{why} ({', '.join(f'{c.service} {format_size(c.task_bytes)}' for c in exempt[:4])}"
        f"{' …' if len(exempt) > 4 else ''}): {tail}",
        top.adj_loc if top.adj_loc is not None else Loc(".", 0),
        subject=(top.service, "OOMScoreAdjust"),
        related=tuple(Related(c.adj_loc, f"{c.service}: oom_score_adj -1000")
                      for c in exempt[1:4] if c.adj_loc is not None),
    )
