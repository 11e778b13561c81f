"""OOM306 swappiness-extreme. Published text: rules/OOM306.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding

RULE = "OOM306"


def check(ctx, opts):
    host = ctx.host
    s = host.sysctl_int("vm.swappiness")
    if s is None:
        return
    if s.value == 0 and host.swap_configured:
        yield Finding(RULE, "vm.swappiness=0 with swap configured: anonymous memory is swapped "
                      "only under severe pressure, so the swap mostly sits unused and the OOM "
                      "killer comes with little warning", s.loc,
                      subject=("vm.swappiness",))
    elif s.value > 100:
        yield Finding(RULE, f"vm.swappiness={s.value}: above 100 the kernel prefers swapping "
                      "anonymous memory over dropping page cache (meant for zram); kernels "
                      "before 5.8 reject values above 100", s.loc,
                      subject=("vm.swappiness",))
