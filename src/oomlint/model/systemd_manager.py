"""The service manager's own configuration: system.conf and system.conf.d/ (and the
lookup of any systemd-style ``NAME`` + ``NAME.d/*.conf`` configuration), read as
systemd-system.conf(5) describes, with the defaults units inherit.
"""

from __future__ import annotations

from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.systemd import (
    hidden_or_backup_file,
    systemd_parse_timespan,
)
from oomlint.base.provenance import Setting
from oomlint.model.host import (
    OOM_POLICIES,
    Host,
    ManagerDefaults,
)
from oomlint.model.reader import Reader
from oomlint.model.systemd_keys import is_known
from oomlint.parsers.systemd_unit import parse_unit
from oomlint.sources.tree import Tree

CONF_ROOTS = ("/etc/systemd", "/run/systemd", "/usr/local/lib/systemd", "/usr/lib/systemd",
              "/lib/systemd")

def conf_files(tree: Tree, main_name: str, roots=CONF_ROOTS) -> list[str]:
    """A systemd-style configuration: the main file (first found, /etc first) and then
    `<main>.d/*.conf` from every root, same basename masking, sorted by basename."""
    out = []
    for r in roots:
        p = f"{r}/{main_name}"
        if tree.lookup(p).kind != "missing":  # what cannot be read is reported when read
            out.append(p)
            break
    chosen: dict[str, str] = {}
    for r in roots:
        for fn in tree.listdir(f"{r}/{main_name}.d"):
            if fn.endswith(".conf") and fn not in chosen and not hidden_or_backup_file(fn):
                chosen[fn] = f"{r}/{main_name}.d/{fn}"
    out += [chosen[k] for k in sorted(chosen)]
    return out


def load_manager(reader: Reader) -> None:
    tree, host = reader.tree, reader.host
    for path in conf_files(tree, "system.conf"):
        f = reader.parse(path, "unit", parse_unit, {"Manager"})
        if f is None:
            continue
        host.manager_files.append(f)
        for a in f.assignments:
            if a.section == "Manager" and is_known("Manager", a.key):
                prev = host.manager.get(a.key)
                host.manager[a.key] = Setting(a.key, a.value, a.value, a.loc).overriding(prev)
    builtin = ManagerDefaults()
    host.manager_defaults = ManagerDefaults(
        start_limit_interval=_manager_value(host, "DefaultStartLimitIntervalSec",
                                            builtin.start_limit_interval, systemd_parse_timespan),
        start_limit_burst=_manager_value(host, "DefaultStartLimitBurst",
                                         builtin.start_limit_burst, int),
        restart_sec=_manager_value(host, "DefaultRestartSec", builtin.restart_sec,
                                   systemd_parse_timespan),
        oom_policy=_manager_value(host, "DefaultOOMPolicy", builtin.oom_policy, _oom_policy),
    )


def _oom_policy(raw: str) -> str:
    """config_parse_oom_policy(): one of continue, stop, kill (case-sensitive)."""
    if raw not in OOM_POLICIES:
        raise GrammarError(f"'{raw}' is not one of {', '.join(OOM_POLICIES)}")
    return raw


def _manager_value(host: Host, key: str, default, parse):
    """The effective (last) assignment of a manager default, parsed; `default` when unset
    or when it cannot be parsed."""
    s = host.manager.get(key)
    if s is None:
        return default
    try:
        return parse(s.value)
    except (GrammarError, ValueError):
        return default
