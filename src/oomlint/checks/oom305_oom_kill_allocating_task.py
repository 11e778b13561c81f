"""OOM305 oom-kill-allocating-task. Published text: rules/OOM305.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding

RULE = "OOM305"


def check(ctx, opts):
    host = ctx.host
    s = host.sysctl_int("vm.oom_kill_allocating_task")
    if s is None or s.value == 0:
        return
    yield Finding(RULE, f"vm.oom_kill_allocating_task={s.value}: a global OOM kills whichever "
                  "task asked for the last page (usually an innocent one) instead of the "
                  "process using the most memory", s.loc,
                  subject=("vm.oom_kill_allocating_task",))
