"""The record of one kernel OOM report as parsers/kernel_oom.py reads it from a log, and as
analysis/explain.py and the explain formatters read it. Every field is what the report's own
lines say, or None when they do not say it: nothing is borrowed from a neighbouring report.

Sizes keep the kernel's units: ``*_kb`` fields are the kB the kernel printed, table columns
(`Task.rss`, `Task.total_vm`) are pages. Field meanings follow the kernel source that prints
them: mm/oom_kill.c (``dump_header``, ``dump_tasks``, ``dump_oom_summary``,
``__oom_kill_process``), mm/memcontrol.c (``mem_cgroup_print_oom_meminfo``), mm/show_mem.c
and mm/page_alloc.c (``show_free_areas``), mm/swap_state.c (``show_swap_cache_info``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trigger:
    """``<comm> invoked oom-killer: gfp_mask=..., order=N, oom_score_adj=N`` and the CPU/PID
    line after it: the task whose allocation failed."""

    name: str
    line: int
    pid: int | None = None  # from the ``CPU: N PID: N Comm: ...`` line
    gfp_mask: str | None = None  # as printed, "0x100cca"
    gfp_flags: tuple[str, ...] | None = None  # decoded (printed by 4.5+, else decoded here)
    gfp_flags_decoded: bool = False  # True: the kernel did not print them; decoded by era
    order: int | None = None
    oom_score_adj: int | None = None
    oom_adj: int | None = None  # 2.6.x kernels: the old -17..15 scale


@dataclass(frozen=True)
class Task:
    """One row of the task table (``dump_tasks``): memory columns in pages."""

    pid: int
    uid: int | None
    total_vm: int | None
    rss: int
    oom_score_adj: int | None
    name: str
    line: int
    swapents: int | None = None


@dataclass(frozen=True)
class Victim:
    """The killed task (``Killed process N (comm) total-vm:..., anon-rss:...``), or, with
    only a summary line, the task it names. `chosen_*` is the parent named by ``Kill process
    ... or sacrifice child`` when the kernel killed a child of it instead."""

    pid: int | None
    name: str | None
    line: int
    anon_rss_kb: int | None = None
    file_rss_kb: int | None = None
    shmem_rss_kb: int | None = None
    total_vm_kb: int | None = None
    uid: int | None = None
    oom_score_adj: int | None = None
    adj_source: str | None = None  # "verdict" (5.4+ kill line) | "table" (its row)
    chosen_pid: int | None = None
    chosen_name: str | None = None
    score: int | None = None
    source: str = "kill line"  # "kill line" | "summary" (oom-kill: task=) | "chosen" (Kill process)


@dataclass(frozen=True)
class Zone:
    """A zone's free memory against its watermarks: ``Node 0 Normal free:85376kB min:...``."""

    node: int | None
    name: str
    free_kb: int
    min_kb: int
    low_kb: int | None
    high_kb: int | None
    line: int


@dataclass(frozen=True)
class MemcgUsage:
    """``memory: usage NkB, limit NkB, failcnt N`` of the cgroup that hit its limit."""

    usage_kb: int
    limit_kb: int
    failcnt: int | None
    line: int
    swap_usage_kb: int | None = None
    swap_limit_kb: int | None = None


@dataclass(frozen=True)
class OomReport:
    path: str  # the input as shown ("-" for standard input)
    line: int  # first line of the report
    end_line: int  # last line that belongs to it
    host: str | None  # the host the line prefix names (syslog, journal), None when none
    kind: str  # "global" | "cgroup" | "unknown"
    kind_evidence: str | None  # which line said so
    cgroup: str | None  # the cgroup that hit its limit (oom_memcg=, "limit of", stats)
    task_memcg: str | None  # the victim's own cgroup (summary line), may be deeper
    constraint: str | None  # CONSTRAINT_NONE / CONSTRAINT_MEMCG / ...
    kernel: str | None  # "5.15.0-91-generic" from the CPU/PID line
    trigger: Trigger | None
    victim: Victim | None
    largest: Task | None  # the table's largest rss
    tasks: int  # rows in the table
    task_columns: tuple[str, ...] | None  # the table header's columns, None without one
    page_kb: int  # page size in kB: 4 unless the victim's row against its kill line says
    meminfo: tuple[tuple[str, int], ...]  # Mem-Info counters, pages (active_anon, free, ...)
    zones: tuple[Zone, ...]
    swap_free_kb: int | None
    swap_total_kb: int | None
    memcg: MemcgUsage | None
    no_killable: bool  # "Out of memory and no killable processes..."
    panic: bool  # "Kernel panic - not syncing: Out of memory"
    sysrq: bool  # order=-1 or moom_callback: a manual SysRq-f kill
    group_kill: bool  # memory.oom.group: the whole cgroup was killed
    extra_kills: int  # further "Killed process" lines of a group kill
    reaped: bool  # an oom_reaper line for the victim followed
    allocating_task: bool  # "Out of memory (oom_kill_allocating_task)"
    truncated: bool  # a cap cut the report (lines or table rows)
    # Buddy lists per zone (``Node 0 Normal: 28673*4kB (UME) 0*8kB ...``): (zone, ((block kB,
    # free blocks), ...)), the free blocks of each size: what a high-order request needs.
    buddy: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = ()

    def meminfo_value(self, key: str) -> int | None:
        for k, v in self.meminfo:
            if k == key:
                return v
        return None


@dataclass(frozen=True)
class OomLog:
    """Every report found in one input, in order, and what the caps left out."""

    path: str
    reports: tuple[OomReport, ...]
    dropped: int = 0  # reports past the per-input cap, not kept
    lines: int = 0  # lines read
