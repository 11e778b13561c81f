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
        # prev: a value an earlier glob wrote to the key (model/sysctl.py); an explicit key
        # is written once, so its refused value leaves the kernel's default.
        keeps = (f"the value from {prev.loc} ({shown(prev.raw)}) stays in effect" if prev is not None
                 else "the kernel keeps its default")
        hint = f" ({mask_secrets(ig.hint)})" if ig.hint else ""
        yield Finding(RULE, f"{shown(f'{a.key} = {a.value}')}: the kernel refuses it with EINVAL "
                      f"({mask_secrets(ig.reason)}); "
                      f"{keeps}{hint}", a.loc, subject=(a.key,))
