"""OOM705 sysctl-running-differs. Published text: rules/OOM705.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related
from oomlint.base.redact import shown
from oomlint.checks.oom7_live import live_of

RULE = "OOM705"


def _same(configured: str, running: str) -> bool:
    a, b = configured.split(), running.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        try:
            if int(x, 0) != int(y, 0):
                return False
        except ValueError:
            if x != y:
                return False
    return True


def check(ctx, opts):
    live = live_of(ctx)
    if live is None:
        return
    for key, setting in sorted(ctx.host.sysctl.items()):
        got = live.sysctl.get(key)
        if got is None or not isinstance(setting.raw, str):
            continue
        running, loc = got
        if _same(setting.raw, running):
            continue
        yield Finding(
            RULE,
            f"{key} = {shown(setting.raw)} here, but the running kernel has "
            f"{shown(running)}: the file was not applied since it changed (sysctl --system, "
            "or a reboot, applies it), or something set the value later",
            setting.loc, subject=(key,), related=(Related(loc, "running value"),))
