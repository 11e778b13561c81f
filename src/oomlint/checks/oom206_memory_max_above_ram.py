"""OOM206 memory-max-above-ram. Published text: rules/OOM206.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding, Term
from oomlint.base.grammar.host import format_size
from oomlint.checks._common import admin_setting

RULE = "OOM206"


def check(ctx, opts):
    host = ctx.host
    if host.ram is None:
        return
    seen = set()
    for name, unit in sorted(host.units.items()):
        mx = unit.get("MemoryMax")
        if unit.masked or not admin_setting(mx) or name == "-.slice":
            continue
        if mx.loc in seen:
            continue
        seen.add(mx.loc)
        limit = unit.memory_limit("MemoryMax")
        b = limit.resolve(host.ram) if limit is not None else None
        if b is None or b < host.ram:
            continue
        yield Finding(
            RULE,
            f"{name}: MemoryMax={mx.raw} ({format_size(b)}) is not below the host's RAM "
            f"({format_size(host.ram)}): the cgroup limit can never be reached before the global "
            "OOM killer runs, so it protects nothing",
            mx.loc,
            subject=(name, "MemoryMax"),
            related=mx.related(),
            calc=Calc((Term(f"MemoryMax={mx.raw}", b, mx.loc),), limit=host.ram,
                      limit_label="host RAM"),
        )
