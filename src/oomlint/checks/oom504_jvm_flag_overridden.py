"""OOM504 jvm-flag-overridden. Published text: rules/OOM504.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related

RULE = "OOM504"
MEMORY_FLAGS = ("MaxHeapSize", "InitialHeapSize", "MaxRAMPercentage", "InitialRAMPercentage",
                "MinRAMPercentage", "MaxRAM", "MaxMetaspaceSize", "ReservedCodeCacheSize",
                "ThreadStackSize", "MaxDirectMemorySize", "UseContainerSupport")


def check(ctx, opts):
    host = ctx.host
    seen = set()
    for j in host.jvms:
        for name in MEMORY_FLAGS:
            s = j.config.flags.get(name)
            if s is None or not s.overrides or (s.loc, name) in seen:
                continue
            # built-in defaults (Elasticsearch's system options) carry line 0: not written
            lost = [o for o in s.overrides
                    if o.value != s.value and o.loc != s.loc and o.loc.line > 0]
            if not lost:
                continue
            seen.add((s.loc, name))
            first = lost[-1]
            yield Finding(
                RULE,
                f"{j.name}: {first.raw} is silently overridden by {s.raw}, which the JVM reads "
                "later; the value in effect is not the one written at the earlier line",
                s.loc,
                subject=(j.name, name),
                related=tuple(Related(o.loc, f"overridden: {o.raw}") for o in lost),
            )
