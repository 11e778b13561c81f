"""Build a `Host` from a `Tree`: the ordered loader steps, and the boundary that turns a
failing step into OOM099 while the rest of the host still loads.

Each step reads files the way their owning program reads them (model/systemd_units.py,
model/sysctl.py, model/swap.py, model/services.py) and resolves precedence once; every
effective value is a `Setting` carrying its line and the assignments it overrode. Later
steps may read what earlier ones built (swap reads `.swap` units, services read units).
"""

from __future__ import annotations

from oomlint.base.findings import Problems, internal_error
from oomlint.base.ids import LINK_LOOP
from oomlint.base.provenance import Loc
from oomlint.model.host import Host
from oomlint.model.reader import Reader
from oomlint.model.services import load_databases, load_jvms
from oomlint.model.swap import load_swap
from oomlint.model.sysctl import load_sysctl
from oomlint.model.systemd_exec import load_exec
from oomlint.model.systemd_manager import load_manager
from oomlint.model.systemd_units import load_units
from oomlint.sources.tree import Tree, rel

STEPS = (
    ("systemd units", load_units),
    ("service environments", load_exec),
    ("system.conf", load_manager),
    ("sysctl", load_sysctl),
    ("swap", load_swap),
    ("databases", load_databases),
    ("JVM services", load_jvms),
)


def build_host(tree: Tree, name: str, *, loose: bool = False, ram: int | None = None,
               ram_source: str = "", swap: int | None = None,
               db_flavors: dict[str, str] | None = None) -> Host:
    host = Host(name=name, loose=loose, ram=ram, ram_source=ram_source, swap_override=swap,
                db_flavors=dict(db_flavors or {}))
    problems = Problems()
    reader = Reader(tree, host, problems)
    for what, step in STEPS:
        try:
            step(reader)
        except Exception as exc:  # a reader bug must not hide the rest of the host
            problems.items.append(internal_error(
                f"reading {what}", exc, "the rest of the host was still checked"))
    for link in tree.loops:  # loops met only while looking up (directories, probes)
        if link not in tree.reported_loops:
            problems.add(LINK_LOOP, Loc(rel(link)), "symbolic link loop: too many levels of links")
    host.problems = [*problems.items, *host.problems]
    return host
