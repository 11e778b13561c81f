"""OOM208 root-slice-memory-cap. Published text: rules/OOM208.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.model.host import MEMORY_KEYS

RULE = "OOM208"


def check(ctx, opts):
    host = ctx.host
    root = host.units.get("-.slice")
    if root is None:
        return
    for key in MEMORY_KEYS:
        s = root.get(key)
        if s is None:
            continue
        yield Finding(
            RULE,
            f"-.slice: {key}={s.raw} is never applied: systemd does not manage memory on the "
            "root slice and the root cgroup has no memory.max; put the cap on system.slice "
            "(services) or user.slice (logins) instead",
            s.loc,
            subject=("-.slice", key),
        )
