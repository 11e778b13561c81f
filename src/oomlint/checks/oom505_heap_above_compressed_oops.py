"""OOM505 heap-above-compressed-oops. Published text: rules/OOM505.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.c import GIB
from oomlint.base.grammar.host import format_size

RULE = "OOM505"


def check(ctx, opts):
    host = ctx.host
    for j in host.jvms:
        c = j.config
        heap = c.max_heap.bytes
        coops = c.flags.get("UseCompressedOops")
        chosen_off = coops is not None and coops.value is False  # the admin turned them off
        if heap is None or c.compressed_oops or heap < 30 * GIB or chosen_off or c.gc == "Z":
            continue  # ZGC never compresses oops
        yield Finding(
            RULE,
            f"{j.name}: a {format_size(heap)} heap is past the compressed-oops ceiling (about "
            "31 GiB with G1): every object reference doubles to 8 bytes, so the heap holds "
            "about what a 31 GiB heap would, while using more memory; stay at or below -Xmx31g",
            c.max_heap.loc or c.loc or j.unit.service_header(),
            subject=(j.name, "MaxHeapSize"),
        )
