"""OOM303 overcommit-always. Published text: rules/OOM303.yaml."""

from __future__ import annotations

from oomlint.analysis.roles import overcommit_always_reason
from oomlint.base.findings import Finding

RULE = "OOM303"


def check(ctx, opts):
    host = ctx.host
    mode = host.sysctl_int("vm.overcommit_memory")
    if mode is None or mode.value != 1:
        return
    if overcommit_always_reason(ctx.roles):
        return  # Redis's or the kubelet's requirement (analysis/roles.py; rules/OOM303.yaml)
    yield Finding(RULE, "vm.overcommit_memory=1: the kernel never refuses an allocation, so "
                  "every shortfall ends in the OOM killer instead of a failed malloc",
                  mode.loc, subject=("vm.overcommit_memory",), related=mode.related())
