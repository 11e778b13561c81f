"""Small helpers shared by checks (reading the model only)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from oomlint.analysis.budget import HostBudget
from oomlint.base.provenance import Loc
from oomlint.model.host import Host, Unit, is_vendor_path

# Remote-access and core system daemons: the one legitimate place for -1000, and services
# whose memory the admin does not cap.
CORE_DAEMONS = ("ssh.service", "sshd.service", "ssh@.service", "sshd@.service",
                "dropbear.service", "systemd-*", "dbus.service", "dbus-broker.service",
                "udev.service", "auditd.service", "getty@*", "serial-getty@*")

RESTARTS_AFTER_OOM = ("always", "on-failure", "on-abnormal")


def unit_matches(unit: Unit, patterns) -> bool:
    names = (unit.name, *unit.aliases, *((unit.template,) if unit.template else ()))
    return any(fnmatchcase(n, p) for n in names for p in patterns)


def admin_setting(setting) -> bool:
    """True when the effective value was written outside the vendor directories."""
    return setting is not None and not is_vendor_path(setting.loc.path)


def host_loc(host: Host) -> Loc:
    """Where a host-level finding points: the tree root."""
    return Loc(".", 0)


def refusals(host, rule: str, kind: str, server: str):
    """Findings for values a database server refuses at startup (each place once)."""
    from oomlint.base.findings import Finding

    seen = set()
    for db in host.databases:
        if db.config.kind != kind:
            continue
        for loc, written, reason in db.config.refused:
            if (loc, written) in seen:
                continue
            seen.add((loc, written))
            yield Finding(rule, f"{written}: {reason}; {server} refuses to start with it, so "
                          f"{db.name} stays down or restarts in a loop", loc,
                          subject=(db.name, written))


def unbounded_note(b: HostBudget) -> str:
    names = [s.name for s in b.unbounded]
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    one = len(names) == 1
    return f"; {shown} {'has' if one else 'have'} no cap and {'is' if one else 'are'} not counted"
