"""/proc files (proc(5), Documentation/filesystems/proc.rst, Documentation/accounting/psi.rst).

Pure: text in, records out, each value with the `Loc` of its line. A line that cannot be
read as the kernel writes it is kept in `bad` (line, text) and skipped; nothing raises.
Sizes the kernel writes in kB are returned in bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oomlint.base.provenance import Loc

KIB = 1024


@dataclass(frozen=True)
class Value:
    """A number read from a live file, with its line."""

    value: int
    loc: Loc


@dataclass
class Counters:
    """``key value`` lines (/proc/vmstat, memory.events, memory.stat) or ``Key: N kB`` lines
    (/proc/meminfo, /proc/PID/status), sizes in bytes."""

    values: dict[str, Value] = field(default_factory=dict)
    bad: list[tuple[int, str]] = field(default_factory=list)

    def get(self, key: str) -> int | None:
        v = self.values.get(key)
        return v.value if v is not None else None


_MEMINFO = re.compile(r"^([A-Za-z0-9_()]+):\s+(\d{1,20})(?:\s+(kB))?\s*$")


def parse_meminfo(text: str, path: str) -> Counters:
    """/proc/meminfo and the ``Key: N kB`` lines of /proc/PID/status (VmRSS, VmSwap):
    ``kB`` values in bytes, bare values (HugePages_Total) as counts. Other status lines
    (``Name:\\tbash``) are not numbers and are skipped silently."""
    out = Counters()
    for n, line in enumerate(text.splitlines(), start=1):
        m = _MEMINFO.match(line)
        if m is None:
            if line.strip() and path.endswith("meminfo"):
                out.bad.append((n, line))
            continue
        value = int(m.group(2)) * (KIB if m.group(3) else 1)
        out.values.setdefault(m.group(1), Value(value, Loc(path, n)))
    return out


_KEYED = re.compile(r"^([a-z0-9_]+)\s+(-?\d{1,20})\s*$")


def parse_keyed(text: str, path: str) -> Counters:
    """``key value`` lines: /proc/vmstat, and cgroup memory.events, memory.stat,
    memory.oom_control."""
    out = Counters()
    for n, line in enumerate(text.splitlines(), start=1):
        m = _KEYED.match(line)
        if m is None:
            if line.strip():
                out.bad.append((n, line))
            continue
        out.values.setdefault(m.group(1), Value(int(m.group(2)), Loc(path, n)))
    return out


@dataclass(frozen=True)
class PsiLine:
    """One line of a PSI file: the share of time (percent) some or all tasks stalled on
    memory over the last 10, 60 and 300 seconds, and the total stall time (µs)."""

    kind: str  # "some" | "full"
    avg10: float
    avg60: float
    avg300: float
    total: int
    loc: Loc

    def avg(self, window: int) -> float:
        return {10: self.avg10, 60: self.avg60, 300: self.avg300}[window]


@dataclass
class Pressure:
    """/proc/pressure/memory or a cgroup's memory.pressure (Documentation/accounting/psi.rst)."""

    lines: dict[str, PsiLine] = field(default_factory=dict)
    bad: list[tuple[int, str]] = field(default_factory=list)


_PSI = re.compile(r"^(some|full) avg10=(\d{1,3}\.\d{1,2}) avg60=(\d{1,3}\.\d{1,2}) "
                  r"avg300=(\d{1,3}\.\d{1,2}) total=(\d{1,20})\s*$")


def parse_pressure(text: str, path: str) -> Pressure:
    out = Pressure()
    for n, line in enumerate(text.splitlines(), start=1):
        m = _PSI.match(line)
        if m is None:
            if line.strip():
                out.bad.append((n, line))
            continue
        kind = m.group(1)
        out.lines.setdefault(kind, PsiLine(kind, float(m.group(2)), float(m.group(3)),
                                           float(m.group(4)), int(m.group(5)), Loc(path, n)))
    return out


@dataclass(frozen=True)
class ActiveSwap:
    """One line of /proc/swaps: an active swap area (mm/swapfile.c ``swap_show``)."""

    filename: str  # octal escapes (\\040) undone
    type: str  # "partition" | "file"
    size: int  # bytes
    used: int  # bytes
    priority: int
    loc: Loc


_OCTAL = re.compile(r"\\([0-7]{3})")


def _unescape(text: str) -> str:
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), text)


def parse_swaps(text: str, path: str) -> tuple[list[ActiveSwap], list[tuple[int, str]]]:
    """The active swap areas of /proc/swaps (header line skipped), and lines not read."""
    swaps: list[ActiveSwap] = []
    bad: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or (n == 1 and words[0] == "Filename"):
            continue
        if len(words) != 5 or not all(re.fullmatch(r"-?\d{1,20}", w) for w in words[2:]):
            bad.append((n, line))
            continue
        swaps.append(ActiveSwap(_unescape(words[0]), words[1], int(words[2]) * KIB,
                                int(words[3]) * KIB, int(words[4]), Loc(path, n)))
    return swaps, bad


def sysctl_value(text: str) -> str:
    """A /proc/sys value as sysctl(8) compares it: words separated by one space."""
    return " ".join(text.split())


def parse_int(text: str) -> int | None:
    """A file holding one integer (oom_score, oom_score_adj); None when it is not one."""
    t = text.strip()
    return int(t) if re.fullmatch(r"-?\d{1,20}", t) else None


@dataclass(frozen=True)
class ProcCgroups:
    """/proc/PID/cgroup: the cgroup v2 path (``0::/system.slice/x.service``) and the v1
    memory controller's path (``4:memory:/...``), each None when absent."""

    unified: str | None
    memory_v1: str | None


def parse_proc_cgroup(text: str) -> ProcCgroups:
    unified = memory = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hid, controllers, cg = parts
        if hid == "0" and controllers == "":
            unified = cg
        elif "memory" in controllers.split(","):
            memory = cg
    return ProcCgroups(unified, memory)


def parse_cmdline(data: bytes) -> list[str]:
    """/proc/PID/cmdline: the NUL-separated argument vector."""
    words = data.split(b"\0")
    if data.endswith(b"\0"):
        words.pop()
    return [w.decode("utf-8", "replace") for w in words] if data else []


def parse_comm(text: str) -> str:
    return text.rstrip("\n")[:64]
