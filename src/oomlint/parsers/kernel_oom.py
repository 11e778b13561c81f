"""Kernel OOM reports in a log: every report, whatever the line prefix, kernel 2.6 to 6.x.

`parse_oom_log(lines, path)` is pure: text lines in, `OomLog` (base/oom.py) out. It never
raises and its memory is bounded: a line is read up to `MAX_LINE` characters, a report
keeps at most `MAX_TASK_ROWS` task rows and spans at most `MAX_REPORT_LINES` lines, and an
input keeps at most `MAX_REPORTS` reports (the rest are counted).

Prefixes are matched, not positions (reference: the format variants collected from real
logs): none, printk ``[ 123.456]`` (and a ``[ T123]`` caller id), ``dmesg -T``
``[Mon Jan  1 00:00:00 2024]`` (any day and month names), syslog / kern.log and journalctl
``Mon DD HH:MM:SS host kernel:``, ``-o short-iso`` and RFC 3339 ``2024-05-01T10:11:12+00:00
host kernel:``, a bare ``kernel:``, printk levels ``<6>``, a VMware ``Guest:`` relay, and
leading indentation. A line of another program in a syslog file (``host systemd[1]:``,
a user-space ``logger`` line tagged ``kernel[123]:``) is not the kernel's and is skipped.
Lines whose prefix names a host are kept apart by host, so reports of several hosts
interleaved in one file are each read whole; a line with no prefix (the kernel's
continuation lines) belongs to the stream of the line before it.

Where reports begin and end (mm/oom_kill.c prints them in this order: ``dump_header`` with
the trigger line, the CPU/PID line and stack, Mem-Info or the memcg block, the task table,
the ``oom-kill:`` summary, then the kill line):
- ``invoked oom-killer`` starts a report;
- a summary, kill or "no killable processes" line with no report open, or after the open
  one already has its kill, starts a new (partial) one, and so do a task table, a memcg block
  or a ``Mem-Info:`` dump after a kill; a ``Mem-Info:`` dump with nothing open starts a report
  only once a table, summary or kill line follows (a "page allocation failure" warning prints
  one too, and is not an OOM report);
- printk time going backwards (a new boot in a concatenated log) ends the open report;
- ``oom_reaper: reaped process`` for the victim, ``memory.oom.group`` kills and a panic line
  belong to the report they follow; an ``oom_reaper`` line for another pid is no report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from oomlint.base.grammar import gfp
from oomlint.base.oom import MemcgUsage, OomLog, OomReport, Task, Trigger, Victim, Zone

MAX_LINE = 4096  # characters of a line read; a printk line is at most 1024 bytes
MAX_REPORTS = 1000  # reports kept per input
MAX_REPORT_LINES = 200_000  # lines one report may span
MAX_TASK_ROWS = 100_000  # task rows kept per report (largest and victim are tracked past it)
MAX_OPEN_ROWS = 200_000  # task rows kept by all open reports together (interleaved hosts)
MAX_GAP = 300  # unrecognised lines after which an open report without its kill line ends
MAX_HOSTS = 1000  # separate host streams tracked at once
MAX_ZONES = 64  # zone lines kept per report (a NUMA box has a few per node)

_INT = r"-?\d{1,19}(?!\d)"
_NUM = r"\d{1,19}(?!\d)"

# ---- prefixes ----------------------------------------------------------------------------

_ISO = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d(?::?\d\d)?)?"
_BSD = r"[^\W\d_]{3,4}\.? {1,2}\d{1,2} \d\d:\d\d:\d\d(?:\.\d{1,9})?"
_FULL = r"[^\W\d_]{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})? [A-Za-z0-9+:-]{1,8}"
_SYSLOG = re.compile(
    rf"(?:<\d{{1,3}}>)?(?:{_FULL}|{_ISO}|{_BSD}) (?P<host>\S{{1,255}}) "
    r"(?P<tag>[A-Za-z_][\w.@/()-]{0,63}?)(?P<pid>\[\d{1,10}\])?: ?")
_ISO_ONLY = re.compile(rf"{_ISO}\s+")
_RELAY = re.compile(r"In\(\d+\) \S+ - Guest: ")
_KERNEL_TAG = re.compile(r"kernel: ?")
_HOST_KERNEL = re.compile(r"(\S{1,255}) kernel: ")  # journalctl -o short-monotonic
_LEVEL = re.compile(r"<\d{1,3}>")
_PRINTK = re.compile(r"\[ *(\d{1,12})\.(\d{1,9})\] ?")
_CALLER = re.compile(r"\[ *[TC]\d{1,10}\] ?")
_DMESG_T = re.compile(r"\[[^\W\d_]{2,4}\.? [^\W\d_]{3,5}\.? {1,2}\d{1,2} \d\d:\d\d:\d\d \d{4}\] ?")


def _strip(raw: str) -> tuple[str, str | None, bool, float | None, bool]:
    """(content, host, is_kernel, printk time, had a prefix)."""
    s = raw.replace("\0", "").strip()
    host = None
    prefixed = False
    m = _SYSLOG.match(s)
    if m:
        if m.group("tag") != "kernel" or m.group("pid"):
            # another program's line (a `logger` line tagged kernel[123] included)
            return "", m.group("host"), False, None, True
        host = m.group("host")
        s = s[m.end():]
        prefixed = True
    else:
        m = _ISO_ONLY.match(s)
        if m:
            s = s[m.end():]
            prefixed = True
            r = _RELAY.match(s)
            if r:
                s = s[r.end():]
    ts = None
    for _ in range(4):
        m = _KERNEL_TAG.match(s) or _LEVEL.match(s) or _CALLER.match(s) or _DMESG_T.match(s)
        if m:
            s = s[m.end():]
            prefixed = True
            continue
        m = _PRINTK.match(s)
        if m:
            ts = int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2))
            s = s[m.end():]
            prefixed = True
            h = _HOST_KERNEL.match(s) if host is None else None
            if h:
                host = h.group(1)
                s = s[h.end():]
            continue
        break
    return s.strip(), host, True, ts, prefixed


# ---- line kinds --------------------------------------------------------------------------

_TRIGGER = re.compile(r"(?P<comm>.{0,64}?) invoked oom-killer: (?P<rest>.*)")
_GFP = re.compile(r"gfp_mask=(0x[0-9a-fA-F]{1,16})(?![0-9a-fA-F])(?:\(([^)]{0,512})\))?")
_ORDER = re.compile(rf"\border=({_INT})")
_ADJ = re.compile(rf"\boom_score_adj=({_INT})")
_OLD_ADJ = re.compile(rf"\boom_adj=({_INT})")
_CPU = re.compile(rf"CPU: {_NUM} (?:UID: {_NUM} )?PID: ({_NUM}) Comm: (.{{1,64}}?) "
                  r"(?:Not tainted|Tainted:|Kdump:)")
_PID26 = re.compile(rf"Pid: ({_NUM}), comm: (.{{1,64}}?) (?:Not tainted|Tainted:)")
_VERSION = re.compile(r"\s(\d{1,2}\.\d{1,3}(?:\.\d{1,4})?[\w.+~-]{0,80}) +\S{0,80}#\d")
_SUMMARY = re.compile(r"oom-kill:(.*)")
_CHOSEN = re.compile(rf"(?:(Out of memory|Memory cgroup out of memory)(?: \([^)]{{0,64}}\))?: )?"
                     rf"[Kk]ill process ({_NUM}) \((.{{0,64}})\),? score ({_INT}) or "
                     r"(?:sacrifice|a) child")
_KILLED = re.compile(rf"(?:(Out of memory|Memory cgroup out of memory)( \([^)]{{0,64}}\))?: )?"
                     rf"Killed process ({_NUM})(?:, UID ({_NUM}),)? \((.{{0,64}})\)"
                     rf"(?:, UID ({_NUM}),)?(?: total-vm:({_NUM})kB)?(.*)")
_RSS = {k: re.compile(rf"\b{k}:({_NUM})kB") for k in ("anon-rss", "file-rss", "shmem-rss")}
_UID_TAIL = re.compile(rf"\bUID:({_NUM})")
_NO_KILLABLE = re.compile(r"Out of memory and no killable processes")
_PANIC = re.compile(r"Kernel panic - not syncing: (?:.{0,40}[Oo]ut of memory|System is deadlocked on "
                    r"memory)")
_REAPER = re.compile(rf"oom_reaper: reaped process ({_NUM}) ")
_GROUP = re.compile(r"Tasks in (\S{1,1024}) are going to be killed due to memory\.oom\.group")
_TASK_IN = re.compile(r"Task in (\S{1,1024}) killed as a result of limit of (\S{1,1024})")
_MEMCG_USAGE = re.compile(rf"memory: usage ({_NUM})kB, limit ({_NUM})kB(?:, failcnt ({_NUM}))?")
_MEMCG_SWAP = re.compile(rf"(?:swap|memory\+swap): usage ({_NUM})kB, limit ({_NUM})kB")
_MEMCG_STATS = re.compile(r"Memory cgroup stats for (\S{0,1024}?):")
_MEMINFO = re.compile(r"Mem-Info:")
_COUNTER = re.compile(rf"\b([a-z_]{{2,32}}):({_NUM})(?![\w.])")
_ZONE = re.compile(rf"(?:Node ({_NUM}) )?([A-Za-z0-9]{{2,16}}) free:({_NUM})kB "
                   rf"(?:boost:{_NUM}kB )?min:({_NUM})kB low:({_NUM})kB high:({_NUM})kB")
_BUDDY = re.compile(rf"(?:Node ({_NUM}) )?([A-Za-z0-9]{{2,16}}): "
                    rf"((?:{_NUM}\*{_NUM}kB(?: \([A-Z]{{1,8}}\))? ?){{2,16}})")
_BLOCK = re.compile(rf"({_NUM})\*({_NUM})kB")
_FREE_SWAP = re.compile(rf"Free swap\s*=\s*({_INT})kB")
_TOTAL_SWAP = re.compile(rf"Total swap\s*=\s*({_NUM})kB")
_TABLE_HEAD = re.compile(r"\[\s*pid\s*\]\s+(uid\s+tgid\s+total_vm\s+rss\s.*?)\s+name\s*$")
_ROW = re.compile(rf"\[\s*({_NUM})\]\s+(.*)")
_TASKS_STATE = re.compile(r"Tasks state \(memory values in pages\):")
_ALLOC_WARN = re.compile(r"(?:page allocation failure|vmalloc(?:\(\))?: allocation failure|"
                         r"page allocation stalls)")
_MEMCG_FRAME = re.compile(r"\b(mem_cgroup_out_of_memory|try_charge(?:_memcg)?|"
                          r"mem_cgroup_oom_synchronize|memory_max_write|mem_cgroup_oom)\b")
_SYSRQ = re.compile(r"\bmoom_callback\b")
_RECOGNISED = re.compile(
    r"(?:\+0x[0-9a-f]{1,16}/0x[0-9a-f]{1,16}|^\[<[0-9a-f]{4,}>\]|^Call [Tt]race|^</?TASK>|"
    r"^Hardware name:|^Workqueue:|^[A-Z][A-Z0-9]{1,3}: [0-9a-f]|^Code:|^Node \d|^\d+ pages|"
    r"^(?:DMA|DMA32|Normal|HighMem|Movable)\b|per-cpu:|^CPU +\d+: hi:|^lowmem_reserve|"
    r"^[A-Za-z_]+ [0-9a-f]{1,20}$|^[a-z_]+:\d|^Swap cache|^Free swap|^Total swap|^\d+ total|"
    r"^Memory cgroup|^memory|^swap:|^kmem:|^Tasks|^\[|mems_allowed=|^active_anon|cpuset=)")

# Any line that can start or extend a closed report holds one of these: lines that hold none
# are skipped without trying each line kind (most of a log is not OOM reports).
_START = re.compile(r"invoked oom-killer|oom-kill:|ill(?:ed)? process|no killable|Kernel panic|"
                    r"oom_reaper|Mem-Info:|allocation (?:failure|stalls)|Tasks state|^\[|"
                    r"Task in |memory: usage|oom\.group")
_TABLE_COLS = ("uid", "tgid", "total_vm", "rss", "rss_anon", "rss_file", "rss_shmem",
               "nr_ptes", "nr_pmds", "nr_puds", "pgtables_bytes", "swapents", "oom_score_adj")
_MEMINFO_KEYS = {"active_anon", "inactive_anon", "isolated_anon", "active_file",
                 "inactive_file", "isolated_file", "unevictable", "dirty", "writeback",
                 "slab_reclaimable", "slab_unreclaimable", "mapped", "shmem", "pagetables",
                 "bounce", "free", "free_pcp", "free_cma", "kernel_misc_reclaimable",
                 "sec_pagetables", "unstable"}


def _i(text: str | None) -> int | None:
    return int(text) if text is not None else None


def _kernel_tuple(version: str | None) -> tuple[int, int] | None:
    m = re.match(r"(\d+)\.(\d+)", version or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


@dataclass
class _Builder:
    path: str
    line: int
    host: str | None
    end: int = 0
    tentative: bool = False
    gap: int = 0
    trigger: dict | None = None
    cpu_pid: int | None = None
    cpu_comm: str | None = None
    kernel: str | None = None
    summary: dict | None = None
    chosen: tuple[int, str, int, int] | None = None
    victim: dict | None = None
    verdict_scope: str | None = None
    allocating: bool = False
    no_killable: bool = False
    panic: bool = False
    sysrq: bool = False
    group: bool = False
    extra_kills: int = 0
    reaped: bool = False
    task_in: tuple[str, str] | None = None
    memcg: dict | None = None
    memcg_stats: str | None = None
    memcg_frame: bool = False
    meminfo: dict = field(default_factory=dict)
    in_meminfo: bool = False
    zones: list = field(default_factory=list)
    buddy: list = field(default_factory=list)
    swap_free: int | None = None
    swap_total: int | None = None
    columns: tuple[str, ...] | None = None
    tasks: int = 0
    rows: dict = field(default_factory=dict)
    largest: Task | None = None
    truncated: bool = False

    @property
    def killed(self) -> bool:
        return self.victim is not None or self.no_killable

    def mark(self, n: int) -> None:
        self.end = n
        self.gap = 0

    # -- finish ------------------------------------------------------------------------

    def build(self) -> OomReport:
        kind, evidence, cgroup = self._kind()
        trigger = self._trigger()
        victim = self._victim()
        page_kb = self._page_kb()
        return OomReport(
            path=self.path, line=self.line, end_line=max(self.end, self.line), host=self.host,
            kind=kind, kind_evidence=evidence, cgroup=cgroup,
            task_memcg=(self.summary or {}).get("task_memcg"),
            constraint=(self.summary or {}).get("constraint"), kernel=self.kernel,
            trigger=trigger, victim=victim, largest=self.largest, tasks=self.tasks,
            task_columns=self.columns, page_kb=page_kb,
            meminfo=tuple(sorted(self.meminfo.items())), zones=tuple(self.zones),
            swap_free_kb=self.swap_free, swap_total_kb=self.swap_total,
            memcg=MemcgUsage(**self.memcg) if self.memcg else None,
            no_killable=self.no_killable, panic=self.panic,
            sysrq=self.sysrq or (trigger is not None and trigger.order == -1),
            group_kill=self.group, extra_kills=self.extra_kills, reaped=self.reaped,
            allocating_task=self.allocating, truncated=self.truncated, buddy=tuple(self.buddy),
        )

    def _kind(self) -> tuple[str, str | None, str | None]:
        s = self.summary or {}
        limit_of = self.task_in[1] if self.task_in else None
        if s.get("oom_memcg"):
            return "cgroup", "oom-kill: oom_memcg=", s["oom_memcg"]
        if s.get("global_oom"):
            return "global", "oom-kill: global_oom", None
        if s.get("constraint") == "CONSTRAINT_MEMCG":
            return "cgroup", "oom-kill: constraint=CONSTRAINT_MEMCG", limit_of or self.memcg_stats
        if self.verdict_scope == "cgroup":
            return "cgroup", "Memory cgroup out of memory", limit_of or self.memcg_stats
        if limit_of is not None and limit_of != "/":
            return "cgroup", "Task in ... killed as a result of limit of", limit_of
        if self.memcg is not None:
            return "cgroup", "memory: usage ... limit", self.memcg_stats
        if self.memcg_frame:
            return "cgroup", "memcg stack frame", None
        if self.verdict_scope == "global":
            return "global", "Out of memory", None
        if s.get("constraint"):
            return "global", f"oom-kill: constraint={s['constraint']}", None
        if self.meminfo or self.zones:
            return "global", "Mem-Info", None
        return "unknown", None, None

    def _trigger(self) -> Trigger | None:
        t = self.trigger
        if t is None:
            return None
        flags = None
        decoded = False
        if t["flags"] is not None:
            flags = gfp.split_printed(t["flags"])
        elif t["gfp"] is not None:
            names = gfp.decode(int(t["gfp"], 16), gfp.era_of(_kernel_tuple(self.kernel)))
            if names:
                flags, decoded = names, True
        pid = self.cpu_pid if self.cpu_comm is not None and self.cpu_comm[:15] == t["comm"][:15] \
            else None
        return Trigger(name=t["comm"], line=t["line"], pid=pid, gfp_mask=t["gfp"],
                       gfp_flags=flags, gfp_flags_decoded=decoded, order=t["order"],
                       oom_score_adj=t["adj"], oom_adj=t["oom_adj"])

    def _victim(self) -> Victim | None:
        v = self.victim
        chosen = self.chosen
        if v is None:
            s = self.summary or {}
            if s.get("pid") is not None:
                return Victim(pid=s["pid"], name=s.get("task"), line=s["line"], source="summary")
            if chosen is not None:
                return Victim(pid=None, name=None, line=chosen[3], chosen_pid=chosen[0],
                              chosen_name=chosen[1], score=chosen[2], source="chosen")
            return None
        adj, source = v.get("adj"), "verdict" if v.get("adj") is not None else None
        if adj is None and v["pid"] in self.rows:
            adj, source = self.rows[v["pid"]].oom_score_adj, "table"
        return Victim(
            pid=v["pid"], name=v["name"], line=v["line"], anon_rss_kb=v.get("anon"),
            file_rss_kb=v.get("file"), shmem_rss_kb=v.get("shmem"), total_vm_kb=v["total_vm"],
            uid=v.get("uid"), oom_score_adj=adj, adj_source=source,
            chosen_pid=chosen[0] if chosen and chosen[0] != v["pid"] else None,
            chosen_name=chosen[1] if chosen and chosen[0] != v["pid"] else None,
            score=chosen[2] if chosen else None)

    def _page_kb(self) -> int:
        """4 kB, unless the victim's table row against its kill line says otherwise (sparc64
        8 kB, arm64/ppc64 16 or 64 kB pages)."""
        v = self.victim
        if not v or v["pid"] not in self.rows or v.get("anon") is None:
            return 4
        rss = self.rows[v["pid"]].rss
        total = (v.get("anon") or 0) + (v.get("file") or 0) + (v.get("shmem") or 0)
        if rss <= 16 or total <= 0:
            return 4
        ratio = total / rss
        for size in (4, 8, 16, 64):
            if 0.8 * size <= ratio <= 1.25 * size:
                return size
        return 4


class _Parser:
    def __init__(self, path: str):
        self.path = path
        self.open: dict[object, _Builder] = {}
        self.alloc_warn: dict[object, int] = {}  # line of the last allocation warning
        self.last_ts: dict[object, float] = {}
        self.last_key: object = None
        self.done: list[OomReport] = []  # built when closed: a closed report keeps no rows
        self.rows_kept = 0
        self.dropped = 0

    # -- streams -------------------------------------------------------------------------

    def close(self, key) -> None:
        b = self.open.pop(key, None)
        if b is None:
            return
        self.rows_kept -= len(b.rows)
        if b.tentative:
            return
        if len(self.done) < MAX_REPORTS:
            self.done.append(b.build())
        else:
            self.dropped += 1

    def start(self, key, n: int, host, *, tentative: bool = False) -> _Builder:
        self.close(key)
        if len(self.open) >= MAX_HOSTS:
            for k in list(self.open)[: len(self.open) // 2]:
                self.close(k)
        b = _Builder(self.path, n, host, end=n, tentative=tentative)
        self.open[key] = b
        return b

    def real(self, key, n: int, host, *, after_kill_new: bool = True) -> _Builder:
        """The open report to add a report line to: a new one when none is open (or the open
        one already has its kill line and `after_kill_new`); a tentative one becomes real."""
        b = self.open.get(key)
        if b is None or (after_kill_new and b.killed):
            b = self.start(key, n, host)
        b.tentative = False
        return b

    # -- lines ---------------------------------------------------------------------------

    def feed(self, n: int, raw: str) -> None:
        content, host, is_kernel, ts, prefixed = _strip(raw[:MAX_LINE])
        key = host if host is not None else (None if prefixed else self.last_key)
        if not is_kernel:
            return
        self.last_key = key
        if not content:
            return
        if ts is not None:
            last = self.last_ts.get(key)
            if last is not None and ts + 1e-6 < last and key in self.open:
                self.close(key)
            if len(self.last_ts) < MAX_HOSTS or key in self.last_ts:
                self.last_ts[key] = ts
        b = self.open.get(key)
        if b is not None and n - b.line > MAX_REPORT_LINES:
            b.truncated = True
            self.close(key)
            b = None
        self._line(n, content, key, host, b)

    def _line(self, n: int, c: str, key, host, b: _Builder | None) -> None:
        if (b is None or b.killed) and not _START.search(c):
            return
        m = _TRIGGER.match(c)
        if m:
            self.alloc_warn.pop(key, None)
            b = self.start(key, n, host)
            rest = m.group("rest")
            g = _GFP.search(rest)
            o = _ORDER.search(rest)
            a = _ADJ.search(rest)
            oa = _OLD_ADJ.search(rest)
            b.trigger = {"comm": m.group("comm").strip(), "line": n,
                         "gfp": g.group(1).lower() if g else None,
                         "flags": g.group(2) if g and g.group(2) is not None else None,
                         "order": _i(o.group(1)) if o else None,
                         "adj": _i(a.group(1)) if a else None,
                         "oom_adj": _i(oa.group(1)) if oa else None}
            return
        if _ALLOC_WARN.search(c):
            if len(self.alloc_warn) < MAX_HOSTS or key in self.alloc_warn:
                self.alloc_warn[key] = n
            if b is not None and b.tentative:
                self.close(key)  # dropped: a tentative report is never kept
            return
        m = _SUMMARY.match(c)
        if m:
            b = self.open.get(key)
            if b is None or b.killed or b.summary is not None:
                b = self.start(key, n, host)
            b.tentative = False
            b.summary = _summary(m.group(1), n)
            b.mark(n)
            return
        m = _CHOSEN.match(c)
        if m:
            b = self.open.get(key)
            if b is None or b.killed or b.chosen is not None:
                b = self.start(key, n, host)
            b.tentative = False
            b.chosen = (int(m.group(2)), m.group(3), int(m.group(4)), n)
            if m.group(1):
                b.verdict_scope = "cgroup" if m.group(1).startswith("Memory") else "global"
            b.mark(n)
            return
        m = _KILLED.match(c)
        if m:
            b = self.open.get(key)
            if b is not None and b.victim is not None and b.group:
                b.extra_kills += 1
                b.mark(n)
                return
            b = self.real(key, n, host)
            tail = m.group(8)
            rss = {k: _i(r.group(1)) if (r := p.search(tail)) else None for k, p in _RSS.items()}
            adj = _ADJ.search(tail) or re.search(rf"oom_score_adj:({_INT})", tail)
            uid = m.group(4) or m.group(6)
            if uid is None:
                u = _UID_TAIL.search(tail)
                uid = u.group(1) if u else None
            b.victim = {"pid": int(m.group(3)), "name": m.group(5), "line": n,
                        "total_vm": _i(m.group(7)), "anon": rss["anon-rss"],
                        "file": rss["file-rss"], "shmem": rss["shmem-rss"],
                        "uid": _i(uid), "adj": _i(adj.group(1)) if adj else None}
            if m.group(1):
                b.verdict_scope = "cgroup" if m.group(1).startswith("Memory") else "global"
                b.allocating = bool(m.group(2) and "allocating" in m.group(2))
            b.mark(n)
            return
        if _NO_KILLABLE.search(c):
            b = self.real(key, n, host)
            b.no_killable = True
            b.mark(n)
            return
        if _PANIC.search(c):
            b = self.real(key, n, host, after_kill_new=False)
            b.panic = True
            b.mark(n)
            return
        m = _REAPER.match(c)
        if m:
            if b is not None and b.victim is not None and b.victim["pid"] == int(m.group(1)):
                b.reaped = True
                b.mark(n)
            return
        m = _GROUP.match(c)
        if m:
            b = self.real(key, n, host, after_kill_new=False)
            b.group = True
            b.mark(n)
            return
        if _MEMINFO.match(c):
            if b is not None and not b.killed and not b.tentative:
                b.in_meminfo = True
                b.mark(n)
                return
            if n - self.alloc_warn.get(key, -10**9) < MAX_GAP:
                self.close(key)
                return
            b = self.start(key, n, host, tentative=True)
            b.in_meminfo = True
            return
        m = _TABLE_HEAD.match(c)
        if m or _TASKS_STATE.match(c):
            b = self.real(key, n, host)
            if m:
                b.columns = tuple(m.group(1).split())
            b.in_meminfo = False
            b.mark(n)
            return
        m = _TASK_IN.match(c)
        if m:
            b = self.real(key, n, host)
            b.task_in = (m.group(1), m.group(2))
            b.mark(n)
            return
        m = _MEMCG_USAGE.match(c)
        if m:
            b = self.real(key, n, host)
            if b.memcg is None:
                b.memcg = {"usage_kb": int(m.group(1)), "limit_kb": int(m.group(2)),
                           "failcnt": _i(m.group(3)), "line": n}
            b.mark(n)
            return
        m = _ROW.match(c)
        if m and b is not None and (b.killed or b.summary is not None) and \
                _looks_like_row(m.group(2)):
            b = self.start(key, n, host)  # a table row after the summary: the next report
        elif m and b is None and _looks_like_row(m.group(2)):
            b = self.start(key, n, host, tentative=True)  # a fragment that starts mid-table
        if b is None:
            return
        if b.killed:
            return  # after the kill line only the lines above belong to the report
        self._body(n, c, b)

    def _body(self, n: int, c: str, b: _Builder) -> None:
        recognised = True
        m = _ROW.match(c)
        if m and (b.columns is not None or b.tasks or _looks_like_row(m.group(2))):
            self._row(n, int(m.group(1)), m.group(2), b)
        elif (m := _CPU.search(c) or _PID26.search(c)) is not None:
            b.cpu_pid, b.cpu_comm = int(m.group(1)), m.group(2).strip()
            v = _VERSION.search(c)
            b.kernel = v.group(1) if v else b.kernel
        elif (m := _ZONE.search(c)) is not None:
            b.in_meminfo = False
            if len(b.zones) >= MAX_ZONES:
                b.truncated = True
                return
            b.zones.append(Zone(node=_i(m.group(1)), name=m.group(2), free_kb=int(m.group(3)),
                                min_kb=int(m.group(4)), low_kb=int(m.group(5)),
                                high_kb=int(m.group(6)), line=n))
        elif (m := _BUDDY.match(c)) is not None:
            if len(b.buddy) < MAX_ZONES:
                blocks = tuple((int(size), int(count)) for count, size in _BLOCK.findall(m.group(3)))
                name = m.group(2) if m.group(1) is None else f"{m.group(2)} (node {m.group(1)})"
                b.buddy.append((name, blocks))
        elif (m := _FREE_SWAP.search(c)) is not None:
            b.swap_free = int(m.group(1))
        elif (m := _TOTAL_SWAP.search(c)) is not None:
            b.swap_total = int(m.group(1))
        elif (m := _MEMCG_SWAP.match(c)) is not None:
            if b.memcg is not None and b.memcg.get("swap_usage_kb") is None:
                b.memcg["swap_usage_kb"], b.memcg["swap_limit_kb"] = int(m.group(1)), \
                    int(m.group(2))
        elif (m := _MEMCG_STATS.match(c)) is not None:
            if b.memcg is not None and b.memcg_stats is None:
                b.memcg_stats = m.group(1) or None
        elif b.in_meminfo and not c.startswith("Node") and _COUNTER.search(c.lower()):
            for k, v in _COUNTER.findall(c.lower()):  # 2.6 writes Active_anon:
                if k in _MEMINFO_KEYS and k not in b.meminfo:
                    b.meminfo[k] = int(v)
        else:
            recognised = bool(_RECOGNISED.search(c))
        if _MEMCG_FRAME.search(c):
            b.memcg_frame = True
        if _SYSRQ.search(c):
            b.sysrq = True
        if recognised:
            b.mark(n)
        else:
            b.gap += 1
            if b.gap > MAX_GAP:
                self.close_builder(b)

    def close_builder(self, b: _Builder) -> None:
        for k, v in list(self.open.items()):
            if v is b:
                self.close(k)

    def _row(self, n: int, pid: int, rest: str, b: _Builder) -> None:
        cols = b.columns
        if cols is not None:
            parts = rest.split(None, len(cols))
            if len(parts) < len(cols) + 1 or not all(_isint(p) for p in parts[:len(cols)]):
                return
            vals = dict(zip(cols, (int(p) for p in parts[:len(cols)])))
            name = parts[len(cols)].strip()
        else:
            parts = rest.split()
            k = 0
            while k < len(parts) and _isint(parts[k]):
                k += 1
            if k < 6:
                return
            nums = [int(p) for p in parts[:k]]
            vals = {"uid": nums[0], "tgid": nums[1], "total_vm": nums[2], "rss": nums[3],
                    "oom_score_adj": nums[-1]}
            name = rest.split(None, k)[k].strip() if len(rest.split(None, k)) > k else ""
        if "rss" not in vals:
            return
        task = Task(pid=pid, uid=vals.get("uid"), total_vm=vals.get("total_vm"),
                    rss=vals["rss"], oom_score_adj=vals.get("oom_score_adj"), name=name[:256],
                    line=n, swapents=vals.get("swapents"))
        b.tasks += 1
        if b.largest is None or task.rss > b.largest.rss:
            b.largest = task
        if pid in b.rows:
            return  # the first row of a pid is the one kept
        if len(b.rows) < MAX_TASK_ROWS and self.rows_kept < MAX_OPEN_ROWS:
            b.rows[pid] = task
            self.rows_kept += 1
        else:
            b.truncated = True

    def finish(self) -> None:
        for key in list(self.open):
            self.close(key)


def _isint(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d{1,19}", text))


def _looks_like_row(rest: str) -> bool:
    parts = rest.split()
    return len(parts) >= 7 and all(_isint(p) for p in parts[:6])


def _summary(text: str, n: int) -> dict:
    """``constraint=...,nodemask=...,cpuset=...,mems_allowed=...,global_oom|oom_memcg=...,
    task_memcg=...,task=COMM,pid=N,uid=N`` (dump_oom_summary); the comm may hold commas."""
    out: dict = {"line": n}
    m = re.search(rf",task=(.{{0,64}}),pid=({_NUM}),uid=({_NUM})\s*$", text)
    head = text
    if m:
        out["task"], out["pid"], out["uid"] = m.group(1), int(m.group(2)), int(m.group(3))
        head = text[: m.start()]
    for part in head.split(","):
        k, _, v = part.partition("=")
        k = k.strip()
        if k == "global_oom":
            out["global_oom"] = True
        elif k in ("constraint", "oom_memcg", "task_memcg", "cpuset"):
            out[k] = v.strip()
    return out


def parse_oom_log(lines: Iterable[str], path: str = "-", *, start: int = 1) -> OomLog:
    """Every OOM report in `lines` (line numbers from `start`)."""
    p = _Parser(path)
    count = 0
    for count, raw in enumerate(lines, start):
        p.feed(count, raw)
    p.finish()
    reports = sorted(p.done, key=lambda r: r.line)
    return OomLog(path, tuple(reports), p.dropped, max(count - start + 1, 0))
