"""OOM709 commit-limit-reached. Published text: rules/OOM709.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding, Term
from oomlint.base.provenance import Related
from oomlint.checks.oom7_live import live_of, pct, size

RULE = "OOM709"


def check(ctx, opts):
    live = live_of(ctx)
    if live is None or live.sysctl_int("vm.overcommit_memory") != 2:
        return
    limit = live.meminfo.values.get("CommitLimit")
    committed = live.meminfo.values.get("Committed_AS")
    if limit is None or committed is None or not limit.value:
        return
    if committed.value < opts.near_share * limit.value:
        return
    mode = live.sysctl["vm.overcommit_memory"][1]
    yield Finding(
        RULE, f"strict overcommit is in force and {size(committed.value)} is committed, "
        f"{pct(committed.value, limit.value)} of CommitLimit {size(limit.value)}: the next "
        "allocations that do not fit fail with ENOMEM (malloc returns NULL, fork fails) "
        "although RAM may be free", committed.loc, subject=("Committed_AS",),
        related=(Related(limit.loc, "CommitLimit"), Related(mode, "vm.overcommit_memory")),
        calc=Calc((Term("Committed_AS", committed.value, committed.loc),), committed.value,
                  "committed", limit.value, "CommitLimit"))
