"""OOM304 panic-on-oom. Published text: rules/OOM304.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related

RULE = "OOM304"


def check(ctx, opts):
    host = ctx.host
    p = host.sysctl_int("vm.panic_on_oom")
    if p is None or p.value == 0:
        return
    panic = host.sysctl_int("kernel.panic")
    if panic is None or panic.value == 0:
        after = "and with kernel.panic=0 the box then hangs forever instead of rebooting"
    elif panic.value < 0:
        after = "and with kernel.panic<0 it reboots at once"
    else:
        after = f"and reboots after kernel.panic={panic.value}s"
    scope = "any OOM, even one service hitting its own MemoryMax" if p.value == 2 else \
        "a global OOM"
    yield Finding(RULE, f"vm.panic_on_oom={p.value}: {scope} panics the kernel instead of "
                  f"killing one process, {after}", p.loc, subject=("vm.panic_on_oom",),
                  related=(Related(panic.loc, f"kernel.panic={panic.value}"),) if panic else ())
