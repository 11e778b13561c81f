"""OOM503 heap-unset-in-limited-unit. Published text: rules/OOM503.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Related

RULE = "OOM503"
HEAP_FLAGS = ("MaxHeapSize", "MaxRAMPercentage", "MaxRAMFraction", "MaxRAM",
              "ErgoHeapSizeLimit")


def check(ctx, opts):
    host = ctx.host
    for j in host.jvms:
        c = j.config
        if j.limit is None or c.refused or c.templated or any(f in c.flags for f in HEAP_FLAGS):
            # a JVM that refuses its options does not start (OOM507); a templated option
            # may set the heap once rendered (OOM007)
            continue
        support = c.flags.get("UseContainerSupport")
        if support is not None and support.value is False:
            why = (f"-XX:-UseContainerSupport makes the JVM size it from the host's RAM "
                   f"({format_size(host.ram)}) instead")
            loc = support.loc
        else:
            why = (f"JDK {c.jdk_major} reads the cgroup limit, but JDKs before 11.0.16 / 15 on "
                   "cgroup v2 (and any JVM with -XX:-UseContainerSupport) size it from the "
                   f"host's RAM ({format_size(host.ram)})")
            loc = c.loc or j.unit.service_header()
        yield Finding(
            RULE,
            f"{j.name}: no -Xmx or MaxRAMPercentage inside a unit capped at "
            f"{format_size(j.limit)}: the heap is sized ergonomically ({c.max_heap.label}); {why}",
            loc,
            subject=(j.name, "MaxHeapSize"),
            related=(Related(j.limit_loc, "MemoryMax"),) if j.limit_loc else (),
        )
