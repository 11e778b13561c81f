"""Configuration: `.oomlint.toml` or `[tool.oomlint]` in `pyproject.toml`.

`--config` names the one file for every host; else each checked directory resolves its own,
from that directory upward (a loose file: from its directory), and the current directory's
when none is found there (cli.py, as ruff does per file). Validation is one
generic function driven by option schemas (the catalogue's, and `HOST_KEYS`/`BUDGET_KEYS`
here): type, then domain (`min`, `max`, `exclusive_min`, `choices`). Any unknown key, wrong
type or value outside its domain is a `ConfigError`, `<file>: <key path>: <what is wrong>`
(exit code 2).

```toml
[tool.oomlint]
select = ["OOM"]                 # ids, names or id prefixes
ignore = ["OOM303"]
fail-on = "warning"              # error | warning | info | never
ram = "8G"
swap = "0"
hosts = { "hosts/db1" = { ram = "64G" } }   # per host (its path as given, or its last part)

[tool.oomlint.hosts.db1]         # a host `oomlint check` (no path) checks: sources/hosts.py
root = "hosts/db1"               # relative to this file; a glob (hosts/*) is one host per dir
files = { "/etc/mysql/my.cnf" = "roles/mysql/templates/my.cnf.j2" }
vars_files = ["group_vars/db.yml"]   # Ansible-style YAML, later files win
vars = { innodb_buffer_pool_size = "24G" }  # wins over vars_files
per-path-ignores = { "etc/systemd/system/legacy-*.service" = ["OOM202"] }

[tool.oomlint.rules.OOM201]      # or [tool.oomlint.rules.unkillable-service]
severity = "error"
allow_units = ["vpn-*.service"]
```
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import sys
from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from oomlint.base.findings import Severity
from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.host import parse_host_size
from oomlint.catalog import RuleMeta, domain_text, resolve_selector

if TYPE_CHECKING:
    from oomlint.analysis.budget import Assumptions
    from oomlint.sources.hosts import HostSpec

# The budget's Assumptions (and through it the host model), HostSpec and the TOML parser
# are imported where they are used: the CLI imports this module for every command, and
# `rules` or `--help` need none of them.


def _tomllib():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib


def _assumptions(**values) -> Assumptions:
    from oomlint.analysis.budget import Assumptions

    return Assumptions(**values)

FAIL_ON = ("error", "warning", "info", "never")
TOP_KEYS = {"select", "ignore", "fail-on", "ram", "swap", "rules", "per-path-ignores", "budget",
            "hosts"}
# `ram` and `swap`, and --ram/--swap (cli.py): option schemas like the catalogue's. Less
# than 64 MiB of RAM is a mistake (`ram = 8` is 8 bytes), not a host.
HOST_KEYS = {"ram": {"type": "size", "min": "64M"}, "swap": {"type": "size"}}
# [hosts.NAME] keys that say where a host's files are (sources/hosts.py, HostSpec).
HOST_SPEC_KEYS = ("root", "files", "vars_files", "vars")
# The server versions model/mysql.py (mysql_flavor) and model/postgresql.py (pg_variables)
# describe. JDK majors: 8 (the oldest the JVM model knows: Parallel GC by default, no
# JDK_JAVA_OPTIONS) to 25 (the latest LTS; the model treats 24 and later alike).
MYSQL_VERSIONS = ("mariadb-10.11", "mariadb-11.4", "mysql-8.0", "mysql-8.4")
POSTGRESQL_VERSIONS = ("13", "14", "15", "16", "17")
# [budget]: what configuration cannot tell, stated and overridable. Option schemas as in
# the catalogue (catalog.OPTION_FIELDS), checked by validate_option.
BUDGET_KEYS = {
    # sort/hash nodes per query in the PostgreSQL stress tier
    "pg_nodes_per_query": {"type": "int", "min": 1},
    # private memory of an idle PostgreSQL backend
    "pg_backend_baseline": {"type": "size"},
    # Hugepagesize of the default pool (64K on arm64 .. 16G on POWER)
    "hugepage_size": {"type": "size", "min": "64K", "max": "16G"},
    "mysql_version": {"type": "str", "choices": MYSQL_VERSIONS},
    # Debian clusters carry it in their path
    "postgresql_version": {"type": "str", "choices": POSTGRESQL_VERSIONS},
    # JDK major version of the JVM services (default 17)
    "jdk_version": {"type": "int", "min": 8, "max": 25},
    # threads per JVM, for thread-stack memory (default 250)
    "jvm_threads": {"type": "int", "min": 1},
    # the same, per unit: {"app.service" = 800}
    "jvm_threads_by_unit": {"type": "dict[str,int]", "min": 1},
    # metaspace assumed when MaxMetaspaceSize is unset
    "jvm_metaspace": {"type": "size"},
}

# Rules whose `hugepage_size` option is another spelling of [budget] hugepage_size: a host
# has one hugepage size, which the budget, OOM302 and OOM307 all read.
HUGEPAGE_SIZE_RULES = ("OOM302", "OOM307")

# The [budget] keys that are analysis assumptions; the others name server versions.
ASSUMED = ("pg_nodes_per_query", "pg_backend_baseline", "hugepage_size", "jvm_threads",
           "jvm_threads_by_unit", "jvm_metaspace")


class ConfigError(Exception):
    pass


@dataclass
class Config:
    source: str = ""
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    ram: int | None = None
    swap: int | None = None
    severity: dict[str, Severity] = field(default_factory=dict)
    options: dict[str, dict] = field(default_factory=dict)
    path_ignores: list[tuple[str, set[str]]] = field(default_factory=list)
    assumptions: Assumptions = field(default_factory=_assumptions)  # [budget], for analysis
    flavors: dict[str, str] = field(default_factory=dict)  # [budget] server versions, for the model

    # [hosts."NAME"]: ram and swap of one host, NAME its path as given or its last part.
    hosts: dict[str, dict[str, int]] = field(default_factory=dict)
    # [hosts.NAME] with a root or files: the hosts `oomlint check` with no path checks.
    host_specs: list[HostSpec] = field(default_factory=list)

    def host_facts(self, ram: int | None = None, swap: int | None = None,
                   host: str | None = None) -> dict:
        """What a host is built with: --ram/--swap over the host's `[hosts.NAME]` values over
        the config's, and server versions."""
        own = self.host_table(host)
        conf_ram = own.get("ram", self.ram)
        conf_swap = own.get("swap", self.swap)
        ram_given = ram if ram is not None else conf_ram
        source = "--ram" if ram is not None and conf_ram is None else (
            "config" if conf_ram else "")
        return dict(ram=ram_given, ram_source=source,
                    swap=swap if swap is not None else conf_swap, db_flavors=dict(self.flavors))

    def host_table(self, host: str | None) -> dict[str, int]:
        if not host or not self.hosts:
            return {}
        name = host.rstrip("/")
        for key in (name, name.rsplit("/", 1)[-1]):
            if key in self.hosts:
                return self.hosts[key]
        return {}


def find_config(start: Path) -> Path | None:
    """The first `.oomlint.toml`, or `pyproject.toml` meant for oomlint, from `start` up.

    A pyproject.toml is oomlint's when it has a `[tool.oomlint]` table, when its `tool` is
    not a table (where `[tool.oomlint]` would be), or when it is not valid TOML but
    mentions oomlint: those are returned so that loading them reports the error (exit 2)
    instead of running without the configuration. Invalid TOML that never mentions
    oomlint is some other tool's problem and is passed over."""
    for d in (start, *start.parents):
        cand = d / ".oomlint.toml"
        if cand.is_file():
            return cand
        py = d / "pyproject.toml"
        if py.is_file():
            try:
                text = py.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            tomllib = _tomllib()
            try:
                tool = tomllib.loads(text).get("tool", {})
            except tomllib.TOMLDecodeError:
                if "oomlint" in text:
                    return py
                continue
            if not isinstance(tool, dict) or "oomlint" in tool:
                return py
    return None


def load_config(path: Path | None, catalog: dict[str, RuleMeta]) -> Config:
    if path is None:
        return Config()
    tomllib = _tomllib()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    prefix = ""
    if path.name == "pyproject.toml":
        for key in ("tool", "oomlint"):
            data = data.get(key, {})
            prefix += key
            if not isinstance(data, dict):
                raise ConfigError(f"{path}: {prefix}: expected a table, got {data!r}")
            prefix += "."
    return parse_config(data, catalog, str(path), prefix)


def _toml_key(key: str) -> str:
    """A key as TOML writes it in a dotted path: bare, or quoted when it must be."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _str_list(value, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}: expected a list of strings")
    return value


def _rule_ids(tokens: list[str], key: str, catalog) -> list[str]:
    for t in tokens:
        if not resolve_selector(t, catalog):
            raise ConfigError(f"{key}: unknown rule {t!r}")
    return tokens


def parse_config(data: dict, catalog: dict[str, RuleMeta], source: str = "",
                 prefix: str = "") -> Config:
    """The configuration in `data` (a TOML document's table), its keys written `prefix` +
    key in messages; a `ConfigError` is `<source>: <key path>: <what is wrong>`."""
    try:
        return _parse_config(data, catalog, source, prefix)
    except ConfigError as exc:
        if not source:
            raise
        raise ConfigError(f"{source}: {exc}") from None


def _parse_config(data: dict, catalog: dict[str, RuleMeta], source: str, prefix: str) -> Config:
    cfg = Config(source=source)
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"{prefix}{_toml_key(key)}: unknown key")
    if "select" in data:
        cfg.select = _rule_ids(_str_list(data["select"], prefix + "select"), prefix + "select",
                               catalog)
    if "ignore" in data:
        cfg.ignore = _rule_ids(_str_list(data["ignore"], prefix + "ignore"), prefix + "ignore",
                               catalog)
    if "fail-on" in data:
        if data["fail-on"] not in FAIL_ON:
            raise ConfigError(f"{prefix}fail-on: expected one of {', '.join(FAIL_ON)}")
        cfg.fail_on = data["fail-on"]
    for key, schema in HOST_KEYS.items():
        if key in data:
            setattr(cfg, key, validate_option(data[key], schema, prefix + key))
    hosts = data.get("hosts", {})
    if not isinstance(hosts, dict):
        raise ConfigError(f"{prefix}hosts: expected a table of host = {{ ram, swap }}")
    for name, table in hosts.items():
        k = f"{prefix}hosts.{_toml_key(name)}"
        if not isinstance(table, dict):
            raise ConfigError(f"{k}: expected a table with ram and/or swap")
        for key in table:
            if key not in HOST_KEYS and key not in HOST_SPEC_KEYS:
                raise ConfigError(f"{k}.{_toml_key(key)}: unknown key")
        cfg.hosts[name.rstrip("/")] = {key: validate_option(value, HOST_KEYS[key], f"{k}.{key}")
                                       for key, value in table.items() if key in HOST_KEYS}
        spec = _host_spec(name.rstrip("/"), table, k, cfg.hosts[name.rstrip("/")], source)
        if spec is not None:
            cfg.host_specs.append(spec)
    ppi = data.get("per-path-ignores", {})
    if not isinstance(ppi, dict):
        raise ConfigError(f"{prefix}per-path-ignores: expected a table of glob = [rules]")
    for glob, rules in ppi.items():
        k = f"{prefix}per-path-ignores.{_toml_key(glob)}"
        ids: set[str] = set()
        for t in _rule_ids(_str_list(rules, k), k, catalog):
            ids |= resolve_selector(t, catalog)
        cfg.path_ignores.append((glob, ids))
    budget = data.get("budget", {})
    if not isinstance(budget, dict):
        raise ConfigError(f"{prefix}budget: expected a table")
    values = {}
    for key, value in budget.items():
        if key not in BUDGET_KEYS:
            raise ConfigError(f"{prefix}budget.{key}: unknown key")
        values[key] = validate_option(value, BUDGET_KEYS[key], f"{prefix}budget.{key}")
    cfg.assumptions = _assumptions(**{k: v for k, v in values.items() if k in ASSUMED})
    if "mysql_version" in values:
        cfg.flavors["mysql"] = values["mysql_version"]
    if "postgresql_version" in values:
        cfg.flavors["postgresql"] = f"postgresql-{values['postgresql_version']}"
    if "jdk_version" in values:
        cfg.flavors["jdk"] = str(values["jdk_version"])
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{prefix}rules: expected a table per rule")
    for token, table in rules.items():
        k = f"{prefix}rules.{token}"
        ids = resolve_selector(token, catalog)
        if len(ids) != 1 or not isinstance(table, dict):
            raise ConfigError(f"{k}: expected a table for one rule id or name")
        rid = ids.pop()
        for opt, value in table.items():
            if opt == "severity":
                try:
                    cfg.severity[rid] = Severity(value)
                except ValueError:
                    raise ConfigError(f"{k}.severity: expected error, warning or info") from None
                continue
            schema = catalog[rid].options.get(opt)
            if schema is None:
                raise ConfigError(f"{k}: unknown option {opt!r}")
            cfg.options.setdefault(rid, {})[opt] = validate_option(value, schema, f"{k}.{opt}")
    _hugepage_size(cfg, values, prefix)
    return cfg


def _host_spec(name: str, table: dict, k: str, sizes: dict, source: str) -> HostSpec | None:
    """The host a `[hosts.NAME]` table describes when it says where its files are (`root`,
    `files`); None for a table of ram and swap only (facts for a host given by path)."""
    root = table.get("root")
    if root is not None and (not isinstance(root, str) or not root.strip()):
        raise ConfigError(f"{k}.root: expected a directory (relative to the configuration "
                          f"file), got {root!r}")
    files = table.get("files", {})
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise ConfigError(f"{k}.files: expected a table of \"/host/path\" = \"repo/file\"")
    for target in files:
        if not target.startswith("/") or "\x00" in target:
            raise ConfigError(f"{k}.files.{_toml_key(target)}: expected an absolute path on "
                              "the host (/etc/mysql/my.cnf)")
    vars_files = table.get("vars_files", [])
    if isinstance(vars_files, str):
        vars_files = [vars_files]
    if not isinstance(vars_files, list) or not all(isinstance(v, str) for v in vars_files):
        raise ConfigError(f"{k}.vars_files: expected a list of YAML files (relative to the "
                          "configuration file)")
    variables = table.get("vars", {})
    if not isinstance(variables, dict):
        raise ConfigError(f"{k}.vars: expected a table of variable = value")
    if root is None and not files:
        if vars_files or variables:
            raise ConfigError(f"{k}: vars and vars_files need a root or files to render")
        return None
    from oomlint.sources.hosts import HostSpec

    base = str(Path(source).parent) if source else "."
    return HostSpec(name=name, base=base, root=root, files=dict(files),
                    vars_files=tuple(vars_files), vars=dict(variables),
                    ram=sizes.get("ram"), swap=sizes.get("swap"), source=source,
                    key=k)


def _hugepage_size(cfg: Config, budget: dict, prefix: str) -> None:
    """The one hugepage size of the host, in `cfg.assumptions`: [budget] hugepage_size, or
    the `hugepage_size` option of OOM302/OOM307 (kept for compatibility), which must agree.
    All are validated sizes in bytes by now."""
    given = {}
    if "hugepage_size" in budget:
        given[f"{prefix}budget.hugepage_size"] = budget["hugepage_size"]
    for rid in HUGEPAGE_SIZE_RULES:
        size = cfg.options.get(rid, {}).get("hugepage_size")
        if size is not None:
            given[f"{prefix}rules.{rid}.hugepage_size"] = size
    if len(set(given.values())) > 1:
        raise ConfigError(f"{' and '.join(given)} disagree: a host has one hugepage size "
                          "(set [budget] hugepage_size)")
    if given:
        size = next(iter(given.values()))
        cfg.assumptions = dataclasses.replace(cfg.assumptions, hugepage_size=size)


def validate_option(value, schema: dict, key: str):
    """A configured value checked against an option schema (catalog.OPTION_FIELDS: its
    type, then its domain) and converted: sizes to bytes, floats to float. A `ConfigError`
    naming `key` when it does not fit."""
    if schema.get("type") == "dict[str,int]" and isinstance(value, dict):
        item = {**schema, "type": "int"}
        return {k: validate_option(v, item, f"{key}.{_toml_key(k)}") for k, v in value.items()}
    try:
        return option_value(value, schema)
    except ConfigError as exc:
        raise ConfigError(f"{key}: {exc}") from None


def option_value(value, schema: dict):
    """`validate_option` without the key: the converted value, or a `ConfigError` that says
    what is wrong with it (the command line's --ram and --swap use it too)."""
    type_name = schema.get("type")
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list[str]": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "size": isinstance(value, (str, int)) and not isinstance(value, bool),
        "dict[str,int]": isinstance(value, dict),
    }.get(type_name)
    if ok is None:
        raise ConfigError(f"option type {type_name!r} is not supported")
    if not ok or (type_name == "float" and math.isnan(value)):
        raise ConfigError(f"expected {type_name}, got {value!r}")
    size = type_name == "size"
    try:
        converted = parse_host_size(value) if size else (
            float(value) if type_name == "float" else value)
        low, above, high = (parse_host_size(b) if size and b is not None else b for b in (
            schema.get("min"), schema.get("exclusive_min"), schema.get("max")))
    except GrammarError as exc:
        raise ConfigError(str(exc)) from None
    if "choices" in schema and converted not in schema["choices"]:
        raise ConfigError(f"expected {domain_text(schema)}, got {value!r}")
    if ((low is not None and converted < low) or (above is not None and converted <= above)
            or (high is not None and converted > high)):
        unitless = size and (isinstance(value, int) or value.strip().isdigit())
        raise ConfigError(f"expected {'a size' if size else 'a value'} {domain_text(schema)}, "
                          f"got {value!r}" + (" (a number without a unit is bytes)"
                                              if unitless else ""))
    return converted


# The catalogue option types, each value validated and converted by `option_value`.
OPTION_TYPES = ("str", "int", "float", "bool", "size", "list[str]", "dict[str,int]")


def _frozen(value):
    """A validated option value as `RuleOptions` holds it (lists become tuples)."""
    return tuple(value) if isinstance(value, list) else value


class RuleOptions:
    """A rule's options: one read-only attribute per entry of the catalogue's `options`
    schema (`opts.allow_units`), values validated and converted (sizes in bytes, lists as
    tuples). One type for every rule: a dataclass per rule, made at every start-up, cost
    more than the run of a small check. Equal when the rule and the values are."""

    __slots__ = ("_rule", "__dict__")

    def __init__(self, rule: str, values: dict):
        object.__setattr__(self, "_rule", rule)
        self.__dict__.update(values)

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self._rule, self.__dict__) == (other._rule, other.__dict__)

    def __hash__(self):
        return hash((self._rule, *self.__dict__.items()))

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{self._rule}Options({fields})"

    def __reduce__(self):  # copy and pickle: __setattr__ refuses the default protocol
        return RuleOptions, (self._rule, dict(self.__dict__))


# Per rule id: (a copy of the `options` schema, its defaults validated and converted), so
# that each rule's defaults are validated once per process, when its options are first
# asked for. A schema that differs from the copy (another RuleMeta with that id) is redone.
_DEFAULTS: dict[str, tuple[dict, dict]] = {}


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return [_copy(v) for v in value] if isinstance(value, list) else value


def _defaults(rule: RuleMeta) -> dict:
    """The rule's options with their catalogue defaults (None where it has none), each
    validated and converted; a `ConfigError` names a default the schema refuses."""
    cached = _DEFAULTS.get(rule.id)
    if cached is not None and cached[0] == rule.options:
        return cached[1]
    values = {}
    for name, schema in rule.options.items():
        schema = {k: _frozen(v) for k, v in schema.items() if k != "doc"}
        type_name, default = schema.get("type"), schema.get("default")
        key = f"rules/{rule.id}.yaml options.{name}"
        if type_name not in OPTION_TYPES:
            raise ConfigError(f"{key}: option type {type_name!r} is not supported")
        if default is not None:
            raw = list(default) if isinstance(default, tuple) else default
            default = _frozen(validate_option(raw, schema, f"{key}.default"))
        values[name] = default
    _DEFAULTS[rule.id] = (_copy(rule.options), values)
    return values


def rule_options(rule: RuleMeta, cfg: Config) -> RuleOptions:
    """The rule's options, typed: catalogue defaults overlaid with the configured values
    (already validated and converted by `parse_config`)."""
    values = {k: dict(v) if isinstance(v, dict) else v for k, v in _defaults(rule).items()}
    for name, value in cfg.options.get(rule.id, {}).items():
        if name not in values:
            raise TypeError(f"{rule.id}Options.__init__() got an unexpected keyword "
                            f"argument {name!r}")
        values[name] = _frozen(value)
    return RuleOptions(rule.id, values)
