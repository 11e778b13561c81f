"""OOM201 unkillable-service. Published text: rules/OOM201.yaml.

`OOMScoreAdjust=-1000` is reported wherever it is written, /usr/lib/systemd/system included
(configuration management writes units there too), except in the few units a distribution
ships with it, recognised by name AND by the packaged command line (`DISTRIBUTION_UNITS`),
and the core daemons or `allow_units` an administrator may protect on purpose."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.checks._common import CORE_DAEMONS, unit_matches
from oomlint.model.host import is_vendor_path

RULE = "OOM201"

# Distribution units that ship OOMScoreAdjust=-1000: unit name -> the packaged ExecStart=
# command lines (argv as systemd runs them), and where each comes from. A unit of that name
# with another command line, or the setting in another file, is not the package's.
DISTRIBUTION_UNITS: dict[str, tuple[tuple[tuple[str, ...], ...], str]] = {
    "systemd-udevd.service": (
        (("/lib/systemd/systemd-udevd",), ("/usr/lib/systemd/systemd-udevd",)),
        "systemd units/systemd-udevd.service.in (ExecStart={{LIBEXECDIR}}/systemd-udevd); "
        "Debian bookworm udev 252 ships /lib/systemd/system/systemd-udevd.service, "
        "usr-merged distributions /usr/lib/systemd/systemd-udevd"),
    "dm-event.service": (
        (("/sbin/dmeventd", "-f"), ("/usr/sbin/dmeventd", "-f")),
        "lvm2 scripts/dm_event_systemd_red_hat.service.in (ExecStart=@SBINDIR@/dmeventd -f); "
        "Debian bookworm dmeventd 2:1.02.185 ships /lib/systemd/system/dm-event.service"),
}


def packaged(svc, adj) -> bool:
    """The setting is the distribution's: a vendor file of a listed unit whose fragment it
    is, running the packaged command line."""
    entry = DISTRIBUTION_UNITS.get(svc.name)
    if entry is None or not is_vendor_path(adj.loc.path) or svc.fragment is None or \
            svc.fragment.path != adj.loc.path or not is_vendor_path(svc.fragment.path):
        return False
    return tuple(svc.exec_argv()) in entry[0]


def check(ctx, opts):
    host = ctx.host
    seen = set()
    for svc in host.services:
        adj = svc.get("OOMScoreAdjust")
        if adj is None or adj.value != -1000 or adj.loc in seen:
            continue
        if packaged(svc, adj):
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
