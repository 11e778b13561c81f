"""A live host's running values, beside the configured ones (`Host.live`).

`load_live(host, source)` is the audit's loader step: it reads /proc, the cgroup memory
controller (v2 at /sys/fs/cgroup, else v1 at /sys/fs/cgroup/memory) and the kernel log
through a `LiveSource` (sources/live.py) and parses them (parsers/proc.py,
parsers/cgroup.py, parsers/kernel_oom.py) into a `LiveHost`. Every value keeps the `Loc`
of the live file and line it came from; a cgroup is tied to the systemd unit its path
names (``/system.slice/NAME.service``). What could not be read is kept in `unreadable`
(said once, OOM715) and the rest still loads.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from oomlint.base.oom import OomReport
from oomlint.base.provenance import Loc
from oomlint.parsers.cgroup import (
    Limit,
    parse_bytes,
    parse_events,
    parse_limit,
    parse_memory_pressure,
    unit_of_cgroup,
)
from oomlint.parsers.lines import iter_lines
from oomlint.parsers.proc import (
    ActiveSwap,
    Counters,
    Pressure,
    parse_cmdline,
    parse_comm,
    parse_int,
    parse_keyed,
    parse_meminfo,
    parse_pressure,
    parse_proc_cgroup,
    parse_swaps,
    sysctl_value,
)
from oomlint.sources.live import MAX_CGROUP_DEPTH, MAX_CGROUPS, LiveSource

CGROUP_ROOT = "/sys/fs/cgroup"
MAX_PROCESSES = 4000  # processes read; the rest are counted


@dataclass(frozen=True)
class Reading:
    """One value read from a live file: bytes (or a count) and where."""

    value: int
    loc: Loc


@dataclass
class LiveCgroup:
    """A cgroup's memory controller state. `path` is the cgroup path (``/system.slice/
    x.service``), `dir` the host path of its directory; limits None when the file is
    absent or unreadable, a `Limit` with bytes None for ``max``."""

    path: str
    dir: str
    version: int  # 2 | 1
    unit: str | None
    current: Reading | None = None
    peak: Reading | None = None
    swap_current: Reading | None = None
    max: Limit | None = None
    max_loc: Loc | None = None
    high: Limit | None = None
    high_loc: Loc | None = None
    events: Counters | None = None  # v2 memory.events; v1 memory.oom_control
    failcnt: Reading | None = None  # v1 memory.failcnt
    stat: Counters | None = None  # memory.stat (v2 anon/shmem/file, v1 rss/shmem/cache)
    pressure: Pressure | None = None


@dataclass
class LiveProcess:
    pid: int
    comm: str
    argv0: str  # the program only: arguments may hold secrets and are not kept
    rss: int | None  # bytes (VmRSS)
    swap: int | None  # bytes (VmSwap)
    oom_score: int | None
    oom_score_adj: int | None
    cgroup: str | None
    unit: str | None
    loc: Loc  # /proc/PID/oom_score


@dataclass
class LiveHost:
    """What the running kernel says (proc(5), cgroup-v2.rst, psi.rst)."""

    meminfo: Counters = field(default_factory=Counters)
    vmstat: Counters = field(default_factory=Counters)
    pressure: Pressure | None = None
    swaps: list[ActiveSwap] | None = None  # None: /proc/swaps not read
    swaps_loc: Loc = field(default_factory=lambda: Loc("/proc/swaps", 0))
    sysctl: dict[str, tuple[str, Loc]] = field(default_factory=dict)  # key -> running value
    cgroup_version: int | None = None  # 2, 1 or None (no memory controller found)
    cgroups: dict[str, LiveCgroup] = field(default_factory=dict)  # by cgroup path
    processes: list[LiveProcess] = field(default_factory=list)
    processes_skipped: int = 0
    kernel_log: str | None = None  # the log as shown
    oom_reports: list[OomReport] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # what -> why
    bad_lines: list[tuple[Loc, str]] = field(default_factory=list)  # lines not understood

    def meminfo_bytes(self, key: str) -> int | None:
        return self.meminfo.get(key)

    def sysctl_int(self, key: str) -> int | None:
        got = self.sysctl.get(key)
        return int(got[0]) if got is not None and got[0].lstrip("-").isdigit() else None

    def cgroup_of_unit(self, unit: str) -> LiveCgroup | None:
        for cg in self.cgroups.values():
            if cg.unit == unit and posixpath.basename(cg.path) == unit:
                return cg
        return None

    def resident(self, unit: str) -> tuple[int, Loc] | None:
        """What a unit holds in memory that only a kill frees, counted once: its cgroup's
        anonymous plus shared memory (memory.stat ``anon`` + ``shmem``; v1 ``rss`` +
        ``shmem``), else the RSS of its one process; None when neither is known (several
        processes' RSS would count shared pages more than once)."""
        cg = self.cgroup_of_unit(unit)
        if cg is not None and cg.stat is not None:
            anon = cg.stat.values.get("anon") or cg.stat.values.get("rss")
            if anon is not None:
                return anon.value + (cg.stat.get("shmem") or 0), anon.loc
        procs = [p for p in self.processes if p.unit == unit and p.rss is not None]
        if len(procs) == 1:
            return procs[0].rss, procs[0].loc
        return None

    @property
    def files(self) -> int:
        """How much was read: zero means nothing of the machine was seen."""
        return (len(self.meminfo.values) + len(self.vmstat.values) + len(self.sysctl)
                + len(self.cgroups) + len(self.processes) + (self.pressure is not None)
                + (self.swaps is not None) + (self.kernel_log is not None))


def _bad(live: LiveHost, path: str, bad) -> None:
    for line, text in bad[:5]:
        live.bad_lines.append((Loc(path, line), text[:80]))


def load_live_memory(host, source: LiveSource) -> LiveHost:
    """The first audit step, before the configuration is read: /proc/meminfo, vmstat,
    pressure and swaps into `host.live`, and RAM from MemTotal when none was given (so
    percentages and the budget use the machine's real RAM)."""
    live = LiveHost()
    host.live = live
    _memory(live, source, host)
    total = live.meminfo.get("MemTotal")
    if host.ram is None and total:
        host.ram = total
        host.ram_source = "/proc/meminfo MemTotal"
    return live


def load_live(host, source: LiveSource) -> LiveHost:
    """The last audit step: running sysctls of the keys configured, cgroups, processes
    and the kernel log's OOM reports."""
    live = host.live if isinstance(host.live, LiveHost) else load_live_memory(host, source)
    for step in (_sysctls, _cgroups, _processes, _kernel_log):
        step(live, source, host)
    live.unreadable = dict(source.unreadable)
    return live


def _memory(live: LiveHost, src: LiveSource, host) -> None:
    text = src.read_text("/proc/meminfo")
    if text is not None:
        live.meminfo = parse_meminfo(text, "/proc/meminfo")
        _bad(live, "/proc/meminfo", live.meminfo.bad)
    text = src.read_text("/proc/vmstat")
    if text is not None:
        live.vmstat = parse_keyed(text, "/proc/vmstat")
        _bad(live, "/proc/vmstat", live.vmstat.bad)
    text = src.read_text("/proc/pressure/memory")
    if text is not None:
        live.pressure = parse_pressure(text, "/proc/pressure/memory")
        _bad(live, "/proc/pressure/memory", live.pressure.bad)
    text = src.read_text("/proc/swaps")
    if text is not None:
        live.swaps, bad = parse_swaps(text, "/proc/swaps")
        _bad(live, "/proc/swaps", bad)


# Read whether configured or not: the kernel's running overcommit policy decides what
# /proc/meminfo's CommitLimit means (OOM709).
ALWAYS_READ = ("vm.overcommit_memory",)


def _sysctls(live: LiveHost, src: LiveSource, host) -> None:
    """The running value of every sysctl the configuration sets, and `ALWAYS_READ`."""
    for key in sorted({*host.sysctl, *ALWAYS_READ}):
        if any(c in key for c in "*?[") or ".." in key or key.startswith("."):
            continue
        path = "/proc/sys/" + key.replace(".", "/")
        text = src.read_text(path, quiet=key not in host.sysctl or not src.is_dir("/proc/sys"))
        if text is not None:
            live.sysctl[key] = (sysctl_value(text), Loc(path, 1))


def _cgroups(live: LiveHost, src: LiveSource, host) -> None:
    if src.exists(CGROUP_ROOT + "/cgroup.controllers"):
        live.cgroup_version, base = 2, CGROUP_ROOT
    elif src.is_dir(CGROUP_ROOT + "/memory"):
        live.cgroup_version, base = 1, CGROUP_ROOT + "/memory"
    else:
        src.note(CGROUP_ROOT, "no cgroup memory controller (neither v2 nor v1) found")
        return
    queue = [("/", 0)]
    while queue and len(live.cgroups) < MAX_CGROUPS:
        cg_path, depth = queue.pop(0)
        d = base if cg_path == "/" else base + cg_path
        cg = _cgroup(src, cg_path, d, live.cgroup_version)
        if cg is not None:
            live.cgroups[cg_path] = cg
        if depth < MAX_CGROUP_DEPTH:
            for name in src.listdir(d):
                if src.is_dir(f"{d}/{name}"):
                    queue.append((posixpath.join(cg_path, name), depth + 1))


def _reading(src: LiveSource, path: str) -> Reading | None:
    text = src.read_text(path, quiet=True)
    n = parse_bytes(text) if text is not None else None
    return Reading(n, Loc(path, 1)) if n is not None else None


def _limit(src: LiveSource, path: str) -> Limit | None:
    text = src.read_text(path, quiet=True)
    return parse_limit(text) if text is not None else None


def _cgroup(src: LiveSource, cg_path: str, d: str, version: int) -> LiveCgroup | None:
    cg = LiveCgroup(cg_path, d, version, unit_of_cgroup(cg_path))
    if version == 2:
        cg.current = _reading(src, d + "/memory.current")
        if cg.current is None and cg_path != "/":
            return None  # no memory controller here
        cg.peak = _reading(src, d + "/memory.peak")
        cg.swap_current = _reading(src, d + "/memory.swap.current")
        cg.max, cg.max_loc = _limit(src, d + "/memory.max"), Loc(d + "/memory.max", 1)
        cg.high, cg.high_loc = _limit(src, d + "/memory.high"), Loc(d + "/memory.high", 1)
        cg.events = _parsed(src, d + "/memory.events", parse_events, cg.events)
        cg.pressure = _parsed(src, d + "/memory.pressure", parse_memory_pressure, cg.pressure)
    else:
        cg.current = _reading(src, d + "/memory.usage_in_bytes")
        if cg.current is None:
            return None
        cg.peak = _reading(src, d + "/memory.max_usage_in_bytes")
        cg.max = _limit(src, d + "/memory.limit_in_bytes")
        cg.max_loc = Loc(d + "/memory.limit_in_bytes", 1)
        cg.failcnt = _reading(src, d + "/memory.failcnt")
        cg.events = _parsed(src, d + "/memory.oom_control", parse_events, cg.events)
    if cg.unit is not None and posixpath.basename(cg_path) == cg.unit:
        cg.stat = _parsed(src, d + "/memory.stat", parse_keyed, cg.stat)
    return cg


def _parsed(src: LiveSource, path: str, parse, default):
    """`parse(text, path)` of a cgroup file, or `default` when it cannot be read."""
    text = src.read_text(path, quiet=True)
    return default if text is None else parse(text, path)


def _processes(live: LiveHost, src: LiveSource, host) -> None:
    pids = sorted(int(n) for n in src.listdir("/proc") if n.isdigit() and len(n) < 12)
    if not pids:
        if src.is_dir("/proc"):
            src.note("/proc/PID", "no process directories found")
        return
    live.processes_skipped = max(0, len(pids) - MAX_PROCESSES)
    for pid in pids[:MAX_PROCESSES]:
        p = _process(src, pid)
        if p is not None:
            live.processes.append(p)


def _process(src: LiveSource, pid: int) -> LiveProcess | None:
    d = f"/proc/{pid}"
    score_text = src.read_text(d + "/oom_score", quiet=True)
    if score_text is None:  # exited, or a kernel thread hidden from us
        return None
    status = src.read_text(d + "/status", quiet=True) or ""
    st = parse_meminfo(status, d + "/status")
    if "VmRSS" not in st.values:
        return None  # a kernel thread: the OOM killer never picks it
    adj = src.read_text(d + "/oom_score_adj", quiet=True)
    cg_text = src.read_text(d + "/cgroup", quiet=True) or ""
    cgs = parse_proc_cgroup(cg_text)
    cg = cgs.unified if cgs.unified not in (None, "/") or cgs.memory_v1 is None else cgs.memory_v1
    comm = parse_comm(src.read_text(d + "/comm", quiet=True) or "")
    raw = src.read_bytes(d + "/cmdline", quiet=True) or b""
    argv = parse_cmdline(raw[:4096])
    argv0 = posixpath.basename(argv[0])[:64] if argv else ""
    return LiveProcess(pid, comm, argv0, st.get("VmRSS"), st.get("VmSwap"),
                       parse_int(score_text), parse_int(adj) if adj is not None else None,
                       cg, unit_of_cgroup(cg) if cg else None, Loc(d + "/oom_score", 1))


def _kernel_log(live: LiveHost, src: LiveSource, host) -> None:
    log = src.read_kernel_log()
    if log is None:
        return
    live.kernel_log = log.shown
    from oomlint.parsers.kernel_oom import parse_oom_log  # only when a log is read

    parsed = parse_oom_log(iter_lines(log.text), log.shown, start=log.first_line)
    live.oom_reports = list(parsed.reports)


def kill_list(live: LiveHost, n: int = 10) -> list[LiveProcess]:
    """The processes in the order the OOM killer would pick them now: highest
    /proc/PID/oom_score first (the kernel's badness, scaled to 0-2000; Documentation/
    filesystems/proc.rst), oom_score_adj -1000 excluded (never killed); ties by RSS."""
    eligible = [p for p in live.processes if p.oom_score is not None
                and p.oom_score_adj != -1000 and p.pid != 1]
    return sorted(eligible, key=lambda p: (-(p.oom_score or 0), -(p.rss or 0), p.pid))[:n]


def kill_rows(live: LiveHost, n: int = 10) -> list[dict]:
    """`kill_list` as plain rows for the formatters (which never see the model)."""
    return [{"pid": p.pid, "comm": p.comm, "program": p.argv0, "unit": p.unit,
             "cgroup": p.cgroup, "oom_score": p.oom_score, "oom_score_adj": p.oom_score_adj,
             "rss": p.rss, "swap": p.swap} for p in kill_list(live, n)]


def running_swap(host) -> Reading | None:
    """/proc/meminfo SwapTotal when the configuration gives no swap figure (no swap area
    configured, or an area of unknown size, and no --swap): the kernel's own total_swap_pages,
    which its OOM killer counts in totalpages (mm/oom_kill.c `constrained_alloc`). Unlike RAM
    it is not written into the host: OOM301 (no swap configured) and OOM706 (configured vs
    active) judge the configuration, and a running figure in `swap_override` would silence
    them. The audit uses it for its kill order and shows it beside the configured one."""
    live = host.live
    if not isinstance(live, LiveHost) or host.swap_override is not None:
        return None
    if host.swaps and host.swap_bytes is not None:
        return None  # the configuration sizes its swap: that figure is kept
    return live.meminfo.values.get("SwapTotal")


def memory_rows(host) -> dict | None:
    """The running memory figures (/proc/meminfo) beside the configured ones, as plain data
    for the formatters: RAM, swap, CommitLimit and Committed_AS."""
    live = host.live
    if not isinstance(live, LiveHost) or not live.meminfo.values:
        return None
    v = live.meminfo.values

    def get(key):
        r = v.get(key)
        return r.value if r is not None else None

    run = running_swap(host)
    return {"ram_bytes": host.ram, "ram_source": host.ram_source or None,
            "mem_total_bytes": get("MemTotal"),
            "swap_configured": host.swap_configured,
            "swap_configured_bytes": host.swap_bytes if host.swaps or host.swap_override
            is not None else None,
            "swap_total_bytes": get("SwapTotal"), "swap_free_bytes": get("SwapFree"),
            "swap_used_by_audit": run.value if run is not None else None,
            "commit_limit_bytes": get("CommitLimit"), "committed_as_bytes": get("Committed_AS"),
            "overcommit_memory": live.sysctl_int("vm.overcommit_memory")}
