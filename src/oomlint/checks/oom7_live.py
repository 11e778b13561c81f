"""Helpers shared by the live checks (OOM701-OOM715): they read `Host.live` only."""

from __future__ import annotations

import posixpath

from oomlint.base.grammar.host import format_size
from oomlint.model.live import LiveCgroup, LiveHost


def live_of(ctx) -> LiveHost | None:
    live = ctx.host.live
    return live if isinstance(live, LiveHost) else None


def cgroup_name(cg: LiveCgroup) -> str:
    """How a cgroup is named in a message: its unit, else its path."""
    if cg.unit and posixpath.basename(cg.path) == cg.unit:
        return cg.unit
    return f"cgroup {cg.path}"


def children(live: LiveHost, cg: LiveCgroup) -> list[LiveCgroup]:
    return [c for c in live.cgroups.values()
            if c.path != cg.path and posixpath.dirname(c.path) == cg.path]


def pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.0f}%" if whole else "?"


size = format_size
