"""OOM203 setting-ignored. Published text: rules/OOM203.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.redact import mask_secrets, shown
from oomlint.model.host import MEMORY_KEYS

RULE = "OOM203"

_CONSEQUENCE = {
    "MemoryMax": "the service runs without this memory limit",
    "MemoryHigh": "the service runs without this throttling limit",
    "MemoryLimit": "the service runs without this memory limit",
    "MemorySwapMax": "swap use stays unlimited",
    "OOMScoreAdjust": "the processes keep the default OOM score",
    "Restart": "the default Restart=no applies",
}


def check(ctx, opts):
    host = ctx.host
    seen = set()
    for name, unit in sorted(host.units.items()):
        if unit.masked:
            continue
        for ig in unit.ignored:
            a = ig.assignment
            if a.loc in seen:
                continue  # a file shared by several units (template, service.d/)
            seen.add(a.loc)
            policy = host.oom_policy(unit) if a.key == "OOMPolicy" else None
            consequence = (f"{policy.describe()} applies" if policy is not None else
                           _CONSEQUENCE.get(a.key)) or (
                "the setting keeps its default" if a.key not in MEMORY_KEYS
                else "the unit runs without this setting")
            prev = unit.settings.get(a.key)
            if prev is not None and prev.value is not None and prev.loc.line and prev.loc != a.loc:
                consequence = (f"the earlier value {shown(f'{a.key}={prev.raw}')} ({prev.loc}) stays "
                               "in effect")
            yield Finding(
                RULE,
                f"{name}: systemd ignores {shown(f'{a.key}={a.value}')} ({mask_secrets(ig.reason)}); "
                f"{consequence}",
                a.loc,
                subject=(name, a.key),
            )
