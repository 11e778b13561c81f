"""OOM202 memory-max-missing. Published text: rules/OOM202.yaml."""

from __future__ import annotations

from oomlint.analysis.roles import memory_max_exempt
from oomlint.base.findings import Finding
from oomlint.base.provenance import Related
from oomlint.checks._common import (
    CORE_DAEMONS,
    RESTARTS_AFTER_OOM,
    unit_matches,
)
from oomlint.model.host import TEMPLATED

RULE = "OOM202"


def check(ctx, opts):
    host = ctx.host
    exempt = None
    for svc in host.services:
        if not svc.admin_owned or svc.fragment is None:
            continue
        if exempt is None:
            exempt = memory_max_exempt(ctx.roles)  # analysis/roles.py
        if svc.name in exempt:
            continue
        stype = svc.get("Type")
        if stype is not None and stype.value == "oneshot":
            continue
        if unit_matches(svc, CORE_DAEMONS) or unit_matches(svc, opts.allow_units):
            continue
        if svc.caps_memory() or host.capping_slice(svc) is not None:
            continue
        restart = svc.get("Restart")
        tail = ""
        if restart is not None and restart.value is not TEMPLATED and \
                restart.value in RESTARTS_AFTER_OOM:
            tail = (f"; Restart={restart.value} brings it back after every kill: a restart loop "
                    "with a memory smell")
        slice_name = svc.slice_chain[0] if svc.slice_chain else "system.slice"
        related = ()
        for key in ("MemoryMax", "MemoryHigh"):
            reset = svc.settings.get(key)
            if reset is not None and reset.value is None and reset.overrides:
                last = reset.overrides[-1]
                related = (*related, Related(last.loc, f"{key}={last.raw} set here"),
                           Related(reset.loc, f"reset here by the empty assignment {key}="))
        yield Finding(
            RULE,
            f"{svc.name}: no MemoryMax= or MemoryHigh= on the service or its slice "
            f"({slice_name}); it can grow until the global OOM killer picks a victim by size, "
            f"often an innocent process{tail}",
            svc.service_header(),
            subject=(svc.name,),
            related=related,
        )
