"""OOM706 swap-running-differs. Published text: rules/OOM706.yaml."""

from __future__ import annotations

import posixpath

from oomlint.base.findings import Finding
from oomlint.base.provenance import Loc, Related
from oomlint.checks.oom7_live import live_of, size

RULE = "OOM706"


def _path(what: str) -> str | None:
    """A configured swap's path as /proc/swaps shows it; None for UUID=, LABEL= and the like
    (which device they name is not in the files)."""
    return posixpath.normpath(what) if what.startswith("/") else None


def check(ctx, opts):
    live = live_of(ctx)
    host = ctx.host
    if live is None or live.swaps is None or host.loose or host.swap_override is not None:
        return
    configured = [s for s in host.swaps if s.active]
    active = {posixpath.normpath(a.filename): a for a in live.swaps}
    unnamed = [s for s in configured if _path(s.what) is None]
    matched: set[str] = set()
    for s in configured:
        p = _path(s.what)
        if p is None:
            continue
        if p in active:
            matched.add(p)
            continue
        yield Finding(
            RULE, f"{s.what} is configured as swap but is not active now (not in /proc/swaps)"
            ": swapoff was run, or its activation failed at boot (journalctl -b -u "
            f"{s.unit or 'swap.target'})", s.loc or Loc(".", 0), subject=(s.unit or s.what,),
            related=(Related(live.swaps_loc, "active swap"),))
    left = [a for p, a in sorted(active.items()) if p not in matched]
    if len(left) <= len(unnamed):  # UUID=/LABEL= lines may name these: cannot tell
        return
    for a in left:
        yield Finding(
            RULE, f"{a.filename} is active swap ({size(a.size)}) but no configuration "
            "oomlint reads sets it up: it was enabled by hand (swapon) and is gone after the "
            "next reboot", a.loc, subject=(a.filename,))
