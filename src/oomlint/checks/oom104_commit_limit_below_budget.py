"""OOM104 commit-limit-below-budget. Published text: rules/OOM104.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import host_calc
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size

RULE = "OOM104"


def check(ctx, opts):
    host = ctx.host
    b = ctx.budget
    if b.commit_limit is None or b.committed <= b.commit_limit:
        return
    mode = host.sysctl_int("vm.overcommit_memory")
    yield Finding(
        RULE,
        f"vm.overcommit_memory=2 caps committed memory at CommitLimit {format_size(b.commit_limit)}, "
        f"below the services' worst case of {format_size(b.committed)}: allocations fail with ENOMEM "
        "before the services reach their configured sizes (and commitments count virtual "
        "reservations, larger than resident memory)",
        mode.loc,
        subject=("vm.overcommit_memory",),
        calc=host_calc(b, b.commit_limit, "CommitLimit"),
    )
