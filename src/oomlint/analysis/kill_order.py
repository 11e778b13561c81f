"""Who the kernel kills first: the OOM killer's choice under a global OOM at worst case,
predicted from the configuration. A pure function of the `Host` and its budget.

The kernel's arithmetic (mm/oom_kill.c `oom_badness`, kernels >= 5.9; Linux v6.1):

    totalpages = RAM pages + swap pages                      (a global OOM)
    points     = rss + swap entries + page tables            (pages, of one task)
    points    += oom_score_adj × (totalpages / 1000)         (integer division first)

The task with the most points dies; a task at -1000 is never chosen (LONG_MIN, skipped);
when none is left the kernel panics ("Out of memory and no killable processes...").
/proc/PID/oom_score shows ``(1000 + points × 1000 / totalpages) × 2 / 3`` in C integer
arithmetic (fs/proc/base.c `proc_oom_score`, >= 5.9; 0 for a -1000 task); kernels <= 5.8
showed ``points × 1000 / totalpages`` (`legacy_oom_score`).

What oomlint predicts it from (every assumption is in `KillAssumptions` and `TASK_SPLIT`):

- A task's points: the largest single task of the service at its worst case, in pages of
  `page_size`. RSS counts every shared page a task maps, so a PostgreSQL backend counts the
  shared buffers it touched; page tables are not modelled (a fraction of a percent).
- A service with a MemoryMax (its own or a slice's) is bounded by it: `contained` when its
  worst case reaches the cap, because its own growth ends in a cgroup OOM inside its cgroup
  (it dies alone, systemd.resource-control(5)). It is still ranked at its capped size: a
  global OOM caused by another service scans every task (`select_bad_process`), and a full
  cgroup is as large a candidate as any.
- A service with no known worst case and no cap is `unknown`: listed, never ranked.
- oom_score_adj: the unit's OOMScoreAdjust= (systemd.exec(5); children inherit it,
  proc_pid_oom_score_adj(5)), else system.conf DefaultOOMScoreAdjust=
  (systemd-system.conf(5)), else 0 (PID 1's own, which services inherit). PostgreSQL's
  backends reset theirs to PG_OOM_ADJUST_VALUE (default 0) when PG_OOM_ADJUST_FILE is set
  (PostgreSQL docs, "Linux Memory Overcommit"): in the unit's environment, or by Debian's
  pg_ctlcluster, which sets it for 9.5 and later while its postgresql@.service gives the
  postmaster -900.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from oomlint.analysis.budget import Assumptions, HostBudget, ServiceBudget
from oomlint.base.grammar.c import KIB
from oomlint.base.provenance import Loc
from oomlint.model.host import TEMPLATED, Host, Unit

OOM_SCORE_ADJ_MIN = -1000
ADJ_SOURCE = {"unit": "OOMScoreAdjust=", "manager": "DefaultOOMScoreAdjust=",
              "default": "default 0", "templated": "OOMScoreAdjust= (templated)",
              "program": "reset by the program"}

# How a service's worst case splits into tasks: the kernel scores each process on its own.
TASK_SPLIT = {
    "mysql": "one process (mysqld/mariadbd, threads share one mm)",
    "jvm": "one process (the JVM)",
    "postgresql": "the largest backend: the shared memory it maps (shared floor) + work_mem + "
                  "the backend baseline; the postmaster stays small",
    "php-fpm": "the largest worker: the largest pool memory_limit + opcache shared memory",
    "redis": "one process holding maxmemory (the fork child shares those pages)",
    "valkey": "one process holding maxmemory (the fork child shares those pages)",
    "unit": "one process may hold the whole cap (no finer split is known)",
}


@dataclass(frozen=True)
class KillAssumptions:
    page_size: int = 4 * KIB  # x86-64; arm64 kernels may use 16 or 64 KiB
    pg_oom_adjust_value: int = 0  # PG_OOM_ADJUST_VALUE when the environment does not set it


@dataclass(frozen=True)
class Candidate:
    """One service as the OOM killer sees its largest task."""

    service: str
    kind: str
    unit: str | None
    worst_case: int | None  # the service's worst case (bytes), from the budget
    limit: int | None  # the binding MemoryMax (bytes)
    task_bytes: int | None  # the largest single task at worst case, capped
    task: str  # which task that is (`TASK_SPLIT`)
    adj: int | None  # its oom_score_adj; None when templated
    adj_origin: str  # "unit" | "manager" | "default" | "program" | "templated"
    adj_loc: Loc | None
    adj_note: str = ""  # e.g. "postmaster -900 (unit); backends reset by PG_OOM_ADJUST_FILE"
    footprint_pages: int | None = None
    adj_term: int | None = None  # adj × (totalpages / 1000)
    badness: int | None = None
    oom_score: int | None = None  # /proc/PID/oom_score as kernels >= 5.9 show it
    rank: int | None = None
    contained: bool = False
    unknown: bool = False
    exempt: bool = False  # oom_score_adj -1000: never chosen
    within: str | None = None  # the slice whose cap contains it

    @property
    def adj_source(self) -> str:
        """Where the adjustment comes from, without the path (formatters add it)."""
        return ADJ_SOURCE[self.adj_origin]


@dataclass(frozen=True)
class KillOrder:
    host: str
    ram: int | None
    swap: int | None
    page_size: int
    totalpages: int | None  # None when RAM is unknown: nothing is ranked
    candidates: tuple[Candidate, ...] = ()  # ranked (by rank), then exempt, then unknown
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def per_point(self) -> int | None:
        """Pages one oom_score_adj point is worth: totalpages / 1000 (integer)."""
        return self.totalpages // 1000 if self.totalpages is not None else None

    @property
    def ranked(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.rank is not None)

    @property
    def exempt(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.exempt)

    @property
    def unknown(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.unknown)

    @property
    def contained(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.contained)

    def overtakes_at(self, c: Candidate) -> int | None:
        """Pages the largest task of an unknown-size service must exceed to be killed
        before rank 1 (None when nothing is ranked or its adjustment is unknown)."""
        if not self.ranked or c.adj is None or c.exempt or self.per_point is None:
            return None
        return max(self.ranked[0].badness - c.adj * self.per_point, 0)

    def get(self, service: str) -> Candidate | None:
        return next((c for c in self.candidates if c.service == service), None)


# -- the kernel's arithmetic ------------------------------------------------------------


def _cdiv(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def badness(footprint_pages: int, adj: int, totalpages: int) -> int | None:
    """mm/oom_kill.c oom_badness (>= 5.9): None for -1000 (the kernel's LONG_MIN: skipped)."""
    if adj == OOM_SCORE_ADJ_MIN:
        return None
    return footprint_pages + adj * (totalpages // 1000)


def oom_score(points: int | None, totalpages: int) -> int:
    """fs/proc/base.c proc_oom_score (>= 5.9): 0 for a task the kernel never chooses."""
    if points is None:
        return 0
    return _cdiv((1000 + _cdiv(points * 1000, totalpages)) * 2, 3)


def legacy_oom_score(footprint_pages: int, adj: int, totalpages: int) -> int:
    """proc_oom_score before 5.9 (4.17-5.8: no root bonus): oom_badness returned at least 1
    for an eligible task, shown as points × 1000 / totalpages."""
    if adj == OOM_SCORE_ADJ_MIN:
        return 0
    points = max(footprint_pages + adj * (totalpages // 1000), 1)
    return points * 1000 // totalpages


# -- the inputs ----------------------------------------------------------------------------


def _adjust(host: Host, unit: Unit | None) -> tuple[int | None, str, Loc | None]:
    """(oom_score_adj, origin, where it was set) of the processes a unit starts."""
    if unit is not None:
        s = unit.get("OOMScoreAdjust")
        if s is not None:
            if s.value is TEMPLATED:
                return None, "templated", s.loc
            return int(s.value), "unit", s.loc
    m = host.manager.get("DefaultOOMScoreAdjust")
    if m is not None and unit is not None:
        try:
            v = int(str(m.value).strip())
        except ValueError:
            v = None
        if v is not None and -1000 <= v <= 1000:
            return v, "manager", m.loc
    return 0, "default", None


def _pg_backend_adj(host: Host, unit: Unit | None, a: KillAssumptions):
    """A PostgreSQL backend's oom_score_adj when the postmaster resets it for its
    children: (adj, loc, note), or None when the backends inherit the unit's."""
    if unit is None:
        return None
    file = unit.env.variables.get("PG_OOM_ADJUST_FILE")
    value = unit.env.variables.get("PG_OOM_ADJUST_VALUE")
    if file is not None:
        v, loc = a.pg_oom_adjust_value, file[1]
        if value is not None:
            try:
                v, loc = int(value[0]), value[1]
            except ValueError:
                pass
        return v, loc, "backends reset to PG_OOM_ADJUST_VALUE (PG_OOM_ADJUST_FILE in the " \
                       "unit's environment)"
    argv = unit.exec_argv()
    if argv and argv[0].rsplit("/", 1)[-1] == "pg_ctlcluster":
        return a.pg_oom_adjust_value, None, (
            "backends reset to PG_OOM_ADJUST_VALUE (default 0): Debian's pg_ctlcluster sets "
            "PG_OOM_ADJUST_FILE for PostgreSQL 9.5 and later")
    return None


def _task_bytes(host: Host, s: ServiceBudget, pg_baseline: int) -> int | None:
    """The largest single task of the service at its worst case, before the cap."""
    if s.kind == "postgresql":
        floor = s.tiers.get("shared_floor")
        wm = s.settings.get("work_mem")
        if floor is None or wm is None:
            return s.worst_case
        backend = floor + int(wm) + pg_baseline
        return min(backend, s.worst_case) if s.worst_case is not None else backend
    if s.kind == "php-fpm":
        fpm = next((f for f in getattr(host, "php_fpm", []) if f.name == s.name), None)
        limits = [v.get("memory_limit") for v in s.settings.values() if isinstance(v, dict)]
        limits = [x for x in limits if isinstance(x, int) and x > 0]
        if s.worst_case is None or not limits:
            return s.worst_case
        shm = fpm.config.opcache_bytes if fpm is not None else 0
        return min(max(limits) + shm, s.worst_case)
    if s.kind in ("redis", "valkey"):
        mm = s.settings.get("maxmemory")
        return mm if isinstance(mm, int) and mm > 0 else s.worst_case
    return s.worst_case


# -- the prediction --------------------------------------------------------------------------


def kill_order(host: Host, budget: HostBudget, a: KillAssumptions | None = None,
               budget_assumptions: Assumptions | None = None) -> KillOrder:
    """The predicted order (module docstring). `budget_assumptions` are the ones the budget
    was computed with (the PostgreSQL backend baseline)."""
    a = a or KillAssumptions()
    pg_baseline = (budget_assumptions or Assumptions()).pg_backend_baseline
    ram, swap = budget.ram, budget.swap
    notes: list[str] = []
    totalpages = None
    if ram is not None:
        totalpages = (ram + (swap or 0)) // a.page_size
        if swap is None:
            notes.append("swap unknown: totalpages counts RAM only")
    else:
        notes.append("RAM unknown (pass --ram): nothing is ranked")
    slice_caps = {s.name: s for s in budget.services if s.kind == "slice"}
    cands: list[Candidate] = []
    for s in budget.services:
        if s.kind == "slice":
            continue  # a slice is not a task: its members are listed
        unit = host.units.get(s.unit) if s.unit else None
        adj, origin, loc = _adjust(host, unit)
        note = ""
        if s.kind == "postgresql":
            reset = _pg_backend_adj(host, unit, a)
            if reset is not None:
                post = f"postmaster {adj}" if adj is not None else "postmaster templated"
                note = f"{post} ({ADJ_SOURCE[origin]}); {reset[2]}"
                adj, origin, loc = reset[0], "program", reset[1]
        own = _task_bytes(host, s, pg_baseline)
        limit = s.limit
        within = s.within
        if within is not None and within in slice_caps:
            limit = slice_caps[within].limit
        if own is None and limit is None:
            cands.append(Candidate(s.name, s.kind, s.unit, s.worst_case, None, None,
                                   "no worst case and no cap", adj, origin, loc, note,
                                   unknown=True))
            continue
        task = own if limit is None else (limit if own is None else min(own, limit))
        split = TASK_SPLIT.get(s.kind, TASK_SPLIT["unit"])
        if within is not None:
            split = f"one member may hold the whole cap of {within}"
        contained = limit is not None and (s.worst_case is None or s.worst_case >= limit
                                           or within is not None)
        if adj is None:
            cands.append(Candidate(s.name, s.kind, s.unit, s.worst_case, limit, task, split,
                                   adj, origin, loc, note, contained=contained, unknown=True,
                                   within=within))
            continue
        pages = task // a.page_size
        c = Candidate(s.name, s.kind, s.unit, s.worst_case, limit, task, split, adj, origin,
                      loc, note, footprint_pages=pages, contained=contained, within=within,
                      exempt=adj == OOM_SCORE_ADJ_MIN)
        if totalpages is not None:
            b = badness(pages, adj, totalpages)
            c = _replace(c, adj_term=None if b is None else adj * (totalpages // 1000),
                         badness=b, oom_score=oom_score(b, totalpages))
        cands.append(c)
    if totalpages is not None:
        ranked = sorted((c for c in cands if c.badness is not None),
                        key=lambda c: (-c.badness, c.service))
        ranked = [_replace(c, rank=i) for i, c in enumerate(ranked, 1)]
        ties = {c.badness for c in ranked if sum(d.badness == c.badness for d in ranked) > 1}
        if ties:
            notes.append("equal badness: the task the kernel scans later wins the tie")
    else:
        ranked = []
    rest = [c for c in cands if c.badness is None or totalpages is None]
    rest.sort(key=lambda c: (not c.exempt, c.service))
    return KillOrder(budget.name, ram, swap, a.page_size, totalpages, tuple(ranked + rest),
                     tuple(notes))


def _replace(c: Candidate, **kw) -> Candidate:
    return replace(c, **kw)


# -- what a finding shows -----------------------------------------------------------------


def describe(c: Candidate) -> str:
    """One candidate's ranking as a finding quotes it."""
    if c.exempt:
        return f"{c.service}: oom_score_adj -1000, never chosen"
    if c.badness is None:
        return f"{c.service}: unknown size"
    return (f"#{c.rank} {c.service}: badness {c.badness} = {c.footprint_pages} pages "
            f"{'+' if c.adj_term >= 0 else '-'} {abs(c.adj_term)} (adj {c.adj}), "
            f"oom_score {c.oom_score}")


def ranking_text(k: KillOrder, limit: int = 5) -> str:
    """The head of the predicted order, for a finding's message."""
    shown = [describe(c) for c in k.ranked[:limit]]
    more = len(k.ranked) - limit
    return "; ".join(shown) + (f"; … and {more} more" if more > 0 else "")
