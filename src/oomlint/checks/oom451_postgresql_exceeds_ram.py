"""OOM451 postgresql-exceeds-ram. Published text: rules/OOM451.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import biggest_loc, service_calc
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.checks._common import services_above_ram

RULE = "OOM451"


def check(ctx, opts):
    host = ctx.host
    for s in services_above_ram(ctx, ("postgresql",)):
        yield Finding(
            RULE,
            f"{s.name}: PostgreSQL plausible peak {format_size(s.worst_case)} alone is above the "
            f"host's {format_size(host.ram)} of RAM (stress case "
            f"{format_size(s.tiers.get('stress'))})",
            biggest_loc(s),
            subject=(s.name,),
            calc=service_calc(s, host.ram, "RAM"),
        )
