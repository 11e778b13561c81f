"""OOM404 mysql-stress-exceeds-ram. Published text: rules/OOM404.yaml."""

from __future__ import annotations

from oomlint.base.findings import Calc, Finding
from oomlint.base.grammar.host import format_size

RULE = "OOM404"


def check(ctx, opts):
    host = ctx.host
    if host.ram is None:
        return
    for s in ctx.budget.services:
        stress = s.tiers.get("stress")
        if s.kind != "mysql" or stress is None or s.worst_case is None or \
                stress <= host.ram or s.worst_case > host.ram:
            continue  # above RAM already: OOM401 says so
        yield Finding(
            RULE,
            f"{s.name}: MySQL/MariaDB stress tier {format_size(stress)} is above the host's "
            f"{format_size(host.ram)} of RAM (MySQLTuner's maximum {format_size(s.worst_case)} "
            "fits): with every connection holding an in-memory temporary table and a binlog "
            "cache at once the box runs out of memory",
            s.stress_focus or s.focus or s.loc,
            subject=(s.name,),
            calc=Calc((*s.terms, *s.stress_terms), total=stress, total_label="stress tier",
                      limit=host.ram, limit_label="RAM"),
        )
