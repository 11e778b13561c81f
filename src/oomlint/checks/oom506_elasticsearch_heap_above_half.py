"""OOM506 elasticsearch-heap-above-half. Published text: rules/OOM506.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size

RULE = "OOM506"


def check(ctx, opts):
    host = ctx.host
    for j in host.jvms:
        c = j.config
        memory = j.visible_ram
        if c.launcher not in ("elasticsearch", "opensearch") or memory is None:
            continue
        heap = c.max_heap.bytes
        if heap is None or heap <= memory // 2:
            continue
        where = "the unit's MemoryMax" if j.limit is not None and memory == j.limit else "RAM"
        yield Finding(
            RULE,
            f"{j.name}: {c.launcher} heap {format_size(heap)} is more than half of "
            f"{where} ({format_size(memory)}): the rest is needed for off-heap buffers and "
            "the filesystem cache that Lucene depends on",
            c.max_heap.loc or c.loc or j.unit.service_header(),
            subject=(j.name, "MaxHeapSize"),
        )
