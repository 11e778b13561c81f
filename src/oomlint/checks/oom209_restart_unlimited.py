"""OOM209 restart-unlimited. Published text: rules/OOM209.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.checks._common import RESTARTS_AFTER_OOM
from oomlint.model.host import TEMPLATED

RULE = "OOM209"


def _value(svc, keys):
    for k in keys:
        s = svc.get(k)
        if s is not None and s.value is not TEMPLATED:
            return s
    return None


def check(ctx, opts):
    host = ctx.host
    defaults = host.manager_defaults
    d_interval = defaults.start_limit_interval
    d_burst = defaults.start_limit_burst
    d_restart = defaults.restart_sec
    for svc in host.services:
        restart = svc.get("Restart")
        if not svc.admin_owned or restart is None or restart.value not in RESTARTS_AFTER_OOM:
            continue
        interval_s = _value(svc, ("StartLimitIntervalSec",))
        burst_s = _value(svc, ("StartLimitBurst",))
        sec_s = _value(svc, ("RestartSec",))
        interval = interval_s.value if interval_s else d_interval
        burst = burst_s.value if burst_s else d_burst
        rsec = sec_s.value if sec_s else d_restart
        if interval == 0 or burst == 0:
            which = interval_s if interval == 0 and interval_s else burst_s
            why = "StartLimitIntervalSec=0" if interval == 0 else "StartLimitBurst=0"
            loc = which.loc if which else restart.loc
            yield Finding(RULE, f"{svc.name}: {why} disables start rate limiting, so "
                          f"Restart={restart.value} restarts it forever after each OOM kill",
                          loc, subject=(svc.name, "StartLimitIntervalSec" if interval == 0
                                            else "StartLimitBurst"))
            continue
        if burst * rsec > interval:
            yield Finding(
                RULE,
                f"{svc.name}: Restart={restart.value} with RestartSec={rsec:g}s can never hit "
                f"the start limit ({burst} starts in {interval:g}s: {burst} × {rsec:g}s > "
                f"{interval:g}s), so it is restarted forever after each OOM kill",
                (sec_s or restart).loc,
                subject=(svc.name, "RestartSec"),
            )
