"""Build a `Host` from a `Tree`: the ordered loader steps, and the boundary that turns a
failing step into OOM099 while the rest of the host still loads.

Each step reads files the way their owning program reads them (model/systemd_units.py,
model/sysctl.py, model/swap.py, model/services.py) and resolves precedence once; every
effective value is a `Setting` carrying its line and the assignments it overrode. Later
steps may read what earlier ones built (swap reads `.swap` units, services read units).
Once they ran, `Host.recognised` counts what they found; a host where that is nothing gets
one OOM008 at its root, and the engine runs no other rule on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oomlint.base.findings import Finding, Problems, internal_error
from oomlint.base.ids import INTERNAL_ERROR, LINK_LOOP, NOT_READ_RULES, NOTHING_RECOGNISED
from oomlint.base.provenance import Loc
from oomlint.model.host import Host, Recognised
from oomlint.model.reader import Reader
from oomlint.model.services import (
    load_databases,
    load_jvms,
    load_php_fpm_services,
    load_program_configs,
    load_redis_services,
)
from oomlint.model.swap import load_swap
from oomlint.model.sysctl import load_sysctl, sysctl_files
from oomlint.model.systemd_exec import load_exec
from oomlint.model.systemd_manager import conf_files, load_manager
from oomlint.model.systemd_units import load_units
from oomlint.sources.hosts import ROOT_MARKERS
from oomlint.sources.tree import Tree, rel

if TYPE_CHECKING:
    from oomlint.sources.live import LiveSource

STEPS = (
    ("systemd units", load_units),
    ("service environments", load_exec),
    ("system.conf", load_manager),
    ("sysctl", load_sysctl),
    ("swap", load_swap),
    ("databases", load_databases),
    ("JVM services", load_jvms),
    ("kubelet and search configuration", load_program_configs),
    ("php-fpm", load_php_fpm_services),
    ("Redis / Valkey", load_redis_services),
)


def build_host(tree: Tree, name: str, *, loose: bool = False, ram: int | None = None,
               ram_source: str = "", swap: int | None = None,
               db_flavors: dict[str, str] | None = None, live: LiveSource | None = None
               ) -> Host:
    host = Host(name=name, loose=loose, ram=ram, ram_source=ram_source, swap_override=swap,
                db_flavors=dict(db_flavors or {}))
    problems = Problems()
    reader = Reader(tree, host, problems)
    live_steps: tuple = ()
    if live is not None:  # oomlint audit; model/live.py (and /proc's parsers) only then
        from oomlint.model.live import load_live, load_live_memory

        live_steps = (("the running memory counters (/proc)", load_live_memory),
                      ("the running values (/proc, /sys, kernel log)", load_live))
    for what, step in live_steps[:1]:
        _live_step(what, step, host, live, problems)
    for what, step in STEPS:
        try:
            step(reader)
        except Exception as exc:  # a reader bug must not hide the rest of the host
            problems.items.append(internal_error(
                f"reading {what}", exc, "the rest of the host was still checked"))
    for what, step in live_steps[1:]:  # oomlint audit: running values beside configured ones
        _live_step(what, step, host, live, problems)
    for link in tree.loops:  # loops met only while looking up (directories, probes)
        if link not in tree.reported_loops:
            problems.add(LINK_LOOP, Loc(rel(link)), "symbolic link loop: too many levels of links")
    host.problems = [*problems.items, *host.problems]
    host.recognised = recognised(tree, host)
    if host.recognised.nothing and not any(f.rule == INTERNAL_ERROR for f in host.problems):
        host.problems.append(nothing_recognised(tree, loose))
    return host


def _live_step(what, step, host: Host, live: LiveSource, problems: Problems) -> None:
    try:
        step(host, live)
    except Exception as exc:  # the configuration is still checked
        problems.items.append(internal_error(f"reading {what}", exc,
                                             "the configuration was still checked"))


def recognised(tree: Tree, host: Host) -> Recognised:
    """What the steps found where the owning programs look: files that exist there (an
    empty sysctl.conf or an fstab without swap counts) and what was built from them."""
    return Recognised(
        units=sum(1 for u in host.units.values() if u.files or u.masked),
        manager_files=len(conf_files(tree, "system.conf")),
        sysctl_files=len(sysctl_files(tree)),
        swap_files=(tree.exists("/etc/fstab") + tree.exists("/etc/dphys-swapfile")
                    + len(conf_files(tree, "zram-generator.conf"))),
        swap_sources=len(host.swaps),
        databases=len(host.databases),
        jvms=len(host.jvms),
        php_fpm=len(host.php_fpm),
        redis=len(host.redis),
        unread=len({f.loc.path for f in host.problems if f.rule in NOT_READ_RULES}),
        live=host.live.files if host.live is not None else 0,
    )


def nothing_recognised(tree: Tree, loose: bool) -> Finding:
    """OOM008 at the host root: what was looked for, and why a directory may not be a root."""
    looked = ("no systemd unit, system.conf, sysctl.d file, fstab, zram or dphys-swapfile "
              "configuration, database, JVM, php-fpm or Redis configuration where its program reads it")
    what = "none of the files given is one oomlint reads" if loose else \
        "nothing oomlint reads was found"
    message = f"{what} ({looked}): no other rule ran"
    if not loose and not any(tree.lookup("/" + m.rstrip("/")).kind == "dir"
                             for m in ROOT_MARKERS):
        dirs = f"{', '.join(ROOT_MARKERS[:-1])} or {ROOT_MARKERS[-1]}"
        message += (f"; it has no {dirs}: give the root of a tree laid out like /, or the "
                    "configuration files themselves")
    return Finding(NOTHING_RECOGNISED, message, Loc(".", 0))
