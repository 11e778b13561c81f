"""A database server's effective configuration, shared by both servers: the variables it
models (type, default, limits), every explicit value with provenance, what the server
refuses at startup, and the reader that takes each configuration file once.

Only what the server is sure to refuse at startup is put in ``DatabaseConfig.refused``: an
unknown variable cannot be told from a plugin's, so only the memory variables modelled here
are validated. Values marked "verified" were obtained by running mariadbd 10.11.19 and
postgres 15.18 (tests/data/db/record.py); "docs" values come from the vendors' manuals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from oomlint.base.findings import Pragma
from oomlint.base.grammar.c import GIB, UINT64_MAX
from oomlint.base.provenance import Loc, Setting
from oomlint.parsers.mycnf import parse_mycnf

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


@dataclass(frozen=True)
class VacuumMemory:
    """The memory one autovacuum worker may use for dead tuples."""

    setting: str  # autovacuum_work_mem, or maintenance_work_mem when that is -1
    configured: int  # its value, bytes
    used: int  # what vacuum can use of it


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
    # How the server derives a value from others and from RAM (the loader sets it).
    derive: Callable[[DatabaseConfig, str, int | None], Any] = field(
        default=lambda cfg, key, ram: cfg.raw_get(key), repr=False, compare=False)
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
        return self.derive(self, self.canonical(name), ram)

    @property
    def major(self) -> int | None:
        """The assumed server's major version, from the flavor ("postgresql-15": 15)."""
        try:
            return int(self.flavor.rsplit("-", 1)[1].split(".")[0])
        except (IndexError, ValueError):
            return None

    def autovacuum_memory(self) -> VacuumMemory:
        """PostgreSQL: each autovacuum worker's memory is autovacuum_work_mem, or
        maintenance_work_mem when that is -1; before PostgreSQL 17 vacuum stores at most
        1 GiB of dead tuples (vacuumlazy.c ``dead_items_max_items()``), so more is unused."""
        av = self.get("autovacuum_work_mem")
        name = "autovacuum_work_mem" if av is not None and int(av) >= 0 else \
            "maintenance_work_mem"
        configured = int(self.get(name))
        major = self.major
        used = min(configured, GIB) if major is not None and major < 17 else configured
        return VacuumMemory(name, configured, used)

    def uses_temptable(self) -> bool:
        """MySQL 8 keeps in-memory internal temporary tables in the TempTable engine
        (internal_tmp_mem_storage_engine), one temptable_max_ram pool that
        max_heap_table_size does not cap; MariaDB and the MEMORY engine use one table per
        connection capped by min(tmp_table_size, max_heap_table_size)."""
        return self.kind == "mysql" and self.flavor.startswith("mysql-") and \
            str(self.get("internal_tmp_mem_storage_engine") or "TempTable") == "TempTable"

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


class ConfReader:
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
