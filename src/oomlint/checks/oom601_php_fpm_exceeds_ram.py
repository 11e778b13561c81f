"""OOM601 php-fpm-exceeds-ram. Published text: rules/OOM601.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import biggest_loc, service_calc
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.checks._common import services_above_ram

RULE = "OOM601"


def check(ctx, opts):
    host = ctx.host
    for s in services_above_ram(ctx, ("php-fpm",)):
        yield Finding(
            RULE,
            f"{s.name}: pm.max_children × memory_limit over its pools adds up to "
            f"{format_size(s.worst_case)}, above the host's {format_size(host.ram)} of RAM: "
            "with every worker busy the box runs out of memory",
            biggest_loc(s), subject=(s.name,), calc=service_calc(s, host.ram, "RAM"))
