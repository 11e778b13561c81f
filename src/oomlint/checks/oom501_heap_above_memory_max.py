"""OOM501 heap-above-memory-max. Published text: rules/OOM501.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Related

RULE = "OOM501"


def check(ctx, opts):
    host = ctx.host
    for j in host.jvms:
        heap = j.config.max_heap
        if j.limit is None or heap.bytes is None or heap.bytes < j.limit:
            continue
        yield Finding(
            RULE,
            f"{j.name}: the Java heap ({format_size(heap.bytes)}, {heap.label}) is not below the "
            f"unit's MemoryMax of {format_size(j.limit)}: once the heap fills, the kernel "
            "OOM-kills the JVM inside its cgroup before the JVM can throw OutOfMemoryError",
            heap.loc or j.config.loc or j.unit.service_header(),
            subject=(j.name, "MaxHeapSize"),
            related=(Related(j.limit_loc, f"MemoryMax = {format_size(j.limit)}"),)
            if j.limit_loc else (),
        )
