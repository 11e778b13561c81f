"""OOM308 sysctl-value-invalid. Published text: rules/OOM308.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.redact import mask_secrets, shown

RULE = "OOM308"


def check(ctx, opts):
    host = ctx.host
    for ig in host.sysctl_ignored:
        a = ig.assignment
        prev = host.sysctl.get(a.key)
        keeps = (f"the value from {prev.loc} ({shown(prev.raw)}) stays in effect" if prev is not None
                 else "the kernel keeps its default")
        yield Finding(RULE, f"{shown(f'{a.key} = {a.value}')}: the kernel refuses it with EINVAL "
                      f"({mask_secrets(ig.reason)}); "
                      f"{keeps}", a.loc, subject=(a.key,))
