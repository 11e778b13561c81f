"""Database servers' configuration resolved into effective values, the way the server does.

MySQL/MariaDB (`load_mysql`): option files read in order (mysys/my_default.c, the includes
followed in place), options kept only from the groups the server reads, then mysqld's option
matching (mysys/my_getopt.c ``handle_options``: ``-``/``_`` equal, case-insensitive names,
the ``loose-``/``skip-``/``disable-``/``enable-``/``maximum-``/``autoset-`` prefixes,
MariaDB's unique-prefix matching), the size grammar (`units.mysqld_parse_size`) and the
range clamp (``getopt_ull_limit_value``). The last assignment in read order wins.

PostgreSQL (`load_postgresql`): guc-file.l ``ParseConfigFile`` (includes, include_dir,
nesting limit), then ``ProcessConfigFileInternal``: earlier lines with the *same spelling*
of a name are superseded and never validated, every other value is parsed
(`units.postgres_parse_int`, ...) and range-checked, and any error stops the server.

Only what the server is sure to refuse at startup is put in ``DatabaseConfig.refused``: an
unknown variable cannot be told from a plugin's, so only the memory variables modelled here
are validated. Everything is read through the `Tree`; nothing here opens a file or raises.
Values marked "verified" were obtained by running mariadbd 10.11.19 and postgres 15.18
(tests/data/db/record.py); "docs" values come from the vendors' manuals.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from oomlint.findings import Problems
from oomlint.parsers.mycnf import MyCnfFile, MyDirective, MyOption, parse_mycnf
from oomlint.parsers.postgresql_conf import PgConfFile, PgInclude, PgLine, parse_pg_conf
from oomlint.parsers.pragma import Pragma
from oomlint.parsers.source import Tree
from oomlint.provenance import Loc, Setting
from oomlint.units import (
    GIB,
    KIB,
    MIB,
    UINT64_MAX,
    GrammarError,
    mysqld_limit,
    mysqld_parse_bool,
    mysqld_parse_size,
    postgres_parse_int,
    postgres_parse_real,
)

SYNTAX_ERROR = "OOM005"
MAX_INCLUDE_LEVEL = 10  # my_default.c max_recursion_level; guc-file.l "depth > 10"
MAX_FILE_READS = 2000  # guard against include fan-out (a cycle through an includedir)
UINT32_MAX = 2**32 - 1


@dataclass(frozen=True)
class Var:
    """A modelled server variable: type, default, and the limits the server applies.

    `kind` is "size" (bytes), "int", "bool", "real" or "enum". For mysqld, `minimum`,
    `maximum`, `block` and `type_max` feed ``getopt_ull_limit_value``, `session` says
    whether ``maximum-`` may set a ceiling, and `plugin` names the MariaDB plugin whose own
    option pass reads the variable (see `_MySqlReader.apply`). For postgres, `unit` is the base unit in bytes
    of a memory parameter and `minimum`/`maximum` are in that unit. A `default` of None
    means "depends on the host's RAM" (see `DatabaseConfig.get`)."""

    name: str
    kind: str
    default: Any
    minimum: int | float = 0
    maximum: int | float = 0
    block: int = 1
    type_max: int = UINT64_MAX
    session: bool = False
    unit: int | None = None
    choices: tuple[str, ...] = ()
    source: str = "verified"
    plugin: str | None = None


@dataclass
class DatabaseConfig:
    """A database server's effective configuration, every explicit value with provenance."""

    kind: str  # "mysql" | "postgresql"
    flavor: str  # e.g. "mariadb-10.11", "mysql-8.4", "postgresql-15"
    files: list[str] = field(default_factory=list)  # tree-relative, in read order
    settings: dict[str, Setting] = field(default_factory=dict)
    refused: list[tuple[Loc, str, str]] = field(default_factory=list)
    pragmas: list[Pragma] = field(default_factory=list)
    variables: dict[str, Var] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    # `refused` as a set: a list membership test per refusal is quadratic, and a file of
    # broken lines makes thousands of refusals.
    _refused_keys: set = field(default_factory=set, repr=False, compare=False)

    def canonical(self, name: str) -> str:
        key = name.lower().replace("-", "_") if self.kind == "mysql" else name.lower()
        return self.aliases.get(key, key)

    def source(self, name: str) -> Setting | None:
        """The explicit setting the effective value comes from (with the assignments it
        overrode), or None for a default. For PostgreSQL's ``autovacuum_work_mem = -1``
        that is the ``maintenance_work_mem`` line (its `key` says so): the value is that
        one, and it is the line to change."""
        key = self.canonical(name)
        if self.kind == "postgresql" and key == "autovacuum_work_mem" and \
                self.raw_get(key) == -1 and "maintenance_work_mem" in self.settings:
            return self.settings["maintenance_work_mem"]
        return self.settings.get(key)

    def get(self, name: str, ram: int | None = None) -> Any:
        """The effective value, else the flavor's default; bytes for sizes, None for a
        variable this flavor does not have. Derived values are resolved as the server
        does: PostgreSQL ``wal_buffers = -1`` and ``autovacuum_work_mem = -1``; MySQL
        8.x ``innodb_dedicated_server`` and 8.4's ``temptable_max_ram`` from `ram` (their
        lower bound when `ram` is None)."""
        key = self.canonical(name)
        if self.kind == "postgresql":
            return _pg_derived(self, key)
        return _mysql_derived(self, key, ram)

    def raw_get(self, key: str) -> Any:
        s = self.settings.get(key)
        if s is not None:
            return s.value
        var = self.variables.get(key)
        return var.default if var is not None else None

    def refuse(self, loc: Loc, written: str, reason: str) -> None:
        if (loc, written, reason) not in self._refused_keys:
            self._refused_keys.add((loc, written, reason))
            self.refused.append((loc, written, reason))


# ======================================================================================
# MySQL / MariaDB
# ======================================================================================

_U32 = UINT32_MAX


def _v(name, kind, default, minimum=0, maximum=0, block=1, type_max=UINT64_MAX, session=False,
       source="verified", plugin=None) -> Var:
    return Var(name, kind, default, minimum, maximum, block, type_max, session, source=source,
               plugin=plugin)


# MariaDB 10.11.19: defaults from `mariadbd --no-defaults --verbose --help`, limits from
# information_schema.SYSTEM_VARIABLES (NUMERIC_MIN/MAX_VALUE, NUMERIC_BLOCK_SIZE, type).
_MARIADB_1011 = {v.name: v for v in (
    _v("innodb_buffer_pool_size", "size", 128 * MIB, 2 * MIB, 18446744073701163008, MIB,
       plugin="InnoDB"),
    _v("key_buffer_size", "size", 128 * MIB, 0, UINT64_MAX, 4096),
    _v("innodb_log_buffer_size", "size", 16 * MIB, 2 * MIB, 2147479552, 4096, _U32,
       plugin="InnoDB"),
    _v("query_cache_size", "size", MIB, 0, UINT64_MAX, 1024),
    _v("aria_pagecache_buffer_size", "size", 128 * MIB, 131072, UINT64_MAX, plugin="Aria"),
    _v("max_connections", "int", 151, 10, 100000),
    _v("read_buffer_size", "size", 128 * KIB, 8192, 2147483647, 4096, session=True),
    _v("read_rnd_buffer_size", "size", 256 * KIB, 1, 2147483647, session=True),
    _v("sort_buffer_size", "size", 2 * MIB, 1024, UINT64_MAX, session=True),
    _v("join_buffer_size", "size", 256 * KIB, 128, UINT64_MAX, 128, session=True),
    _v("thread_stack", "size", 299008, 131072, UINT64_MAX, 1024),
    _v("binlog_cache_size", "size", 32 * KIB, 4096, UINT64_MAX, 4096),
    _v("tmp_table_size", "size", 16 * MIB, 0, UINT64_MAX, 16384, session=True),
    _v("max_heap_table_size", "size", 16 * MIB, 16384, UINT64_MAX, 1024, session=True),
    _v("performance_schema", "bool", False),
)}
# MariaDB 11.x: no change to these was found in the release notes [docs, not run here].
_MARIADB_11 = {k: Var(**{**v.__dict__, "source": "docs"}) for k, v in _MARIADB_1011.items()}
# MySQL 8.0 reference manual, server system variables [docs, not run here].
_MYSQL_80 = {v.name: v for v in (
    _v("innodb_buffer_pool_size", "size", 128 * MIB, 5 * MIB, UINT64_MAX, source="docs"),
    _v("key_buffer_size", "size", 8 * MIB, 8, UINT64_MAX, 4096, source="docs"),
    _v("innodb_log_buffer_size", "size", 16 * MIB, 256 * KIB, _U32, source="docs"),
    _v("max_connections", "int", 151, 1, 100000, source="docs"),
    _v("read_buffer_size", "size", 128 * KIB, 8192, 2147479552, 4096, session=True,
       source="docs"),
    _v("read_rnd_buffer_size", "size", 256 * KIB, 1, 2147483647, session=True, source="docs"),
    _v("sort_buffer_size", "size", 256 * KIB, 32768, UINT64_MAX, session=True, source="docs"),
    _v("join_buffer_size", "size", 256 * KIB, 128, UINT64_MAX, 128, session=True,
       source="docs"),
    _v("thread_stack", "size", MIB, 131072, UINT64_MAX, 1024, source="docs"),
    _v("binlog_cache_size", "size", 32 * KIB, 4096, UINT64_MAX, 4096, source="docs"),
    _v("tmp_table_size", "size", 16 * MIB, 1024, UINT64_MAX, session=True, source="docs"),
    _v("max_heap_table_size", "size", 16 * MIB, 16384, UINT64_MAX, 1024, session=True,
       source="docs"),
    _v("performance_schema", "bool", True, source="docs"),
    _v("innodb_dedicated_server", "bool", False, source="docs"),
    _v("temptable_max_ram", "size", GIB, 2 * MIB, UINT64_MAX, source="docs"),
    Var("internal_tmp_mem_storage_engine", "enum", "TempTable", choices=("TempTable", "MEMORY"),
        source="docs"),
)}
# MySQL 8.4 changed defaults: innodb_log_buffer_size 64M; temptable_max_ram 3% of RAM
# clamped to [1G, 4G] [docs].
_MYSQL_84 = {**_MYSQL_80,
             "innodb_log_buffer_size": _v("innodb_log_buffer_size", "size", 64 * MIB,
                                          256 * KIB, _U32, source="docs"),
             "temptable_max_ram": _v("temptable_max_ram", "size", None, 2 * MIB, UINT64_MAX,
                                     source="docs")}
_MARIADB_ALIASES = {"tmp_memory_table_size": "tmp_table_size"}
# Shortest name mariadbd 10.11.19 accepts for each variable through my_getopt's prefix
# matching (found by trying every prefix; `m=500` really sets max_connections, `k=` is
# ambiguous). Every longer prefix of the name works too. MySQL removed prefixes in 5.7
# (WL#6978).
_MARIADB_MIN_PREFIX = {
    "innodb_buffer_pool_size": "innodb_buffer_pool_size", "key_buffer_size": "key_b",
    "innodb_log_buffer_size": "innodb_log_b", "query_cache_size": "query_cache_si",
    "aria_pagecache_buffer_size": "aria_pagecache_b", "max_connections": "m",
    "read_buffer_size": "read_bu", "read_rnd_buffer_size": "read_r", "sort_buffer_size": "sor",
    "join_buffer_size": "join_buffer_si", "thread_stack": "thread_s",
    "binlog_cache_size": "binlog_ca", "tmp_table_size": "tmp_t",
    "max_heap_table_size": "max_h", "performance_schema": "performance_schema",
    "tmp_memory_table_size": "tmp_m",
}
_MYSQL_PREFIXES = ("skip", "disable", "enable", "maximum", "loose")
_MARIADB_PREFIXES = (*_MYSQL_PREFIXES, "autoset")


@dataclass(frozen=True)
class MySqlFlavor:
    product: str  # "mariadb" | "mysql"
    version: str  # "10.11"
    groups: frozenset[str]
    variables: dict[str, Var]
    aliases: dict[str, str]
    prefixes: tuple[str, ...]
    min_prefix: dict[str, str]

    @property
    def server(self) -> str:
        return "mariadbd" if self.product == "mariadb" else "mysqld"


def mysql_flavor(flavor: str) -> MySqlFlavor:
    """Groups and variables for "mariadb-10.11", "mariadb-11.4", "mysql-8.0", "mysql-8.4".

    Groups from include/mysqld_default_groups.h (MariaDB: mysqld server mysqld-X.Y mariadb
    mariadb-X.Y mariadbd mariadbd-X.Y, plus mariadb-N mariadbd-N from 11, client-server,
    galera with WSREP as Debian builds it) and MySQL's mysqld.cc (mysqld server
    mysqld-X.Y). An unknown version uses the nearest table."""
    product, _, version = flavor.lower().partition("-")
    if product not in ("mariadb", "mysql"):
        product, version = "mariadb", version or "10.11"
    if product == "mariadb":
        version = version or "10.11"
        major = version.split(".")[0]
        groups = ["mysqld", "server", f"mysqld-{version}", "mariadb", f"mariadb-{version}",
                  "mariadbd", f"mariadbd-{version}", "client-server", "galera"]
        if major.isdigit() and int(major) >= 11:
            groups += [f"mariadb-{major}", f"mariadbd-{major}"]
        table = _MARIADB_11 if major.isdigit() and int(major) >= 11 else _MARIADB_1011
        return MySqlFlavor("mariadb", version, frozenset(groups), table, _MARIADB_ALIASES,
                           _MARIADB_PREFIXES, _MARIADB_MIN_PREFIX)
    version = version or "8.0"
    table = _MYSQL_84 if _version_tuple(version) >= (8, 4) else _MYSQL_80
    return MySqlFlavor("mysql", version, frozenset(["mysqld", "server", f"mysqld-{version}"]),
                       table, {}, _MYSQL_PREFIXES, {})


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for p in version.split("."):
        if not p.isdigit():
            break
        parts.append(int(p))
    return tuple(parts)


def load_mysql(tree: Tree, start_files: list[str], flavor: str,
               problems: Problems) -> DatabaseConfig | None:
    """Read the option files a MySQL/MariaDB server reads, starting from `start_files` in
    order (e.g. ``["/etc/my.cnf", "/etc/mysql/my.cnf"]``, missing ones skipped, or a
    ``--defaults-file``). None when none of them could be read."""
    spec = mysql_flavor(flavor)
    cfg = DatabaseConfig("mysql", flavor, variables=dict(spec.variables),
                         aliases=dict(spec.aliases))
    reader = _MySqlReader(tree, spec, cfg, problems)
    for path in start_files:
        if tree.lookup(path).kind != "missing":  # a directory or a loop is reported when read
            reader.read(posixpath.normpath("/" + path.lstrip("/")), 0, ())
    return cfg if cfg.files else None


class _ConfReader:
    """Reads each configuration file of one server once (includes may name it again) and
    records it, in read order, in the configuration it feeds."""

    parser = staticmethod(parse_mycnf)

    def parse(self, vpath: str):
        target = self.tree.lookup(vpath).target
        if target not in self.parsed:
            got = self.tree.read_text(vpath, self.problems)
            self.parsed[target] = None if got is None else self.parser(got[1], got[0],
                                                                       self.problems)
        parsed = self.parsed[target]
        if parsed is not None and parsed.path not in self.cfg.files:
            self.cfg.files.append(parsed.path)
            self.cfg.pragmas.extend(parsed.pragmas)
        return parsed


class _MySqlReader(_ConfReader):
    """search_default_file_with_ext(): one file at a level, includes followed in place."""

    def __init__(self, tree: Tree, spec: MySqlFlavor, cfg: DatabaseConfig, problems: Problems):
        self.tree, self.spec, self.cfg, self.problems = tree, spec, cfg, problems
        self.parsed: dict[str, MyCnfFile | None] = {}
        self.reads = 0
        self.reported: set[tuple[Loc, str]] = set()

    def note(self, loc: Loc, message: str) -> None:
        if (loc, message) not in self.reported:
            self.reported.add((loc, message))
            self.problems.add(SYNTAX_ERROR, loc, message)

    def read(self, vpath: str, level: int, stack: tuple[str, ...], at: Loc | None = None) -> None:
        self.reads += 1
        if self.reads > MAX_FILE_READS:
            if at is not None:
                self.note(at, f"more than {MAX_FILE_READS} option files read through "
                          "includes: oomlint stops following them here")
            return
        parsed = self.parse(vpath)
        if parsed is None:
            return
        stack = (*stack, self.tree.lookup(vpath).target)
        for item in parsed.items:
            if isinstance(item, MyDirective):
                if not self.directive(item, level, stack):
                    return  # "goto err": the rest of this file is not read
            elif isinstance(item, MyOption):
                self.option(item)
        if parsed.stop is not None:
            self.stopped(parsed.stop.loc, parsed.stop.written, parsed.stop.message, level)

    def stopped(self, loc: Loc, written: str, message: str, level: int) -> None:
        """A fatal line: the server does not start (first-level file), or drops the rest
        of an included file (the including file ignores the error)."""
        if level == 0:
            self.cfg.refuse(loc, written, message)
        else:
            self.note(loc, f"{message}; {self.spec.server} ignores the rest of this "
                      "included file")

    def directive(self, d: MyDirective, level: int, stack: tuple[str, ...]) -> bool:
        """Follow !include / !includedir; False when the server stops reading the file."""
        if level >= MAX_INCLUDE_LEVEL:
            self.note(d.loc, f"!{d.kind} skipped: maximum include recursion level "
                      f"({MAX_INCLUDE_LEVEL}) reached")
            return True
        # mysqld opens relative names from its working directory, "/" under systemd.
        path = posixpath.normpath(posixpath.join("/", d.path))
        if d.kind == "include":
            self.follow(path, d, level, stack)
            return True
        entry = self.tree.lookup(path)
        if entry.kind != "dir":
            self.stopped(d.loc, f"!includedir {d.path}",
                         f"Can't read dir of '{d.path}' (No such directory)", level)
            return False
        for name in self.tree.listdir(path):  # my_dir(MY_WANT_SORT): strcmp order
            if name.endswith(".cnf"):  # fn_ext2(): the text after the last '.'
                self.follow(posixpath.join(path, name), d, level, stack)
        return True

    def follow(self, path: str, d: MyDirective, level: int, stack: tuple[str, ...]) -> None:
        entry = self.tree.lookup(path)
        if entry.kind in ("dir", "loop", "other"):
            self.tree.read_text(path, self.problems)  # reported (OOM001 / OOM006)
        if entry.kind not in ("file", "devnull"):
            return  # the server ignores a missing !include; a directory reads as empty
        if entry.target in stack:
            self.note(d.loc, f"include cycle through {d.path}: {self.spec.server} re-reads "
                      f"the files until the include depth limit ({MAX_INCLUDE_LEVEL})")
        self.read(path, level + 1, stack, d.loc)

    # -- options ---------------------------------------------------------------------------

    def option(self, opt: MyOption) -> None:
        if opt.group not in self.spec.groups:
            return
        var, action, loose = self.resolve(opt.full_name)
        if var is None:
            self.unknown(opt, loose)
            return
        self.apply(opt, self.cfg.variables[var], action, loose)

    def find(self, name: str) -> str | None:
        """my_getopt findopt(): the exact name, an alias, or (MariaDB) a unique prefix."""
        key = self.spec.aliases.get(name, name)
        if key in self.spec.variables:
            return key
        for full, shortest in self.spec.min_prefix.items():
            if full.startswith(name) and len(name) >= len(shortest):
                key = self.spec.aliases.get(full, full)
                return key if key in self.spec.variables else None
        return None

    def resolve(self, full: str) -> tuple[str | None, str | None, bool]:
        """handle_options(): the name as given, else retried after each special prefix
        (the retry restarts from the first prefix: ``loose-skip-x`` works). Returns the
        variable, the prefix that found it, and whether ``loose-`` was seen."""
        found = self.find(full)
        if found is not None:
            return found, None, False
        name, loose, peeled = full, False, True
        while peeled:
            peeled = False
            for p in self.spec.prefixes:
                if name.startswith(p + "_"):
                    name, loose, peeled = name[len(p) + 1:], loose or p == "loose", True
                    found = self.find(name)
                    if found is not None:
                        return found, p, loose
                    break
        return None, None, loose

    def unknown(self, opt: MyOption, loose: bool) -> None:
        """An unknown variable is fatal without ``loose-``; it can only be told apart from
        a real one here when the name cannot be any option (empty or with whitespace)."""
        if loose or (opt.full_name and not any(c.isspace() for c in opt.full_name)):
            return
        self.cfg.refuse(opt.loc, opt.written, f"unknown variable '{opt.written}'")

    def apply(self, opt: MyOption, var: Var, action: str | None, loose: bool) -> None:
        """Set `var` as handle_options()/setval() would. MariaDB's InnoDB and Aria options
        go through the plugin's own pass: there ``maximum-X`` sets X itself (the plugin's
        maximum pointer is the value), and an error disables the plugin instead of exiting,
        after which a real start aborts (both verified on 10.11.19)."""
        if action == "maximum" and not var.plugin:
            if not var.session and not loose:
                self.refuse(opt, var, f"Maximum value of '{var.name}' cannot be set")
            return  # a session variable's ceiling for SET; the value itself is unchanged
        if action == "autoset":
            if opt.value is not None or not loose:
                self.refuse(opt, var, "automatic setup request is unsupported by option "
                            f"'--{var.name}'")
            return
        arg = _prefixed_argument(action, opt.value)
        if var.kind == "enum" and arg is not None:
            match = next((c for c in var.choices if c.lower() == arg.lower()), None)
            if match is None:
                if not loose:
                    self.refuse(opt, var, f"invalid value '{arg}' for {var.name}")
                return
            value: Any = match
        elif var.kind == "bool":
            value = True if arg is None else bool(mysqld_parse_bool(arg))
        elif arg is None:
            self.refuse(opt, var, f"option '--{var.name}' requires an argument")
            return
        else:
            try:
                value = mysqld_limit(mysqld_parse_size(arg), int(var.minimum),
                                     int(var.maximum), var.block, var.type_max)
            except GrammarError as exc:
                if not loose:
                    self.refuse(opt, var, f"{exc} for {var.name}")
                    return
                value = 0  # loose-: the error is ignored and the variable reads 0 (verified)
        s = Setting(var.name, opt.raw if opt.raw is not None else "", value, opt.loc)
        self.cfg.settings[var.name] = s.overriding(self.cfg.settings.get(var.name))


    def refuse(self, opt: MyOption, var: Var, reason: str) -> None:
        if var.plugin and self.spec.product == "mariadb":
            reason += (f"; mariadbd disables the {var.plugin} plugin and then aborts at "
                       "startup")
        self.cfg.refuse(opt.loc, opt.written, reason)


def _prefixed_argument(action: str | None, value: str | None) -> str | None:
    """skip-/disable- give "0" (``=0`` makes it "1"), enable- gives "1" (``=0``: "0")."""
    if action in ("skip", "disable"):
        return "1" if value == "0" else "0"
    if action == "enable":
        return "0" if value == "0" else "1"
    return value


def _mysql_derived(cfg: DatabaseConfig, key: str, ram: int | None) -> Any:
    """innodb_dedicated_server sizes an unset buffer pool from RAM (<1G: 128M, 1-4G: 50%,
    above: 75%); MySQL 8.4's temptable_max_ram is 3% of RAM within [1G, 4G] [docs]."""
    if key == "innodb_buffer_pool_size" and key not in cfg.settings and \
            cfg.raw_get("innodb_dedicated_server"):
        if ram is None or ram < GIB:
            return 128 * MIB
        return ram // 2 if ram <= 4 * GIB else ram * 3 // 4
    if key == "temptable_max_ram" and key not in cfg.settings and \
            key in cfg.variables and cfg.variables[key].default is None:
        return GIB if ram is None else min(max(ram * 3 // 100, GIB), 4 * GIB)
    return cfg.raw_get(key)


# ======================================================================================
# PostgreSQL
# ======================================================================================

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
                         aliases=dict(_PG_ALIASES))
    reader = _PgReader(tree, cfg, problems)
    main = posixpath.normpath("/" + conf_path.lstrip("/"))
    if tree.lookup(main).kind not in ("file", "devnull") or reader.parse(main) is None:
        return None
    reader.parse_file(main, True, None, 0)
    if auto_conf_path:
        reader.parse_file(posixpath.normpath("/" + auto_conf_path.lstrip("/")), False, None, 0)
    _pg_apply(cfg, reader.lines)
    return cfg


@dataclass(frozen=True)
class _Caller:
    """The file and line of an include directive (for relative paths and errors)."""

    vpath: str
    loc: Loc
    written: str


class _PgReader(_ConfReader):
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
            return self.error(caller, f'could not open configuration file "{vpath}": '
                              "maximum nesting depth exceeded")
        if caller is not None and vpath == caller.vpath:
            return self.error(caller, f'configuration file recursion in "{vpath}"')
        entry = self.tree.lookup(vpath)
        if entry.kind in ("loop", "other"):
            self.tree.read_text(vpath, self.problems)  # reported: OOM006 / OOM001
        if entry.kind not in ("file", "devnull"):
            if not strict and entry.kind == "missing":
                return True  # include_if_exists: "skipping missing configuration file"
            why = "Is a directory" if entry.kind == "dir" else "No such file or directory"
            return self.error(caller, f'could not open configuration file "{vpath}": {why}')
        self.reads += 1
        parsed = self.parse(vpath) if self.reads <= MAX_FILE_READS else None
        if parsed is None:
            return strict is False or self.error(caller, f'could not read "{vpath}"')
        ok = True
        for item in parsed.items:
            if isinstance(item, PgInclude):
                ok = self.include(item, vpath, depth) and ok
            elif item.error is not None:
                self.cfg.refuse(item.loc, item.written, item.error)
                ok = False
            else:
                self.lines.append(item)
        return ok

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
            return self.error(caller, f'could not open configuration directory "{path}": '
                              "No such file or directory")
        for name in self.tree.listdir(path):
            if len(name) < 6 or name.startswith(".") or not name.endswith(".conf"):
                continue
            full = posixpath.join(path, name)
            kind = self.tree.lookup(full).kind
            if kind == "dir":
                continue
            if kind == "missing":
                return self.error(caller, f'could not stat file "{full}"')
            if not self.parse_file(full, True, caller, depth):
                return False
        return True


def _pg_apply(cfg: DatabaseConfig, lines: list[PgLine]) -> None:
    """ProcessConfigFileInternal(): an earlier line whose name is spelled *exactly* like a
    later one is superseded and never validated (``Shared_Buffers`` or the old alias
    ``sort_mem`` do not supersede ``shared_buffers``/``work_mem``: both are validated);
    every other line is parsed and applied in order, and an invalid one stops the
    server."""
    last = {line.raw_name: i for i, line in enumerate(lines)}
    ignored = [last[line.raw_name] != i for i, line in enumerate(lines)]
    latest: dict[str, Setting] = {}
    for line, superseded in zip(lines, ignored):
        key = cfg.aliases.get(line.name, line.name)
        var = cfg.variables.get(key)
        if var is None:
            if not _ASCII_NAME.fullmatch(line.name) and "." not in line.name:
                # every built-in name is ASCII: e.g. a UTF-8 byte-order mark glued to it
                cfg.refuse(line.loc, line.written, "unrecognized configuration parameter "
                           f'"{line.raw_name}"')
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


def pg_value(var: Var, text: str) -> Any:
    """A value as set_config_option() checks it, in oomlint's units (bytes for memory)."""
    name = var.name
    if var.kind == "string":
        return text
    if var.kind == "enum":
        t = text.lower()
        t = _PG_ENUM_HIDDEN.get(t, t)
        if t not in var.choices:
            raise GrammarError(f'invalid value for parameter "{name}": "{text}" '
                               f"(available values: {', '.join(var.choices)})")
        return t
    if var.kind == "real":
        try:
            val: float = postgres_parse_real(text)
        except GrammarError:
            raise GrammarError(f'invalid value for parameter "{name}": "{text}"') from None
        _pg_range(var, val, text)
        return val
    try:
        n = postgres_parse_int(text, var.unit)
    except GrammarError as exc:
        raise GrammarError(f'invalid value for parameter "{name}": "{text}" '
                           f"({exc})") from None
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

