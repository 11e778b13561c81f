"""OOM652 redis-exceeds-ram. Published text: rules/OOM652.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import service_calc
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.checks._common import services_above_ram

RULE = "OOM652"


def check(ctx, opts):
    host = ctx.host
    for s in services_above_ram(ctx, ("redis", "valkey")):
        mm = s.settings.get("maxmemory") or 0
        why = ("maxmemory alone is above RAM" if mm > host.ram else
               "with copy-on-write while a forked child saves the RDB snapshot or rewrites "
               "the AOF, the worst case is twice maxmemory")
        yield Finding(
            RULE,
            f"{s.name}: worst case {format_size(s.worst_case)} is above the host's "
            f"{format_size(host.ram)} of RAM ({why})",
            s.focus or s.loc, subject=(s.name,), calc=service_calc(s, host.ram, "RAM"))
