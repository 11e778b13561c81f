"""MySQL/MariaDB configuration resolved into effective values, the way the server does.

`load_mysql`: option files read in order (mysys/my_default.c, the includes followed in
place), options kept only from the groups the server reads, then mysqld's option matching
(mysys/my_getopt.c ``handle_options``: ``-``/``_`` equal, case-insensitive names, the
``loose-``/``skip-``/``disable-``/``enable-``/``maximum-``/``autoset-`` prefixes, MariaDB's
unique-prefix matching), the size grammar (base/grammar/mysqld.py) and the range clamp
(``getopt_ull_limit_value``). The last assignment in read order wins. Everything is read
through the `Tree`; nothing here opens a file or raises.
"""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass
from typing import Any

from oomlint.base.findings import Problems
from oomlint.base.grammar.c import GIB, KIB, MIB, UINT64_MAX, GrammarError
from oomlint.base.grammar.mysqld import mysqld_limit, mysqld_parse_bool, mysqld_parse_size
from oomlint.base.ids import SYNTAX_ERROR
from oomlint.base.provenance import Loc, Setting
from oomlint.base.redact import line_key, mask_value, shown
from oomlint.model.server_config import (
    MAX_FILE_READS,
    MAX_INCLUDE_LEVEL,
    UINT32_MAX,
    ConfReader,
    DatabaseConfig,
    Var,
)
from oomlint.parsers.mycnf import MyCnfFile, MyDirective, MyOption
from oomlint.sources.templates import is_templated, templated_value
from oomlint.sources.tree import Tree

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
    _v("max_allowed_packet", "size", 16 * MIB, 1024, GIB, 1024),
    # my_getopt_prefix_matching: mariadbd applies it before any other option, wherever it
    # is written (`disable-getopt-prefix-matching` after `sort_buf=1M` still refuses it).
    _v("getopt_prefix_matching", "bool", True),
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
    _v("max_allowed_packet", "size", 64 * MIB, 1024, GIB, 1024, source="docs"),
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
    "tmp_memory_table_size": "tmp_m", "max_allowed_packet": "max_a",
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
    # With prefix matching disabled: the prefixes that would have matched, now refused.
    refuse_prefixes: dict[str, str] = dataclasses.field(default_factory=dict)

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


def load_mysql(tree: Tree, start_files: list[str], flavor: str, problems: Problems,
               group_suffix: str | None = None,
               prefix_matching: bool = True) -> DatabaseConfig | None:
    """Read the option files a MySQL/MariaDB server reads, starting from `start_files` in
    order (e.g. ``["/etc/my.cnf", "/etc/mysql/my.cnf"]``, missing ones skipped, or a
    ``--defaults-file``). None when none of them could be read.

    `group_suffix` is ``--defaults-group-suffix`` (or ``MYSQL_GROUP_SUFFIX``): every group
    the server reads is also read with the suffix appended (``[mysqld.2]``), in file order
    (my_default.c ``my_load_defaults``). `prefix_matching` False is
    ``--disable-getopt-prefix-matching`` on the command line; the option files can say so
    too (``disable-getopt-prefix-matching``), and mariadbd applies it to every option,
    before or after it: then only full names are accepted (both verified on 10.11.19)."""
    spec = mysql_flavor(flavor)
    if group_suffix:
        spec = dataclasses.replace(spec, groups=spec.groups | {
            g + group_suffix for g in spec.groups})
    cfg, reader = _read_mysql(tree, start_files, flavor, spec, problems, {})
    if spec.product == "mariadb" and (not prefix_matching or reader.prefix_off_at is not None):
        # Read again from the files already parsed, without prefix matching. mariadbd's
        # early pass (mysqld.cc handle_early_options) has already taken the PARSED_EARLY
        # variables written before the switch with prefixes (`m=300` above
        # `disable-getopt-prefix-matching`, or any with the switch on the command line).
        strict = dataclasses.replace(spec, min_prefix={}, refuse_prefixes=spec.min_prefix)
        off_at = reader.prefix_off_at if prefix_matching else reader.index + 1
        cfg, _ = _read_mysql(tree, start_files, flavor, strict, Problems(), reader.parsed,
                             early_until=off_at)
    return cfg if cfg.files else None


# mariadbd 10.11 variables parsed in the early option pass (sys_vars.cc PARSED_EARLY), of
# those modelled: found by writing each as a prefix above disable-getopt-prefix-matching.
_EARLY = frozenset({"max_connections"})


def _read_mysql(tree: Tree, start_files: list[str], flavor: str, spec: MySqlFlavor,
                problems: Problems, parsed: dict, early_until: int = 0):
    cfg = DatabaseConfig("mysql", flavor, variables=dict(spec.variables),
                         aliases=dict(spec.aliases), derive=_mysql_derived)
    reader = _MySqlReader(tree, spec, cfg, problems)
    reader.parsed, reader.early_until = parsed, early_until
    for path in start_files:
        if tree.lookup(path).kind != "missing":  # a directory or a loop is reported when read
            reader.read(posixpath.normpath("/" + path.lstrip("/")), 0, ())
    return cfg, reader


class _MySqlReader(ConfReader):
    """search_default_file_with_ext(): one file at a level, includes followed in place."""

    def __init__(self, tree: Tree, spec: MySqlFlavor, cfg: DatabaseConfig, problems: Problems):
        self.tree, self.spec, self.cfg, self.problems = tree, spec, cfg, problems
        self.parsed: dict[str, MyCnfFile | None] = {}
        self.reads = 0
        self.reported: set[tuple[Loc, str]] = set()
        self.index = 0  # options of the server's groups seen, in read order
        self.prefix_off_at: int | None = None  # the first that disables prefix matching
        self.early_until = 0  # before it, PARSED_EARLY variables still match prefixes

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
            self.stopped(parsed.stop.loc, parsed.stop.written, parsed.stop.message, level, at)

    def stopped(self, loc: Loc, written: str, message: str, level: int,
                at: Loc | None = None) -> None:
        """A fatal line: the server does not start (first-level file), or drops the rest
        of an included file (the including file ignores the error). The message names the
        line, never its text: an included file may not be an option file at all
        (``!include /etc/shadow``)."""
        if level == 0:
            self.cfg.refuse(loc, written, message)
        else:
            included = f" (included from {at.path}:{at.line})" if at is not None else ""
            self.note(loc, f"{message}{included}; {self.spec.server} ignores the rest of "
                      "this included file")

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
                         f"Can't read dir of '{shown(d.path)}' (No such directory)", level)
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
            self.note(d.loc, f"include cycle through {shown(d.path)}: {self.spec.server} re-reads "
                      f"the files until the include depth limit ({MAX_INCLUDE_LEVEL})")
        self.read(path, level + 1, stack, d.loc)

    # -- options ---------------------------------------------------------------------------

    def option(self, opt: MyOption) -> None:
        if opt.group not in self.spec.groups:
            return
        self.index += 1
        var, action, loose = self.resolve(opt.full_name)
        if var is None:
            self.unknown(opt, loose)
            return
        if opt.value is not None and is_templated(opt.value):
            self.templated(opt, var)
            return
        self.apply(opt, self.cfg.variables[var], action, loose)

    def templated(self, opt: MyOption, var: str) -> None:
        """A template expression (``{{ pool }}``) is no value the server would see: the
        variable is unknown, and counts as unset (its default) from this line on."""
        finding = templated_value(opt.raw_name, opt.raw or "", opt.loc)
        if (opt.loc, finding.message) not in self.reported:
            self.reported.add((opt.loc, finding.message))
            self.problems.items.append(finding)
        self.cfg.settings.pop(var, None)

    def find(self, name: str) -> str | None:
        """my_getopt findopt(): the exact name, an alias, or (MariaDB) a unique prefix."""
        key = self.spec.aliases.get(name, name)
        if key in self.spec.variables:
            return key
        for full, shortest in self.spec.min_prefix.items():
            if full.startswith(name) and len(name) >= len(shortest):
                key = self.spec.aliases.get(full, full)
                return key if key in self.spec.variables else None
        if self.index < self.early_until:
            for full in _EARLY:
                shortest = self.spec.refuse_prefixes.get(full, full)
                if full.startswith(name) and len(name) >= len(shortest):
                    return full
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
        if not loose and self.spec.refuse_prefixes:
            name = self.peeled(opt.full_name)
            if any(full.startswith(name) and len(name) >= len(shortest)
                   for full, shortest in self.spec.refuse_prefixes.items()):
                # mariadbd --disable-getopt-prefix-matching: a unique prefix is unknown
                self.cfg.refuse(opt.loc, opt.written, f"unknown variable '{line_key(opt.raw_name)}'"
                                " (getopt-prefix-matching is disabled: only full names work)")
                return
        if loose or (opt.full_name and not any(c.isspace() for c in opt.full_name)):
            return
        name = line_key(opt.raw_name)  # a name with whitespace: the line may be anything
        self.cfg.refuse(opt.loc, name, f"unknown variable '{name}'")

    def peeled(self, name: str) -> str:
        """The name without its special prefixes (``skip-``, ``maximum-`` …)."""
        peeled = True
        while peeled:
            peeled = False
            for p in self.spec.prefixes:
                if name.startswith(p + "_"):
                    name, peeled = name[len(p) + 1:], True
                    break
        return name

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
                    self.refuse(opt, var, f"invalid value '{mask_value(var.name, arg)}' for "
                                f"{var.name}")
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
        if var.name == "getopt_prefix_matching" and value is False and \
                self.prefix_off_at is None:
            self.prefix_off_at = self.index
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
