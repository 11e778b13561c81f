"""OOM010 ram-unknown. Published text: rules/OOM010.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.systemd import MemoryLimit
from oomlint.checks._common import admin_setting, host_loc

RULE = "OOM010"


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
    if host.ram is not None or host.loose:
        return
    reason = _needs(host)
    if reason:
        yield Finding(RULE, f"host RAM is unknown ({reason}); pass --ram SIZE or set `ram` in "
                      "the configuration to enable the RAM-relative rules", host_loc(host),
                      subject=())
