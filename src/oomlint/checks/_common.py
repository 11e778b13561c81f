"""Small helpers shared by checks (reading the model only)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from oomlint.analysis.budget import HostBudget
from oomlint.base.provenance import Loc
from oomlint.base.redact import ELLIPSIS, MASK, mask_secrets, secrets_in, shown, word
from oomlint.model.host import Host, Unit, is_vendor_path

# Remote-access and core system daemons: the one legitimate place for -1000, and services
# whose memory the admin does not cap.
CORE_DAEMONS = ("ssh.service", "sshd.service", "ssh@.service", "sshd@.service",
                "dropbear.service", "systemd-*", "dbus.service", "dbus-broker.service",
                "udev.service", "auditd.service", "getty@*", "serial-getty@*")

RESTARTS_AFTER_OOM = ("always", "on-failure", "on-abnormal")


def services_above_ram(ctx, kinds):
    """The budget's services of these kinds whose worst case alone is above the host's RAM
    (nothing when RAM is unknown: OOM010 says so)."""
    ram = ctx.host.ram
    if ram is None:
        return
    for s in ctx.budget.services:
        if s.kind in kinds and s.worst_case is not None and s.worst_case > ram:
            yield s


def unit_matches(unit: Unit, patterns) -> bool:
    names = (unit.name, *unit.aliases, *((unit.template,) if unit.template else ()))
    return any(fnmatchcase(n, p) for n in names for p in patterns)


def admin_setting(setting) -> bool:
    """True when the effective value was written outside the vendor directories."""
    return setting is not None and not is_vendor_path(setting.loc.path)


def host_loc(host: Host) -> Loc:
    """Where a host-level finding points: the tree root."""
    return Loc(".", 0)


def refused_text(written: str, reason: str, cut=shown) -> tuple[str, str]:
    """What a refusal message shows of the input: the setting as written through `cut`
    (base/redact.py: `shown` masks and clips, `word` also stops at the first whitespace),
    and the reason with that text, and any secret value in it, hidden the same way;
    ("", reason) when the model recorded no text (a file that is not in the expected format
    is reported by path and line only)."""
    if not written:
        return "", mask_secrets(reason)
    what = cut(written)
    reason = reason.replace(written, what)
    words = written.split(None, 1)
    if cut is word and len(words) == 2:  # a reason that echoes the option from inside it
        rest = written[written.index(words[0]) + len(words[0]):]
        reason = reason.replace(rest.rstrip(), ELLIPSIS)
    for value in secrets_in(written):
        reason = reason.replace(value, MASK)
    return what, mask_secrets(reason)


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
            what, why = refused_text(written, reason)
            yield Finding(rule, f"{what + ': ' if what else ''}{why}; {server} refuses to "
                          f"start with it, so {db.name} stays down or restarts in a loop", loc,
                          subject=(db.name, what) if what else (db.name,))


def unbounded_note(b: HostBudget) -> str:
    names = [s.name for s in b.unbounded]
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    one = len(names) == 1
    return f"; {shown} {'has' if one else 'have'} no cap and {'is' if one else 'are'} not counted"
