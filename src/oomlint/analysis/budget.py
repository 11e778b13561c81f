"""Worst-case memory per service, and the host's sum against RAM, swap and CommitLimit.

Formulas (documented with their sources in rules/OOM1xx.yaml and the README):

- MySQL / MariaDB, two tiers. The worst case (summed, decides errors) is MySQLTuner's
  "maximum possible memory usage" without performance_schema: global buffers
  (innodb_buffer_pool_size + key_buffer_size + innodb_log_buffer_size + query_cache_size +
  aria_pagecache_buffer_size where they exist) + min(tmp_table_size, max_heap_table_size)
  once + max_connections × (read_buffer_size + read_rnd_buffer_size + sort_buffer_size +
  join_buffer_size + thread_stack). The stress tier (warnings) adds a temporary table and
  binlog_cache_size for every connection.
- PostgreSQL, three tiers: the shared-memory floor (postgres -C shared_memory_size, from
  ipci.c CalculateShmemSize's terms: model/postgresql.py `shared_memory_terms`), a
  plausible peak (every connection uses work_mem once, autovacuum workers and one maintenance
  operation), and a stress case (several sort/hash nodes per query, hash_mem_multiplier,
  parallel workers from the global pool, temp_buffers). The plausible peak is the worst case
  summed for the host; the stress case is reported beside it.
- php-fpm: Σ pools pm.max_children × memory_limit (php_admin_value / php_value / php.ini)
  + opcache's shared memory + the master; memory_limit = -1 is unbounded.
- Redis / Valkey: maxmemory, × 2 with RDB snapshots or the AOF on (fork copy-on-write);
  maxmemory 0 or unset is unbounded.
- Any other service: its MemoryMax (the unit's or a slice's), else unbounded. Every
  long-running service is listed, vendor units without a cap too (as "unbounded").

What the host's sum counts (`ServiceBudget.counted`): a service with a footprint of its own
counts min(worst case, MemoryMax), the uncapped worst case shown beside it (the kernel
reclaims and then OOM-kills the cgroup at its MemoryMax: systemd.resource-control(5)). A cap
that is only a cap, on a unit or slice with no footprint of its own, counts when it is an
absolute size the administrator wrote (a sizing decision); a share of RAM (`MemoryMax=90%`)
or a cap shipped in a vendor unit (cockpit's `system-cockpithttps.slice`) is written without
knowing the host: a permission, not a footprint. It is shown and not summed
(`ServiceBudget.permission`), so it never decides OOM101/OOM102.

A file the host's model was built from that could not be read (OOM001-OOM004, OOM006), or a
host where nothing was recognised (OOM008), leaves services out of the sum or their values
defaulted; the budget keeps those as `HostBudget.unread`, so no total pretends to be complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oomlint.base.findings import Calc, Term
from oomlint.base.grammar.c import MIB
from oomlint.base.grammar.host import format_size
from oomlint.base.grammar.systemd import MemoryLimit
from oomlint.base.ids import NOT_READ_RULES, NOTHING_RECOGNISED
from oomlint.base.provenance import Loc
from oomlint.model.host import Host, Unit, is_vendor_path


@dataclass(frozen=True)
class ServiceBudget:
    """One service's worst case: `worst_case` is None when nothing bounds it."""

    name: str
    kind: str  # "mysql" | "postgresql" | "jvm" | "php-fpm" | "redis" | "valkey" | "unit" | "slice"
    worst_case: int | None
    loc: Loc  # where a finding about this service points
    terms: tuple[Term, ...] = ()
    tiers: dict[str, int] = field(default_factory=dict)
    limit: int | None = None  # effective MemoryMax (unit or slice), bytes
    limit_loc: Loc | None = None
    settings: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    unit: str | None = None
    focus: Loc | None = None  # the line that drives the worst case: the first one to change
    # MySQL's stress tier: the terms it adds to the worst case, and the line that drives it
    stress_terms: tuple[Term, ...] = ()
    stress_focus: Loc | None = None
    # A cap with no footprint behind it that the host's sum does not count (module docstring).
    permission: bool = False
    within: str | None = None  # the slice row whose shared cap counts this service

    @property
    def counted(self) -> int | None:
        """What the host's sum counts: min(worst case, MemoryMax); None for an unbounded
        service, a permission, or a member of a slice that is counted once as the slice."""
        if self.permission or self.within is not None or self.worst_case is None:
            return None
        return min(self.worst_case, self.limit) if self.limit is not None else self.worst_case


@dataclass(frozen=True)
class UnreadInput:
    """An input of the budget that was not (fully) read: the input finding that says so."""

    loc: Loc  # the file, tree-relative ("." for OOM008, the host as a whole)
    rule: str
    message: str


@dataclass(frozen=True)
class HostBudget:
    name: str
    ram: int | None
    swap: int | None
    services: tuple[ServiceBudget, ...]
    hugepages: int = 0
    hugepages_loc: Loc | None = None
    commit_limit: int | None = None  # only when vm.overcommit_memory=2
    hugepages_used: int = 0  # PostgreSQL shared memory that lives inside the pool
    unread: tuple[UnreadInput, ...] = ()  # empty: every input was read

    @property
    def total(self) -> int:
        """Sum of what each bounded service counts (min(worst case, MemoryMax); permissions
        left out) plus the reserved hugetlb pool, counting shared memory that lives in the
        pool once."""
        services = sum(s.counted for s in self.services if s.counted is not None)
        return services + self.hugepages - self.hugepages_used

    @property
    def uncapped_total(self) -> int:
        """As `total`, with each footprint at its uncapped worst case (shown beside it)."""
        services = sum(s.worst_case for s in self.services
                       if s.counted is not None and s.worst_case is not None)
        return services + self.hugepages - self.hugepages_used

    @property
    def permissions(self) -> tuple[ServiceBudget, ...]:
        """Caps that are only caps: shown, not summed."""
        return tuple(s for s in self.services if s.permission)

    @property
    def committed(self) -> int:
        """What strict overcommit charges: hugetlb pages are not commit-accounted
        (Documentation/mm/overcommit-accounting.rst), and CommitLimit already excludes the
        pool."""
        return self.total - self.hugepages

    @property
    def unbounded(self) -> tuple[ServiceBudget, ...]:
        return tuple(s for s in self.services if s.worst_case is None and s.within is None)


@dataclass(frozen=True)
class Assumptions:
    """What cannot be known from configuration, stated and overridable (`[budget]`)."""

    pg_nodes_per_query: int = 3
    pg_backend_baseline: int = 5 * MIB
    # Hugepagesize of the default pool: the one value the budget, OOM302 and OOM307 read
    # ([budget] hugepage_size, or those rules' hugepage_size option: config.py).
    hugepage_size: int = 2 * MIB
    jvm_threads: int = 250  # as the Cloud Foundry and Paketo memory calculators assume
    jvm_threads_by_unit: dict = field(default_factory=dict)  # per-unit overrides
    jvm_metaspace: int = 256 * MIB  # when MaxMetaspaceSize is unset (unbounded)
    jvm_native_overhead: int = 64 * MIB  # JIT arenas, symbols, malloc arenas
    php_fpm_master: int = 32 * MIB  # the php-fpm master process (runs no script)


def _cap(host: Host, unit: Unit | None) -> tuple[int | None, Loc | None]:
    cap = host.memory_cap(unit)
    return (cap.bytes, cap.loc) if cap is not None else (None, None)


def _term(cfg, name: str, label: str | None = None, factor: int = 1) -> Term:
    src = cfg.source(name)
    value = cfg.get(name)
    text = label or name
    if src is None:
        text += " (default)"
    return Term(text, int(value) * factor if value is not None else None,
                src.loc if src is not None else None)


def mysql_budget(db, host: Host) -> ServiceBudget:
    """Two tiers (README "Formulas").

    - ``mysqltuner`` decides errors and is what the host's sum counts: MySQLTuner's "maximum
      possible memory usage" (mysqltuner.pl ``calculations()``: ``server_buffers`` =
      key_buffer_size + min(tmp_table_size, max_heap_table_size) + innodb_buffer_pool_size +
      innodb_log_buffer_size + query_cache_size + aria_pagecache_buffer_size, plus
      max_connections × ``per_thread_buffers`` = read_buffer_size + read_rnd_buffer_size +
      sort_buffer_size + thread_stack + join_buffer_size): the temporary table counted once,
      binlog_cache_size not at all.
    - ``stress`` (warnings): every connection holds its own in-memory temporary table (MariaDB
      documents tmp_table_size as per session; MySQL 8's TempTable engine shares one
      temptable_max_ram pool instead) and its binlog_cache_size.

    A finding points at the term that contributes most to the tier it judges (`focus`, and
    `stress_focus`)."""
    cfg = db.config
    ram = host.ram
    globals_ = ["innodb_buffer_pool_size", "key_buffer_size", "innodb_log_buffer_size"]
    if cfg.get("query_cache_size") is not None:
        globals_.append("query_cache_size")
    if cfg.get("aria_pagecache_buffer_size") is not None:
        globals_.append("aria_pagecache_buffer_size")
    per_conn = ["read_buffer_size", "read_rnd_buffer_size", "sort_buffer_size",
                "join_buffer_size", "thread_stack"]
    conns = int(cfg.get("max_connections") or 0)
    tmp_name = min(("tmp_table_size", "max_heap_table_size"),
                   key=lambda n: int(cfg.get(n) or 0))
    tmp = int(cfg.get(tmp_name) or 0)
    tsrc = cfg.source(tmp_name)
    terms = [_term(cfg, n) for n in globals_]
    ded = cfg.source("innodb_dedicated_server")
    if cfg.source("innodb_buffer_pool_size") is None and ded is not None and ded.value:
        # MySQL 8 sizes the buffer pool from the RAM it detects (innodb_dedicated_server)
        terms[0] = Term("innodb_buffer_pool_size (innodb_dedicated_server)",
                        int(cfg.get("innodb_buffer_pool_size", ram) or 0), ded.loc)
    terms.append(Term("min(tmp_table_size, max_heap_table_size) once"
                      + ("" if tsrc else " (default)"), tmp, tsrc.loc if tsrc else None))
    csrc = cfg.source("max_connections")
    conn_term = Term(f"max_connections = {conns}" + ("" if csrc else " (default)"), None,
                     csrc.loc if csrc else None)
    terms.append(conn_term)
    for n in per_conn:
        t = _term(cfg, n)
        terms.append(Term(f"{conns} × {t.label}", (t.bytes or 0) * conns, t.loc))
    tuner = sum(t.bytes or 0 for t in terms)
    # The stress tier: what MySQLTuner leaves out.
    temptable = cfg.uses_temptable() and cfg.get("temptable_max_ram", ram) is not None
    if temptable:
        pool = int(cfg.get("temptable_max_ram", ram))
        psrc = cfg.source("temptable_max_ram")
        tmp_label = f"min(temptable_max_ram, {conns} × {tmp_name})"
        tmp_total = min(pool, tmp * conns)
        tmp_loc = (psrc or tsrc).loc if (psrc or tsrc) else None
    else:
        tmp_label = f"{conns} × min(tmp_table_size, max_heap_table_size)"
        tmp_total = tmp * conns
        tmp_loc = tsrc.loc if tsrc else None
    binlog = _term(cfg, "binlog_cache_size")
    stress_terms = (
        Term(f"{tmp_label}, less the one counted", tmp_total - tmp, tmp_loc),
        Term(f"{conns} × {binlog.label}", (binlog.bytes or 0) * conns, binlog.loc),
    )
    stress = tuner + sum(t.bytes or 0 for t in stress_terms)
    focus = _dominant_loc(terms, conn_term)
    stress_focus = _dominant_loc(
        [*terms[:len(globals_)],
         Term(tmp_label, tmp_total, tmp_loc), conn_term, *terms[len(globals_) + 2:],
         stress_terms[1]], conn_term)
    settings = {n: cfg.get(n, ram) for n in globals_ + per_conn +
                ["binlog_cache_size", "max_connections", "tmp_table_size",
                 "max_heap_table_size"]}
    if temptable:
        settings["temptable_max_ram"] = cfg.get("temptable_max_ram", ram)
    per = sum(int(cfg.get(n) or 0) for n in per_conn)
    limit, limit_loc = _cap(host, db.unit)
    return ServiceBudget(
        name=db.name, kind="mysql", worst_case=tuner, loc=db.loc, terms=tuple(terms),
        focus=focus, tiers={"mysqltuner": tuner, "stress": stress}, stress_terms=stress_terms,
        stress_focus=stress_focus,
        limit=limit, limit_loc=limit_loc, settings=settings, unit=db.unit.name if db.unit else None,
        notes=(f"{cfg.flavor} defaults for unset variables",
               f"tier mysqltuner (the worst case; errors): MySQLTuner's maximum possible memory "
               f"usage, {conns} × per-thread buffers {format_size(per)} + one temporary table",
               "tier stress (warnings): an in-memory temporary table and a binlog cache per "
               "connection",
               "performance_schema memory is not included: it cannot be known offline",
               *_refusal_notes(cfg, "mysqld" if cfg.flavor.startswith("mysql") else "mariadbd")),
    )


def _dominant_loc(terms, conn_term: Term) -> Loc | None:
    """The line of the term that contributes most. A per-connection product whose buffer is
    a default is driven by max_connections: its line then."""
    best = max((t for t in terms if t.bytes), key=lambda t: t.bytes, default=None)
    if best is None:
        return None
    if best.loc is not None:
        return best.loc
    if best.label.split(" ", 1)[0].isdigit() and conn_term.loc is not None:
        return conn_term.loc
    located = [t for t in terms if t.loc is not None and t.bytes]
    return max(located, key=lambda t: t.bytes).loc if located else conn_term.loc


def _pg_shared(cfg) -> tuple[int, list[Term]]:
    """The shared-memory floor: ``postgres -C shared_memory_size`` from PostgreSQL's own
    terms (model/postgresql.py `shared_memory_terms`, ipci.c CalculateShmemSize)."""
    from oomlint.model.postgresql import shared_memory_size, shared_memory_terms

    terms = []
    for label, size, setting in shared_memory_terms(cfg):
        src = cfg.source(setting) if setting else None
        if setting and src is None:
            label += " (default)"
        if size or src is not None:
            terms.append(Term(label, size, src.loc if src is not None else None))
    total = shared_memory_size(cfg)
    rounding = total - sum(t.bytes or 0 for t in terms)  # CalculateShmemSize: to 8 kB
    if rounding and terms and terms[-1].label == "fixed shared structures":
        terms[-1] = Term(terms[-1].label, (terms[-1].bytes or 0) + rounding, None)
    return total, terms


def _refusal_notes(cfg, server: str) -> tuple[str, ...]:
    """A configuration the server refuses to start with (OOM402/OOM452): said once, with the
    first refused line; the figures are what the files would mean."""
    if not cfg.refused:
        return ()
    loc, written, reason = cfg.refused[0]
    more = f" and {len(cfg.refused) - 1} more" if len(cfg.refused) > 1 else ""
    return (f"{server} refuses to start with this configuration: {loc.path}:{loc.line}: "
            f"{reason}{more}; the figures are what the other lines mean",)


def postgresql_budget(db, host: Host, a: Assumptions) -> ServiceBudget:
    cfg = db.config
    floor, terms = _pg_shared(cfg)
    conns = int(cfg.get("max_connections"))
    work_mem = int(cfg.get("work_mem"))
    maint = int(cfg.get("maintenance_work_mem"))
    av_workers = int(cfg.get("autovacuum_max_workers"))
    vacuum = cfg.autovacuum_memory()
    vacuum_src = cfg.source(vacuum.setting)
    per_backend = a.pg_backend_baseline + work_mem
    av = av_workers * vacuum.used
    plausible = floor + conns * per_backend + av + maint
    wm = _term(cfg, "work_mem")
    csrc = cfg.source("max_connections")
    terms += [
        Term(f"{conns} connections × (work_mem + {a.pg_backend_baseline // MIB} MiB backend "
             "baseline)", conns * per_backend,
             wm.loc if wm.loc is not None else (csrc.loc if csrc else None)),
        Term(f"{av_workers} autovacuum workers × autovacuum memory", av,
             vacuum_src.loc if vacuum_src is not None else None),
        _term(cfg, "maintenance_work_mem", "one maintenance operation (maintenance_work_mem)"),
    ]
    hmm = float(cfg.get("hash_mem_multiplier") or 1.0)
    parallel = int(cfg.get("max_parallel_workers") or 0)
    temp = int(cfg.get("temp_buffers") or 0)
    k = a.pg_nodes_per_query
    stress = floor + (conns + parallel) * (a.pg_backend_baseline + temp +
                                           int(k * work_mem * hmm)) + av + maint
    settings = {n: cfg.get(n) for n in (
        "shared_buffers", "wal_buffers", "work_mem", "hash_mem_multiplier",
        "maintenance_work_mem", "autovacuum_work_mem", "autovacuum_max_workers", "max_connections",
        "max_worker_processes", "max_parallel_workers", "temp_buffers", "max_wal_senders",
        "huge_pages")}
    limit, limit_loc = _cap(host, db.unit)
    # The segment is mapped in whole huge pages (sysv_shmem.c GetHugePageSize and
    # CreateAnonymousSegment round the size up); `try` without enough free pages falls
    # back to 4 kB pages with only a DEBUG1 message: the pool stays reserved, unused.
    hp = a.hugepage_size
    huge_need = -(-floor // hp) * hp
    pool = host.hugepage_pool(hp)
    mode = str(cfg.get("huge_pages"))
    hp_notes = ()
    if mode == "try" and 0 < pool < huge_need:
        hp_notes = (f"huge_pages = try: the shared memory needs {huge_need // hp} huge pages, the "
                    f"pool has {pool // hp}: postgres falls back to 4 kB pages, so the pool "
                    f"({format_size(pool)}) stays reserved and unused and the shared memory "
                    f"({format_size(floor)}) is counted on top of it",)
    return ServiceBudget(
        name=db.name, kind="postgresql", worst_case=plausible, loc=db.loc, terms=tuple(terms),
        tiers={"shared_floor": floor, "plausible_peak": plausible, "stress": stress,
               "huge_pages_needed": huge_need},
        limit=limit, limit_loc=limit_loc, settings=settings,
        unit=db.unit.name if db.unit else None,
        notes=(f"{cfg.flavor} defaults for unset parameters",
               "shared floor: `postgres -C shared_memory_size` from PostgreSQL's shared-memory "
               "terms (within 0.5 % of postgres 15.18 on 24 recorded configurations)",
               f"plausible peak: each of {conns} connections uses work_mem once",
               f"stress: {k} sort/hash nodes per query × hash_mem_multiplier {hmm:g}, "
               f"{parallel} parallel workers, temp_buffers; a plan can use more, so the true "
               "bound is unbounded", *hp_notes, *_refusal_notes(cfg, "postgres")),
    )


def jvm_budget(j, host: Host, a: Assumptions) -> ServiceBudget:
    """heap + metaspace + code cache + thread stacks + direct memory + GC structures +
    other native memory (databases-jvm reference §5.8; HotSpot defaults §5.2)."""
    c = j.config
    heap = c.max_heap.bytes or 0
    terms = [Term(f"heap ({c.max_heap.label})", heap, c.max_heap.loc)]
    notes = [f"JDK {c.jdk_major}, {c.gc} collector"]
    if c.metaspace.bytes is not None:
        terms.append(Term("MaxMetaspaceSize", c.metaspace.bytes, c.metaspace.loc))
    else:
        terms.append(Term("metaspace (unbounded; assumed)", a.jvm_metaspace, None))
        notes.append(f"metaspace has no cap (MaxMetaspaceSize unset): {format_size(a.jvm_metaspace)}"
                     " assumed")
    terms.append(Term("ReservedCodeCacheSize", c.code_cache.bytes or 0, c.code_cache.loc))
    stack = c.thread_stack.bytes or 0
    threads = a.jvm_threads_by_unit.get(j.name, a.jvm_threads)
    terms.append(Term(f"{threads} threads × thread stack {format_size(stack)} (assumed "
                      "thread count)", threads * stack, c.thread_stack.loc))
    direct = c.direct_memory.bytes
    terms.append(Term(f"direct memory ({c.direct_memory.label})", direct or 0,
                      c.direct_memory.loc))
    gc_share = 5 if c.gc in ("G1", "Z", "Shenandoah") else 2
    gc = heap * gc_share // 100
    terms.append(Term(f"GC structures (~{gc_share}% of heap, estimate)", gc, None))
    terms.append(Term("other native memory (estimate)", a.jvm_native_overhead, None))
    total = sum(t.bytes or 0 for t in terms)
    settings = dict(c.settings())
    settings["assumed_threads"] = threads
    return ServiceBudget(
        name=j.name, kind="jvm", worst_case=total, loc=c.loc or j.unit.service_header(),
        terms=tuple(terms), limit=j.limit, limit_loc=j.limit_loc, settings=settings,
        unit=j.unit.name, notes=tuple(notes), focus=c.max_heap.loc,
        tiers={"heap": heap, "heap_and_non_heap": total},
    )


def cap_is_permission(cap_owner: Unit) -> str | None:
    """Why a MemoryMax= with no footprint behind it is a permission rather than a size
    (module docstring), or None when it is an absolute size the administrator wrote."""
    s = cap_owner.get("MemoryMax")
    if s is None:
        return None
    if is_vendor_path(s.loc.path):
        return "a cap shipped by the vendor"
    limit = s.value
    if isinstance(limit, MemoryLimit) and limit.permyriad is not None:
        return f"a share of RAM ({limit.describe()})"
    return None


def php_fpm_budget(fpm, host: Host, a: Assumptions) -> ServiceBudget:
    """Every pool's pm.max_children × its workers' memory_limit (a pool's
    php_admin_value/php_value over php.ini), whatever pm is (dynamic and ondemand still
    stop at max_children), plus opcache's shared memory when opcache is loaded and the
    master. A pool with memory_limit = -1 has no bound: the whole service is unbounded."""
    from oomlint.model.php_fpm import UNLIMITED

    cfg = fpm.config
    terms: list[Term] = []
    total = 0
    unbounded: list[str] = []
    unknown: list[str] = []
    settings: dict[str, object] = {}
    focus, biggest = None, -1
    for pool in cfg.pools:
        n = pool.max_children.value if pool.max_children is not None else None
        ml = pool.memory_limit
        pm = pool.pm.value if pool.pm is not None else "dynamic"
        settings[pool.name] = {"pm": pm, "pm.max_children": n,
                               "memory_limit": ml.bytes if ml else None,
                               "memory_limit_from": ml.origin if ml else None}
        if ml is not None and ml.bytes == UNLIMITED:
            unbounded.append(pool.name)
        elif n is None or ml is None or ml.bytes is None:
            unknown.append(pool.name)
        mc = pool.max_children.loc if pool.max_children is not None else pool.loc
        limit_text = ("-1 (no limit)" if ml is not None and ml.bytes == UNLIMITED else
                      format_size(ml.bytes) if ml is not None and ml.bytes is not None else
                      "unknown")
        product = n * ml.bytes if n is not None and ml is not None and ml.bytes is not None \
            and ml.bytes != UNLIMITED else None
        terms.append(Term(f"[{pool.name}] pm = {pm}: pm.max_children {n if n is not None else '?'}"
                          f" × memory_limit {limit_text}", product, mc))
        terms.append(Term(f"[{pool.name}] memory_limit from {ml.origin if ml else '?'}", None,
                          ml.loc if ml is not None else None))
        if product is not None:
            total += product
            if product > biggest:
                biggest, focus = product, mc
    if cfg.opcache_bytes:
        terms.append(Term("opcache shared memory (opcache.memory_consumption" +
                          ("" if cfg.opcache is not None else ", default") + ")",
                          cfg.opcache_bytes, cfg.opcache.loc if cfg.opcache is not None else None))
        total += cfg.opcache_bytes
    terms.append(Term("php-fpm master process (estimate)", a.php_fpm_master, None))
    total += a.php_fpm_master
    notes = ["memory_limit bounds the Zend heap of one request; a worker's resident size "
             "adds the PHP binary and extensions, so the real peak can be higher"]
    if unbounded:
        notes.append(f"memory_limit = -1 in {', '.join(unbounded)}: a worker has no limit, "
                     "so the service is unbounded")
    if unknown:
        notes.append(f"pool {', '.join(unknown)}: pm.max_children or memory_limit unknown, "
                     "not counted")
    if any(pool.memory_limit is not None and pool.memory_limit.origin != "php_admin_value"
           for pool in cfg.pools):
        notes.append("a script may raise memory_limit with ini_set() unless the pool sets "
                     "php_admin_value[memory_limit]")
    limit, limit_loc = _cap(host, fpm.unit)
    return ServiceBudget(
        name=fpm.name, kind="php-fpm", worst_case=None if unbounded or not cfg.pools else total,
        loc=focus or fpm.loc, terms=tuple(terms), limit=limit, limit_loc=limit_loc, settings=settings,
        unit=fpm.unit.name if fpm.unit else None, notes=tuple(notes), focus=focus,
    )


def redis_budget(r, host: Host) -> ServiceBudget:
    """maxmemory, doubled while a forked child writes an RDB snapshot or rewrites the AOF:
    copy-on-write can duplicate every page the parent changes meanwhile (redis.io, "Redis
    administration": up to 2 times the memory normally used). maxmemory 0 (the default) is
    no limit: unbounded."""
    from oomlint.model.redis import DEFAULT_SAVE

    cfg = r.config
    mm = cfg.maxmemory_bytes
    src = cfg.maxmemory
    terms: list[Term] = []
    notes: list[str] = ["maxmemory bounds the dataset (used_memory); allocator fragmentation, "
                        "client and replication buffers come on top"]
    persistence = []
    if cfg.rdb:
        persistence.append("RDB snapshots (save " + (f"\"{cfg.save.value}\"" if cfg.save is not
                                                      None else f"default {DEFAULT_SAVE}")
                           + ")")
    if cfg.aof:
        persistence.append("AOF rewrites (appendonly yes)")
    settings = {"maxmemory": mm, "maxmemory-policy": cfg.policy_name,
                "save": cfg.save.value if cfg.save is not None else None,
                "appendonly": cfg.aof}
    if mm is None or mm == 0:
        worst = None
        terms.append(Term("maxmemory " + ("unknown" if mm is None else
                                          "0: no limit" if src is not None else
                                          "unset: no limit"), None,
                          src.loc if src is not None else None))
        notes.append("maxmemory unset or 0: the dataset grows until the host runs out"
                     if mm == 0 else "maxmemory unknown: not counted")
    else:
        terms.append(Term("maxmemory", mm, src.loc))
        worst = mm
        if persistence:
            where = cfg.appendonly.loc if cfg.aof and cfg.appendonly is not None else \
                (cfg.save.loc if cfg.save is not None else None)
            terms.append(Term("fork copy-on-write during " + " and ".join(persistence) +
                              ": up to another maxmemory", mm, where))
            worst = 2 * mm
    if not persistence:
        notes.append("no RDB snapshots or AOF: no fork copy-on-write (a replica's full "
                     "resynchronisation still forks)")
    limit, limit_loc = _cap(host, r.unit)
    return ServiceBudget(
        name=r.name, kind=r.config.flavor, worst_case=worst,
        loc=src.loc if src is not None and src.loc.line else r.loc, terms=tuple(terms),
        tiers={"maxmemory": mm, "with_fork": worst} if worst is not None and persistence else {},
        limit=limit, limit_loc=limit_loc, settings=settings,
        unit=r.unit.name if r.unit else None, notes=tuple(notes),
        focus=src.loc if src is not None else None,
    )


def unit_budget(host: Host, unit: Unit) -> ServiceBudget:
    limit, limit_loc = _cap(host, unit)
    terms = (Term("MemoryMax", limit, limit_loc),) if limit is not None else ()
    why = cap_is_permission(unit) if limit is not None else None
    if limit is None:
        notes: tuple[str, ...] = ("no MemoryMax on the unit or its slices: unbounded",)
    elif why:
        notes = (f"MemoryMax is {why}: a permission, not a footprint; not summed",)
    else:
        notes = ()
    return ServiceBudget(
        name=unit.name, kind="unit", worst_case=limit, loc=unit.service_header(), terms=terms,
        limit=limit, limit_loc=limit_loc, unit=unit.name, notes=notes, permission=bool(why),
    )


def _slice_member(host: Host, unit: Unit, cap) -> ServiceBudget:
    """A service whose binding cap is its slice's: listed, counted once as the slice (or,
    when the slice's cap is a permission, unbounded)."""
    why = cap_is_permission(cap.owner)
    return ServiceBudget(
        name=unit.name, kind="unit", worst_case=None, loc=unit.service_header(),
        limit=cap.bytes, limit_loc=cap.loc, unit=unit.name,
        within=None if why else cap.owner.name,
        notes=(f"no footprint of its own: {cap.owner.name}'s MemoryMax is {why}, not summed"
               if why else f"counted once with {cap.owner.name}",))


def host_budget(host: Host, a: Assumptions | None = None) -> HostBudget:
    a = a or Assumptions()
    services: list[ServiceBudget] = []
    covered: set[str] = set()
    for db in getattr(host, "databases", []):
        services.append(mysql_budget(db, host) if db.config.kind == "mysql"
                        else postgresql_budget(db, host, a))
        if db.unit is not None:
            covered.add(db.unit.name)
    for j in getattr(host, "jvms", []):
        if j.unit.name not in covered:
            services.append(jvm_budget(j, host, a))
            covered.add(j.unit.name)
    for fpm in getattr(host, "php_fpm", []):
        if fpm.unit is None or fpm.unit.name not in covered:
            services.append(php_fpm_budget(fpm, host, a))
            if fpm.unit is not None:
                covered.add(fpm.unit.name)
    for r in getattr(host, "redis", []):
        if r.unit is None or r.unit.name not in covered:
            services.append(redis_budget(r, host))
            if r.unit is not None:
                covered.add(r.unit.name)
    # A template never runs itself. Its instances are listed when the model knows them; the
    # database templates' instances are all known (postgresql@: one per cluster with
    # start.conf auto, as postgresql-common's generator makes them), so the bare template is
    # not a service of its own. Other templates (socket-activated cockpit-wsinstance-https@)
    # stay listed: they run as instances nobody can enumerate from files.
    enumerated = {u.template for u in host.services if u.template and u.name != u.template}
    enumerated |= {"postgresql@.service"}
    slices: dict[str, list[str]] = {}
    for svc in host.services:
        if svc.name in covered or svc.fragment is None or svc.name in enumerated:
            continue
        stype = svc.get("Type")
        if stype is not None and stype.value == "oneshot":
            continue
        cap = host.memory_cap(svc)
        if cap is not None and cap.owner is not svc:
            slices.setdefault(cap.owner.name, []).append(svc.name)  # one cap for all members
            services.append(_slice_member(host, svc, cap))
            continue
        services.append(unit_budget(host, svc))
    for name, members in sorted(slices.items()):
        sl = host.units[name]
        limit, loc = _cap(host, sl)
        why = cap_is_permission(sl)
        notes = [f"caps {', '.join(sorted(members))} together"]
        if why:
            notes.append(f"MemoryMax is {why}: a permission, not a footprint; not summed")
        services.append(ServiceBudget(
            name=name, kind="slice", worst_case=limit, loc=loc, unit=name,
            terms=(Term("MemoryMax (shared by the slice)", limit, loc),), limit=limit,
            limit_loc=loc, notes=tuple(notes), permission=bool(why)))
    hp = host.sysctl_int("vm.nr_hugepages")
    huge = host.hugepage_pool(a.hugepage_size)
    used = 0
    for db, s in zip(getattr(host, "databases", []), services):
        floor = s.tiers.get("shared_floor")
        pages = s.tiers.get("huge_pages_needed", floor)
        if s.kind == "postgresql" and floor and str(db.config.get("huge_pages")) in ("on", "try") \
                and used + pages <= huge:
            used += floor  # its shared memory is mapped from the pool, not on top of it
    commit = host.commit_limit(huge)
    return HostBudget(
        hugepages_used=used, unread=unread_inputs(host),
        name=host.name, ram=host.ram, swap=host.swap_bytes,
        services=tuple(sorted(services, key=lambda s: s.name)),
        hugepages=huge, hugepages_loc=hp.loc if hp is not None and huge else None,
        commit_limit=commit.bytes if commit is not None else None,
    )


def unread_inputs(host: Host) -> tuple[UnreadInput, ...]:
    """The files the model could not read, or only in part, by path: every one is an input
    of the budget (a unit's MemoryMax, a sysctl, a swap area, a database or JVM
    configuration), so what it holds is missing from the sum or defaulted. And OOM008 when
    nothing was recognised at all."""
    seen: dict[tuple[str, str], UnreadInput] = {}
    for f in host.problems:
        if f.rule in NOT_READ_RULES or f.rule == NOTHING_RECOGNISED:
            seen.setdefault((f.loc.path, f.rule), UnreadInput(f.loc, f.rule, f.message))
    return tuple(seen[k] for k in sorted(seen))


# -- the arithmetic shown under a finding ------------------------------------------------


def _counted_label(s: ServiceBudget) -> str:
    if s.worst_case is not None and s.counted is not None and s.counted < s.worst_case:
        return (f"{s.name} ({s.kind}, MemoryMax; uncapped worst case "
                f"{format_size(s.worst_case)})")
    return f"{s.name} ({s.kind})"


def host_calc(b: HostBudget, limit: int | None, limit_label: str) -> Calc:
    terms = [Term(_counted_label(s), s.counted,
                  s.limit_loc if s.kind in ("unit", "slice") or s.counted != s.worst_case
                  else (s.loc if s.loc.line else None))
             for s in b.services if s.counted is not None]
    if b.hugepages:
        terms.append(Term("hugetlb pool (vm.nr_hugepages)", b.hugepages, b.hugepages_loc))
    return Calc(tuple(terms), total=b.total, total_label="worst-case total", limit=limit,
                limit_label=limit_label)


def not_summed_note(b: HostBudget) -> str:
    """The caps shown but not summed (permissions), for a budget finding's message."""
    names = [s.name for s in b.permissions]
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return (f"; the MemoryMax of {shown} (a share of RAM or a vendor's cap, with no footprint "
            "of its own) is a permission, not summed")


def service_calc(s: ServiceBudget, limit: int | None, limit_label: str) -> Calc:
    return Calc(s.terms, total=s.worst_case, total_label="worst case", limit=limit,
                limit_label=limit_label)


def biggest_loc(s: ServiceBudget):
    """The line of the largest term that has one: the first place to look."""
    if s.focus is not None:
        return s.focus
    located = [t for t in s.terms if t.loc is not None and t.bytes]
    return max(located, key=lambda t: t.bytes).loc if located else s.loc
