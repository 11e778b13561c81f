"""PostgreSQL configuration resolved into effective values, the way postgres does.

`load_postgresql`: guc-file.l ``ParseConfigFile`` (includes, include_dir, nesting limit),
then ``ProcessConfigFileInternal``: earlier lines with the *same spelling* of a name are
superseded and never validated, every other value is parsed (base/grammar/postgres.py) and
range-checked, and any error stops the server. Everything is read through the `Tree`;
nothing here opens a file or raises.
"""

from __future__ import annotations

import dataclasses
import functools
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from oomlint.base.findings import Problems
from oomlint.base.grammar.c import KIB, MIB, GrammarError
from oomlint.base.grammar.postgres import postgres_parse_int, postgres_parse_real
from oomlint.base.package_data import package_text
from oomlint.base.provenance import Loc, Setting
from oomlint.base.redact import line_key, mask_value, shown
from oomlint.model.mysql import _version_tuple
from oomlint.model.server_config import MAX_FILE_READS, MAX_INCLUDE_LEVEL, ConfReader, DatabaseConfig, Var
from oomlint.parsers.postgresql_conf import PgConfFile, PgInclude, PgLine, parse_pg_conf
from oomlint.sources.templates import is_templated, templated_value
from oomlint.sources.tree import Tree

BLCKSZ = 8192
XLOG_BLCKSZ = 8192
WAL_SEGMENT_SIZE = 16 * MIB  # initdb's default; the real one lives in pg_control


def _p(name, kind, default, minimum=0, maximum=0, unit=None, choices=(), source="verified"):
    return Var(name, kind, default, minimum, maximum, unit=unit, choices=choices,
               source=source)


_MAX_KB = 2147483647  # MAX_KILOBYTES on 64-bit builds
_MAX_BACKENDS = 262143
# PostgreSQL 15.18: boot values, units and ranges from pg_settings. Memory defaults in bytes.
_PG15 = {v.name: v for v in (
    _p("shared_buffers", "size", 16384 * BLCKSZ, 16, 1073741823, BLCKSZ),
    _p("wal_buffers", "size", -1, -1, 262143, XLOG_BLCKSZ),
    _p("work_mem", "size", 4096 * KIB, 64, _MAX_KB, KIB),
    _p("hash_mem_multiplier", "real", 2.0, 1.0, 1000.0),
    _p("maintenance_work_mem", "size", 65536 * KIB, 1024, _MAX_KB, KIB),
    _p("autovacuum_work_mem", "size", -1, -1, _MAX_KB, KIB),
    _p("autovacuum_max_workers", "int", 3, 1, _MAX_BACKENDS),
    _p("max_connections", "int", 100, 1, _MAX_BACKENDS),
    _p("max_worker_processes", "int", 8, 0, _MAX_BACKENDS),
    _p("max_parallel_workers", "int", 8, 0, 1024),
    _p("max_parallel_workers_per_gather", "int", 2, 0, 1024),
    _p("max_parallel_maintenance_workers", "int", 2, 0, 1024),
    _p("temp_buffers", "size", 1024 * BLCKSZ, 100, 1073741823, BLCKSZ),
    _p("max_wal_senders", "int", 10, 0, _MAX_BACKENDS),
    _p("logical_decoding_work_mem", "size", 65536 * KIB, 64, _MAX_KB, KIB),
    _p("huge_pages", "enum", "try", choices=("off", "on", "try")),
    _p("max_locks_per_transaction", "int", 64, 10, 2147483647),
    _p("max_prepared_transactions", "int", 0, 0, _MAX_BACKENDS),
    _p("effective_cache_size", "size", 524288 * BLCKSZ, 1, 2147483647, BLCKSZ),
    _p("max_pred_locks_per_transaction", "int", 64, 10, 2147483647),
    _p("max_replication_slots", "int", 10, 0, _MAX_BACKENDS),
    _p("track_activity_query_size", "size", 1024, 100, 1048576, 1),
    _p("min_dynamic_shared_memory", "size", 0, 0, 2147483647, MIB),
    _p("data_directory", "string", None),
)}
# guc.c map_old_guc_names[]
_PG_ALIASES = {"sort_mem": "work_mem", "vacuum_mem": "maintenance_work_mem"}
# enum huge_pages: config_enum_lookup_by_name() also takes the hidden boolean spellings.
_ASCII_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_PG_ENUM_HIDDEN = {"true": "on", "false": "off", "yes": "on", "no": "off", "1": "on", "0": "off"}


def pg_variables(flavor: str) -> dict[str, Var]:
    """PG 15 verified; 13-14 differ in hash_mem_multiplier (1.0); before 13 there is no
    hash_mem_multiplier nor logical_decoding_work_mem; 16-17 keep 15's values [docs]."""
    version = _version_tuple(flavor.rpartition("-")[2]) or (15,)
    if version[0] == 15:
        return dict(_PG15)
    table = {k: Var(**{**v.__dict__, "source": "docs"}) for k, v in _PG15.items()}
    if version[0] < 15:
        table["hash_mem_multiplier"] = _p("hash_mem_multiplier", "real", 1.0, 1.0, 1000.0,
                                          source="docs")
    if version[0] < 13:
        del table["hash_mem_multiplier"], table["logical_decoding_work_mem"]
    return table


def load_postgresql(tree: Tree, conf_path: str, flavor: str, problems: Problems,
                    auto_conf_path: str | None = None) -> DatabaseConfig | None:
    """Read postgresql.conf (its includes in place) and then `auto_conf_path`
    (postgresql.auto.conf, ALTER SYSTEM's file, read last so it wins). None when the main
    file cannot be read. postgres skips the auto file once the main one has errors; it is
    read here anyway, since the server refuses to start in that case (`refused`) and its
    values are still the ones the user meant."""
    cfg = DatabaseConfig("postgresql", flavor, variables=pg_variables(flavor),
                         aliases=dict(_PG_ALIASES),
                         derive=lambda cfg, key, ram: _pg_derived(cfg, key))
    reader = _PgReader(tree, cfg, problems)
    main = posixpath.normpath("/" + conf_path.lstrip("/"))
    if tree.lookup(main).kind not in ("file", "devnull") or reader.parse(main) is None:
        return None
    reader.parse_file(main, True, None, 0)
    if auto_conf_path:
        reader.parse_file(posixpath.normpath("/" + auto_conf_path.lstrip("/")), False, None, 0)
    _pg_apply(cfg, reader.lines, problems)
    return cfg


@dataclass(frozen=True)
class _Caller:
    """The file and line of an include directive (for relative paths and errors)."""

    vpath: str
    loc: Loc
    written: str


class _PgReader(ConfReader):
    """ParseConfigFile / ParseConfigFp / ParseConfigDirectory (guc-file.l, PG 15)."""

    parser = staticmethod(parse_pg_conf)

    def __init__(self, tree: Tree, cfg: DatabaseConfig, problems: Problems):
        self.tree, self.cfg, self.problems = tree, cfg, problems
        self.parsed: dict[str, PgConfFile | None] = {}
        self.lines: list[PgLine] = []
        self.reads = 0

    def error(self, caller: _Caller | None, reason: str) -> bool:
        if caller is not None:
            self.cfg.refuse(caller.loc, caller.written, reason)
        return False

    def parse_file(self, vpath: str, strict: bool, caller: _Caller | None, depth: int) -> bool:
        """One file; False when the server reports an error (which is fatal at start)."""
        if depth > MAX_INCLUDE_LEVEL:
            return self.error(caller, f'could not open configuration file "{shown(vpath)}": '
                              "maximum nesting depth exceeded")
        if caller is not None and vpath == caller.vpath:
            return self.error(caller, f'configuration file recursion in "{shown(vpath)}"')
        entry = self.tree.lookup(vpath)
        if entry.kind in ("loop", "other"):
            self.tree.read_text(vpath, self.problems)  # reported: OOM006 / OOM001
        if entry.kind not in ("file", "devnull"):
            if not strict and entry.kind == "missing":
                return True  # include_if_exists: "skipping missing configuration file"
            why = "Is a directory" if entry.kind == "dir" else "No such file or directory"
            return self.error(caller, f'could not open configuration file "{shown(vpath)}": {why}')
        self.reads += 1
        parsed = self.parse(vpath) if self.reads <= MAX_FILE_READS else None
        if parsed is None:
            return strict is False or self.error(caller, f'could not read "{shown(vpath)}"')
        ok = True
        for item in parsed.items:
            if isinstance(item, PgInclude):
                ok = self.include(item, vpath, depth) and ok
            elif item.error is not None and item.raw_name and is_templated(item.value):
                # ``shared_buffers = {{ sb }}``: no syntax error once rendered; the value
                # is judged (as unknown) with the others
                self.lines.append(dataclasses.replace(item, raw=item.value, error=None))
            elif item.error is not None:
                self.cfg.refuse(item.loc, *self.syntax_error(item, caller))
                ok = False
            else:
                self.lines.append(item)
        return ok

    def syntax_error(self, line: PgLine, caller: _Caller | None) -> tuple[str, str]:
        """What a syntax error shows: the parameter it starts with and the server's message,
        never the line. In an included file, a line that does not start with a known
        parameter is most likely a file that is not postgresql.conf at all (``include
        '/etc/shadow'``): its path and line only, no text of it."""
        name = self.cfg.aliases.get(line.name, line.name)
        if caller is None or name in self.cfg.variables:
            return (line_key(line.raw_name) if line.raw_name else ""), line.error or ""
        return "", (f"not postgresql.conf syntax (included from {caller.loc.path}:"
                    f"{caller.loc.line})")

    def include(self, inc: PgInclude, vpath: str, depth: int) -> bool:
        """AbsoluteConfigLocation(): relative to the including file's directory."""
        path = posixpath.normpath(posixpath.join(posixpath.dirname(vpath), inc.path))
        caller = _Caller(vpath, inc.loc, f"{inc.kind} '{inc.path}'")
        if inc.kind == "include_dir":
            return self.parse_dir(path, caller, depth + 1)
        return self.parse_file(path, inc.kind == "include", caller, depth + 1)

    def parse_dir(self, path: str, caller: _Caller, depth: int) -> bool:
        """Files named ``*.conf`` (at least 6 characters, not starting with ``.``), not
        directories, in strcmp order; the first failing file stops the directory."""
        if self.tree.lookup(path).kind != "dir":
            return self.error(caller, f'could not open configuration directory "{shown(path)}": '
                              "No such file or directory")
        for name in self.tree.listdir(path):
            if len(name) < 6 or name.startswith(".") or not name.endswith(".conf"):
                continue
            full = posixpath.join(path, name)
            kind = self.tree.lookup(full).kind
            if kind == "dir":
                continue
            if kind == "missing":
                return self.error(caller, f'could not stat file "{shown(full)}"')
            if not self.parse_file(full, True, caller, depth):
                return False
        return True


def _pg_apply(cfg: DatabaseConfig, lines: list[PgLine], problems: Problems) -> None:
    """ProcessConfigFileInternal(): an earlier line whose name is spelled *exactly* like a
    later one is superseded and never validated (``Shared_Buffers`` or the old alias
    ``sort_mem`` do not supersede ``shared_buffers``/``work_mem``: both are validated);
    every other line is parsed and applied in order, and an invalid one stops the
    server. A value written as a template expression (``{{ sb }}``, quoted or not) is
    unknown: reported (OOM007) unless superseded, and the parameter counts as unset (its
    default) from that line on."""
    last = {line.raw_name: i for i, line in enumerate(lines)}
    ignored = [last[line.raw_name] != i for i, line in enumerate(lines)]
    latest: dict[str, Setting] = {}
    for line, superseded in zip(lines, ignored):
        key = cfg.aliases.get(line.name, line.name)
        var = cfg.variables.get(key)
        if var is None:
            if "." not in line.name and (not _ASCII_NAME.fullmatch(line.name) or
                                         _unrecognized(cfg, line.name)):
                # every built-in name is ASCII: e.g. a UTF-8 byte-order mark glued to it;
                # a name with a dot is a custom (extension) option, always accepted
                cfg.refuse(line.loc, line.written, "unrecognized configuration parameter "
                           f'"{line_key(line.raw_name)}"')
            continue
        if is_templated(line.value):
            latest[key] = Setting(key, line.raw, None, line.loc).overriding(latest.get(key))
            if not superseded:
                problems.items.append(templated_value(line.raw_name, line.raw, line.loc))
                cfg.settings.pop(key, None)
            continue
        try:
            value: Any = pg_value(var, line.value)
        except GrammarError as exc:
            value = None
            if not superseded:
                cfg.refuse(line.loc, line.written, str(exc))
        s = Setting(key, line.raw, value, line.loc).overriding(latest.get(key))
        latest[key] = s
        if not superseded and value is not None:
            cfg.settings[key] = s


# Parameters PostgreSQL 16 and 17 added (release notes, "Server Configuration" items and
# the config.sgml of each branch) [docs, not run here]. With the names 15 knows, what those
# versions are taken to know; a name 16 or 17 removed is still accepted (no false refusal).
_PG16_17_ADDED = frozenset({
    "createrole_self_grant", "debug_io_direct", "debug_logical_replication_streaming",
    "debug_parallel_query", "enable_presorted_aggregate", "gss_accept_delegation",
    "icu_validation_level", "logical_replication_mode", "max_parallel_apply_workers_per_subscription",
    "reserved_connections", "scram_iterations", "send_abort_for_crash", "send_abort_for_kill",
    "vacuum_buffer_usage_limit",
    "allow_alter_system", "commit_timestamp_buffers", "enable_group_by_reordering",
    "event_triggers", "huge_pages_status", "io_combine_limit", "max_notify_queue_pages",
    "multixact_member_buffers", "multixact_offset_buffers", "notify_buffers",
    "serializable_buffers", "standby_slot_names", "subtransaction_buffers", "summarize_wal",
    "sync_replication_slots", "synchronized_standby_slots", "trace_connection_negotiation",
    "transaction_buffers", "transaction_timeout", "wal_summary_keep_time",
})


@functools.lru_cache(maxsize=1)
def _pg15_names() -> frozenset[str]:
    """src/oomlint/data/postgresql_parameters.txt: every name postgres 15.18 knows (recorded
    by tests/data/db/record.py)."""
    text = package_text("postgresql_parameters.txt")
    return frozenset(ln.strip() for ln in text.splitlines()
                     if ln.strip() and not ln.startswith("#"))


def _unrecognized(cfg: DatabaseConfig, name: str) -> bool:
    """Would postgres stop at ``name = …`` with "unrecognized configuration parameter"
    (guc-file.l ProcessConfigFileInternal: every line's name is looked up, superseded or
    not; names are case-insensitive)? Certain for 15 (the recorded list). For 16 and 17 only
    a name close to a known one (a typo: at most two edits away) is called unknown, so a
    parameter added there and missing from `_PG16_17_ADDED` is not refused; other versions
    are not judged."""
    major = cfg.major
    known = _pg15_names()
    if major == 15:
        return name not in known and name not in cfg.aliases
    if major not in (16, 17):
        return False
    if name in known or name in _PG16_17_ADDED or name in cfg.aliases:
        return False
    return any(_close(name, k) for k in known | _PG16_17_ADDED)


def _close(a: str, b: str) -> bool:
    """Levenshtein distance at most 2."""
    if abs(len(a) - len(b)) > 2:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > 2:
            return False
        prev = cur
    return prev[-1] <= 2


def pg_value(var: Var, text: str) -> Any:
    """A value as set_config_option() checks it, in oomlint's units (bytes for memory)."""
    name = var.name
    if var.kind == "string":
        return text
    if var.kind == "enum":
        t = text.lower()
        t = _PG_ENUM_HIDDEN.get(t, t)
        if t not in var.choices:
            raise GrammarError(f'invalid value for parameter "{name}": "{mask_value(name, text)}" '
                               f"(available values: {', '.join(var.choices)})")
        return t
    if var.kind == "real":
        try:
            val: float = postgres_parse_real(text)
        except GrammarError:
            raise GrammarError(f'invalid value for parameter "{name}": '
                              f'"{mask_value(name, text)}"') from None
        _pg_range(var, val, text)
        return val
    try:
        n = postgres_parse_int(text, var.unit)
    except GrammarError as exc:
        raise GrammarError(f'invalid value for parameter "{name}": '
                           f'"{mask_value(name, text)}" ({exc})') from None
    _pg_range(var, n, text)
    return _pg_hook(var, n) * (var.unit or 1) if n != -1 or var.unit is None else -1


def _pg_range(var: Var, value: float, text: str) -> None:
    if var.minimum <= value <= var.maximum:
        return
    unit = {BLCKSZ: " 8kB", KIB: " kB"}.get(var.unit or 0, "")
    raise GrammarError(f'{_num(value)}{unit} is outside the valid range for parameter '
                       f'"{var.name}" ({_num(var.minimum)} .. {_num(var.maximum)})')


def _num(x: float) -> str:
    """A number as postgres prints it in range errors (``1.5``, ``16``)."""
    return f"{x:g}" if isinstance(x, float) and not x.is_integer() else str(int(x))


def _pg_hook(var: Var, n: int) -> int:
    """check_wal_buffers() raises 0-3 to 4 blocks; check_autovacuum_work_mem() raises a
    set value below 1MB to 1MB (both verified with postgres -C)."""
    if var.name == "wal_buffers" and 0 <= n < 4:
        return 4
    if var.name == "autovacuum_work_mem" and 0 <= n < 1024:
        return 1024
    return n


def _pg_derived(cfg: DatabaseConfig, key: str) -> Any:
    """wal_buffers = -1: XLOGChooseNumBuffers() = shared_buffers / 32 blocks, at most one
    WAL segment (16MB), at least 8 blocks (64kB). autovacuum_work_mem = -1: the workers use
    maintenance_work_mem."""
    value = cfg.raw_get(key)
    if key == "wal_buffers" and value == -1:
        blocks = int(cfg.raw_get("shared_buffers")) // BLCKSZ // 32
        blocks = max(min(blocks, WAL_SEGMENT_SIZE // XLOG_BLCKSZ), 8)
        return blocks * XLOG_BLCKSZ
    if key == "autovacuum_work_mem" and value == -1:
        return cfg.raw_get("maintenance_work_mem")
    return value


# -- shared memory ------------------------------------------------------------------------
#
# CalculateShmemSize() (src/backend/storage/ipc/ipci.c, PG 15-17) adds every subsystem's
# *ShmemSize(). The terms that grow with the settings are computed here as those functions
# compute them: the lock tables (lock.c LockShmemSize: hash_estimate_size(NLOCKENTS, LOCK)
# + hash_estimate_size(2 NLOCKENTS, PROCLOCK), + 10%), the predicate-lock tables
# (predicate.c PredicateLockShmemSize, the same shape + SERIALIZABLEXID), the WAL buffers
# (xlog.c XLOGShmemSize: a page and an LSN per buffer), the CLOG and commit-timestamp SLRU
# buffers sized from shared_buffers (clog.c CLOGShmemBuffers, commit_ts.c
# CommitTsShmemBuffers), BackendStatusArray's query strings (backend_status.c),
# replication slots, min_dynamic_shared_memory. The rest is fitted on postgres 15.18: a
# constant, a per-buffer cost beside the page (descriptor, I/O condition variable,
# checkpoint sort item, buffer mapping hash entry), a per-backend cost (PGPROC, ProcArray,
# sinval, proc signal slots ...) and a per-prepared-transaction cost; measured over 65
# configurations at 8 kB precision, within 0.1 % (tests/data/db/expected_pg_shmem.yaml
# holds 24 of them, with postgres -C shared_memory_size, and the test that keeps it so).
_SHMEM_BASE = 1188120
_SHMEM_PER_BUFFER = 8372  # the 8 kB page included
_SHMEM_PER_BACKEND = 6454
_SHMEM_PER_PREPARED = 5513
_NUM_AUX_PROCTYPES = 6  # BackendStatusArray also has the auxiliary processes' entries
_SLRU_SLOT_EXTRA = 160  # slot pointer, status, page number, LRU count, padded LWLock


def _maxalign(n: int) -> int:
    return (n + 7) // 8 * 8


def _next_pow2(n: int) -> int:
    p = 1
    while p < n:
        p <<= 1
    return p


def hash_estimate_size(num_entries: int, entrysize: int) -> int:
    """dynahash.c hash_estimate_size() for a shared table (fill factor 1, 256-bucket
    segments, elements allocated in chunks of choose_nelem_alloc())."""
    num_entries = max(num_entries, 1)
    nbuckets = _next_pow2(num_entries)
    nsegments = _next_pow2((nbuckets - 1) // 256 + 1)
    ndir = 256
    while ndir < nsegments:
        ndir <<= 1
    element = 16 + _maxalign(entrysize)  # HASHELEMENT + entry
    alloc, per_alloc = 32 * 4, 0
    while per_alloc < 32:
        alloc <<= 1
        per_alloc = alloc // element
    chunks = (num_entries - 1) // per_alloc + 1
    return _maxalign(96) + ndir * 8 + nsegments * 256 * 8 + chunks * per_alloc * element


def max_backends(cfg: DatabaseConfig) -> int:
    """InitializeMaxBackends(), PG 15-17: connections + autovacuum workers + the launcher +
    background workers + WAL senders."""
    return sum(int(cfg.get(n) or 0) for n in (
        "max_connections", "autovacuum_max_workers", "max_worker_processes",
        "max_wal_senders")) + 1


def shared_memory_terms(cfg: DatabaseConfig) -> list[tuple[str, int, str | None]]:
    """What ``postgres -C shared_memory_size`` adds up, term by term: (label, bytes, the
    setting that drives it)."""
    nbuffers = int(cfg.get("shared_buffers")) // BLCKSZ
    wal_blocks = int(cfg.get("wal_buffers")) // XLOG_BLCKSZ
    backends = max_backends(cfg)
    prepared = int(cfg.get("max_prepared_transactions") or 0)
    xacts = backends + prepared
    locks = int(cfg.get("max_locks_per_transaction")) * xacts
    lock = hash_estimate_size(locks, 152) + hash_estimate_size(2 * locks, 64)
    pred_n = int(cfg.get("max_pred_locks_per_transaction")) * xacts
    pred = hash_estimate_size(pred_n, 32) + hash_estimate_size(2 * pred_n, 56)
    slru = (min(128, max(4, nbuffers // 512)) * (2 * BLCKSZ + _SLRU_SLOT_EXTRA) +
            min(256, max(4, nbuffers // 256)) * (BLCKSZ + _SLRU_SLOT_EXTRA))
    return [
        (f"shared_buffers ({nbuffers} × {_SHMEM_PER_BUFFER} B)", nbuffers * _SHMEM_PER_BUFFER,
         "shared_buffers"),
        (f"wal_buffers ({wal_blocks} × 8200 B)", wal_blocks * (XLOG_BLCKSZ + 8), "wal_buffers"),
        (f"lock tables ({locks} locks)", lock + lock // 10, "max_locks_per_transaction"),
        (f"predicate locks ({pred_n})",
         pred + pred // 10 + hash_estimate_size(10 * xacts, 24),
         "max_pred_locks_per_transaction"),
        (f"{backends} backend slots and query strings",
         backends * _SHMEM_PER_BACKEND + (backends + _NUM_AUX_PROCTYPES) *
         int(cfg.get("track_activity_query_size")), "max_connections"),
        (f"prepared transactions ({prepared} × {_SHMEM_PER_PREPARED} B)",
         prepared * _SHMEM_PER_PREPARED, "max_prepared_transactions"),
        ("CLOG and commit-timestamp buffers", slru, None),
        ("replication slots (× 316 B)", int(cfg.get("max_replication_slots")) * 316,
         "max_replication_slots"),
        ("min_dynamic_shared_memory", int(cfg.get("min_dynamic_shared_memory")),
         "min_dynamic_shared_memory"),
        ("fixed shared structures", _SHMEM_BASE, None),
    ]


def shared_memory_size(cfg: DatabaseConfig) -> int:
    """``postgres -C shared_memory_size`` in bytes (before its rounding up to MB), rounded
    up to 8 kB as CalculateShmemSize() does."""
    size = sum(t[1] for t in shared_memory_terms(cfg))
    return size + BLCKSZ - size % BLCKSZ


def shared_memory_huge_pages(cfg: DatabaseConfig, hugepage: int) -> int:
    """``postgres -C shared_memory_size_in_huge_pages``: the size in huge pages, rounded up."""
    return -(-shared_memory_size(cfg) // hugepage)
