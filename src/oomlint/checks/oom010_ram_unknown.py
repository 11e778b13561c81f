"""OOM010 ram-unknown. Published text: rules/OOM010.yaml."""

from __future__ import annotations

import json

from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.base.grammar.systemd import MemoryLimit
from oomlint.checks._common import admin_setting, host_loc

RULE = "OOM010"

# Budget kinds whose worst case is a cap rather than a footprint (analysis/budget.py).
CAP_KINDS = ("unit", "slice")


def _sized(ctx) -> str | None:
    """The services with a worst case of their own (databases, JVMs, any sized kind): their
    sum is what OOM101/OOM102 compare with RAM, so without RAM nothing judges it."""
    sized = [s for s in ctx.budget.services if s.worst_case is not None
             and s.kind not in CAP_KINDS]
    if not sized:
        return None
    shown = ", ".join(f"{s.name} ({s.kind}) {format_size(s.worst_case)}" for s in sized[:3])
    more = f" and {len(sized) - 3} more" if len(sized) > 3 else ""
    n = len(sized)
    return (f"{n} sized service{'s' if n > 1 else ''}, {format_size(ctx.budget.total)} worst "
            f"case in all ({shown}{more}): the budget is not compared with RAM, so OOM101 and "
            "OOM102 cannot fire")


def _needs(host) -> str | None:
    for unit in host.units.values():
        for key in ("MemoryMax", "MemoryHigh"):
            s = unit.get(key)
            if admin_setting(s) and isinstance(s.value, MemoryLimit) and not s.value.infinity:
                return f"{unit.name}: {key}={s.raw} is compared with RAM"
    om = host.sysctl_int("vm.overcommit_memory")
    if om is not None and om.value == 2:
        return "vm.overcommit_memory=2: CommitLimit depends on RAM"
    hp = host.sysctl_int("vm.nr_hugepages")
    if hp is not None and hp.value > 0:
        return "vm.nr_hugepages: the reserved share depends on RAM"
    if any(s.size is None and s.kind in ("zram", "dphys-swapfile") for s in host.swaps):
        return "the swap size is computed from RAM"
    return None


def check(ctx, opts):
    host = ctx.host
    if host.ram is not None:
        return
    reason = _sized(ctx) or (None if host.loose else _needs(host))
    if reason:
        table = json.dumps(host.name.rstrip("/"))
        yield Finding(RULE, f"host RAM is unknown ({reason}); pass --ram SIZE, or set it in "
                      f".oomlint.toml for this host (`[hosts.{table}]` `ram = \"16G\"`) or "
                      "for every host (`ram = \"16G\"`), to enable the RAM-relative rules",
                      host_loc(host), subject=())
