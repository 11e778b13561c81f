"""OOM201 unkillable-service. Published text: rules/OOM201.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.checks._common import CORE_DAEMONS, admin_setting, unit_matches

RULE = "OOM201"


def check(ctx, opts):
    host = ctx.host
    seen = set()
    for svc in host.services:
        adj = svc.get("OOMScoreAdjust")
        if adj is None or adj.value != -1000 or not admin_setting(adj) or adj.loc in seen:
            continue
        if unit_matches(svc, CORE_DAEMONS) or unit_matches(svc, opts.allow_units):
            continue
        seen.add(adj.loc)
        yield Finding(
            RULE,
            f"{svc.name}: OOMScoreAdjust=-1000 makes it immune to the OOM killer; when memory "
            "runs out the kernel kills the next-largest process instead (often sshd, the "
            "journal or another service), and a global OOM with nothing else to kill panics "
            "the box",
            adj.loc,
            subject=(svc.name, "OOMScoreAdjust"),
            related=adj.related(),
        )
