"""OOM708 service-above-worst-case. Published text: rules/OOM708.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding, Term
from oomlint.base.provenance import Related
from oomlint.checks.oom7_live import live_of, size

RULE = "OOM708"

# Budgets computed from a program's own settings; a plain unit's worst case is its
# MemoryMax, which the kernel enforces (a different running limit is OOM707).
FORMULA_KINDS = ("mysql", "postgresql", "jvm", "php-fpm", "redis", "valkey")


def check(ctx, opts):
    live = live_of(ctx)
    if live is None:
        return
    try:
        budget = ctx.budget
    except Exception:  # no budget, nothing to compare
        return
    for sb in budget.services:
        if sb.kind not in FORMULA_KINDS or sb.unit is None or not sb.worst_case:
            continue
        got = live.resident(sb.unit)
        if got is None:
            continue
        resident, where = got
        if resident <= sb.worst_case:
            continue
        yield Finding(
            RULE,
            f"{sb.unit} holds {size(resident)} now, more than the {size(sb.worst_case)} its "
            f"configuration allows in the worst case ({sb.kind}): it leaks, or the formula's "
            "inputs are not what runs (another configuration file, a changed setting not "
            "restarted)",
            sb.focus or sb.loc, subject=(sb.unit,),
            related=(Related(where, "running memory"),),
            calc=Calc((Term("running (anon + shmem)", resident, where),), resident, "running",
                      sb.worst_case, "worst case"))
