"""OOM401 mysql-exceeds-ram. Published text: rules/OOM401.yaml."""

from __future__ import annotations

from oomlint.analysis.budget import biggest_loc, service_calc
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.checks._common import services_above_ram

RULE = "OOM401"
KIND = "mysql"


def check(ctx, opts):
    host = ctx.host
    for s in services_above_ram(ctx, (KIND,)):
        yield Finding(
            RULE,
            f"{s.name}: MySQL/MariaDB worst case (MySQLTuner's maximum possible memory usage) "
            f"{format_size(s.worst_case)} alone is above the host's {format_size(host.ram)} of "
            "RAM: a full house of connections runs the box out of memory (stress tier "
            f"{format_size(s.tiers.get('stress', s.worst_case))})",
            biggest_loc(s),
            subject=(s.name,),
            calc=service_calc(s, host.ram, "RAM"),
        )
