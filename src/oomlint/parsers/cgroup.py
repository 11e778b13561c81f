"""cgroup memory controller files (Documentation/admin-guide/cgroup-v2.rst "Memory";
Documentation/admin-guide/cgroup-v1/memory.rst for v1). Pure: text in, values out.

v2: memory.current, memory.peak, memory.swap.current (bytes), memory.max and memory.high
(bytes or ``max``), memory.events (``low high max oom oom_kill oom_group_kill``),
memory.pressure (PSI lines, parsers/proc.py). v1: memory.limit_in_bytes (a huge number
when unlimited), memory.usage_in_bytes, memory.max_usage_in_bytes, memory.failcnt,
memory.oom_control (``oom_kill_disable under_oom oom_kill``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oomlint.parsers.proc import Counters, Pressure, parse_keyed, parse_pressure

# v1 "unlimited" is PAGE_COUNTER_MAX pages, rounded down to the page size: 2^63 - 4096 on
# 64-bit with 4 KiB pages (9223372036854771712). Anything from 2^62 up is no limit.
V1_UNLIMITED = 1 << 62


@dataclass(frozen=True)
class Limit:
    """memory.max / memory.high / memory.limit_in_bytes: bytes, or None for no limit."""

    bytes: int | None
    line: int = 1

    @property
    def unlimited(self) -> bool:
        return self.bytes is None


def parse_limit(text: str) -> Limit | None:
    """``max`` or a byte count (v1's huge "unlimited" value counts as ``max``); None when
    the file holds something else."""
    t = text.strip()
    if t == "max":
        return Limit(None)
    if re.fullmatch(r"\d{1,20}", t):
        n = int(t)
        return Limit(None if n >= V1_UNLIMITED else n)
    return None


def parse_bytes(text: str) -> int | None:
    """memory.current, memory.peak, memory.swap.current, usage_in_bytes, failcnt."""
    t = text.strip()
    return int(t) if re.fullmatch(r"\d{1,20}", t) else None


def parse_events(text: str, path: str) -> Counters:
    """memory.events, memory.events.local or v1 memory.oom_control."""
    return parse_keyed(text, path)


def parse_memory_pressure(text: str, path: str) -> Pressure:
    return parse_pressure(text, path)


_UNIT = re.compile(r"\.(service|scope|slice|socket|mount|swap)$")


def unit_of_cgroup(path: str) -> str | None:
    """The systemd unit a cgroup path belongs to: its deepest component that is a unit name
    (``/system.slice/nginx.service`` -> nginx.service; ``/system.slice/x.service/sub`` ->
    x.service; ``/user.slice`` -> user.slice); None for the root and foreign paths."""
    for part in reversed([p for p in path.split("/") if p]):
        if _UNIT.search(part):
            return part
    return None
