"""OOM601 php-fpm-exceeds-ram. Published text: rules/OOM601.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import biggest_loc, service_calc
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size

RULE = "OOM601"


def check(ctx, opts):
    host = ctx.host
    if host.ram is None:
        return
    for s in ctx.budget.services:
        if s.kind != "php-fpm" or s.worst_case is None or s.worst_case <= host.ram:
            continue
        yield Finding(
            RULE,
            f"{s.name}: pm.max_children × memory_limit over its pools adds up to "
            f"{format_size(s.worst_case)}, above the host's {format_size(host.ram)} of RAM: "
            "with every worker busy the box runs out of memory",
            biggest_loc(s), subject=(s.name,), calc=service_calc(s, host.ram, "RAM"))
