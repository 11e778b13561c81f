"""PHP-FPM as php-fpm 8.2 reads its configuration: the main file (``-y``/``--fpm-config``
from the unit's ExecStart=, else /etc/php/X.Y/fpm/php-fpm.conf for Debian's
``php-fpmX.Y``, /etc/php-fpm.conf for a plain ``php-fpm``), ``include=`` globs (sorted;
a relative pattern is taken from the prefix, /usr, not from the file's directory), the
``[global]`` section and one section per pool; then php.ini (``-c``, else ``$PHPRC``, else
the build's directory) and the scan directory's ``*.ini`` files in name order
(``$PHP_INI_SCAN_DIR``, else /etc/php/X.Y/fpm/conf.d), the last ``memory_limit`` winning.

A pool's ``memory_limit``: a worker applies its ``php_value[...]`` lines, then its
``php_admin_value[...]`` lines, each list NEWEST FIRST (fpm_conf.c prepends every entry,
fpm_php.c ``fpm_php_apply_defines()`` walks the list), so the first-written admin value
that PHP accepts wins, then the first-written php_value, then php.ini's. Recorded with a
running php-fpm 8.2 (tests/data/phpredis/recorded.yaml, php_fpm_apply_order). A value PHP
refuses (below the 2 MiB a worker holds) leaves the previous one.

php-fpm refuses to start (and the model records why, `PhpFpmConfig.refused`) when a pool
has no positive ``pm.max_children`` (required for every pm), ``pm`` is not static, dynamic
or ondemand, ``pm.max_children`` is not a number, or no pool is defined.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field

from oomlint.base.findings import Pragma, Problems
from oomlint.base.grammar.php import (
    DEFAULT_MEMORY_LIMIT,
    UNLIMITED,
    memory_limit_refused,
    parse_quantity,
)
from oomlint.base.provenance import Loc, Setting
from oomlint.base.redact import shown
from oomlint.parsers.php_ini import IniEntry, IniFile, parse_php_ini
from oomlint.sources.templates import is_templated, templated_value
from oomlint.sources.tree import Tree, rel

FPM_BINARY = re.compile(r"^php-fpm(\d+\.\d+)?$|^php(\d+\.\d+)-fpm$")
MAX_INCLUDE_FILES = 1000
PM_MODES = ("static", "dynamic", "ondemand")
FPM_PREFIX = "/usr"  # Debian's --prefix: where a relative include= is taken from


@dataclass(frozen=True)
class MemoryLimit:
    """A worker's effective memory_limit: bytes (-1: no limit; None: unknown, e.g.
    templated or from the environment), where it comes from, and the line."""

    bytes: int | None
    origin: str  # "php_admin_value" | "php_value" | "php.ini" | "default"
    setting: Setting | None  # the line that set it (None: PHP's built-in 128M)

    @property
    def loc(self) -> Loc | None:
        return self.setting.loc if self.setting is not None else None


@dataclass
class FpmPool:
    name: str
    loc: Loc  # the [pool] header
    pm: Setting | None = None
    max_children: Setting | None = None  # value: int, or None when refused
    memory_limit: MemoryLimit | None = None
    admin_values: list[IniEntry] = field(default_factory=list)  # memory_limit only
    php_values: list[IniEntry] = field(default_factory=list)


@dataclass
class PhpFpmConfig:
    conf: str  # the main file, tree-relative
    version: str | None  # "8.2" from the binary's name
    files: list[str] = field(default_factory=list)  # php-fpm.conf and includes, read order
    ini_files: list[str] = field(default_factory=list)
    pools: list[FpmPool] = field(default_factory=list)
    ini_memory_limit: MemoryLimit | None = None
    opcache: Setting | None = None  # opcache.memory_consumption when opcache is loaded
    opcache_bytes: int = 0
    refused: list[tuple[Loc, str, str]] = field(default_factory=list)  # php-fpm won't start
    reinterpreted: list[tuple[Loc, str, str]] = field(default_factory=list)  # PHP warns
    pragmas: list[Pragma] = field(default_factory=list)


def fpm_binary_version(argv0: str) -> tuple[bool, str | None]:
    m = FPM_BINARY.match(posixpath.basename(argv0))
    if m is None:
        return False, None
    return True, m.group(1) or m.group(2)


def _flag(argv: list[str], short: str, long: str) -> str | None:
    value = None
    for i, w in enumerate(argv):
        if w in (short, long) and i + 1 < len(argv):
            value = argv[i + 1]
        elif w.startswith(long + "="):
            value = w.split("=", 1)[1]
        elif w.startswith(short) and len(w) > len(short) and not w.startswith("--"):
            value = w[len(short):]
    return value


def default_paths(version: str | None) -> tuple[str, str, str]:
    """(php-fpm.conf, php.ini directory, scan directory) as the build sets them."""
    if version:
        base = f"/etc/php/{version}/fpm"
        return f"{base}/php-fpm.conf", base, f"{base}/conf.d"
    return "/etc/php-fpm.conf", "/etc", "/etc/php.d"


def _glob(tree: Tree, pattern: str) -> list[str]:
    """glob(3) over the tree, sorted, for patterns with wildcards in the last component."""
    d, base = posixpath.split(pattern)
    if not any(c in base for c in "*?["):
        return [pattern] if tree.lookup(pattern).kind != "missing" else []
    return [f"{d}/{n}" for n in sorted(tree.listdir(d)) if fnmatch.fnmatchcase(n, base)
            and not n.startswith(".")]


def _read(tree: Tree, vpath: str, problems: Problems, cfg_pragmas: list) -> IniFile | None:
    got = tree.read_text(vpath, problems)
    if got is None:
        return None
    parsed = parse_php_ini(got[1], got[0], problems)
    cfg_pragmas.extend(parsed.pragmas)
    return parsed


def load_php_fpm(tree: Tree, argv: list[str], env, problems: Problems,
                 conf: str | None = None) -> PhpFpmConfig | None:
    """The configuration a php-fpm command line reads; None when its file does not exist."""
    version = fpm_binary_version(argv[0])[1] if argv else None
    if version is None and conf:
        m = re.match(r"^/etc/php/(\d+\.\d+)/fpm/", conf)
        version = m.group(1) if m else None
    default_conf, ini_dir, scan_dir = default_paths(version)
    conf = conf or _flag(argv, "-y", "--fpm-config") or default_conf
    kind = tree.lookup(conf).kind
    if kind != "file":
        if kind in ("dir", "loop", "other"):
            tree.read_text(conf, problems)  # reports why it cannot be read
        return None
    cfg = PhpFpmConfig(rel(conf), version)
    _load_fpm_conf(tree, conf, cfg, problems)
    no_ini = "-n" in argv or "--no-php-ini" in argv
    ini_opt = _flag(argv, "-c", "--php-ini") or (env.get("PHPRC") if env is not None else None)
    scan = env.get("PHP_INI_SCAN_DIR") if env is not None else None
    _load_php_ini(tree, cfg, problems, None if no_ini else ini_opt, ini_dir,
                  None if no_ini else (scan if scan is not None else scan_dir))
    for pool in cfg.pools:
        pool.memory_limit = _pool_memory_limit(pool, cfg, problems)
    return cfg


def _load_fpm_conf(tree: Tree, conf: str, cfg: PhpFpmConfig, problems: Problems) -> None:
    pools: dict[str, FpmPool] = {}
    state = {"section": None, "reads": 0}

    def read(vpath: str, depth: int) -> None:
        state["reads"] += 1
        if state["reads"] > MAX_INCLUDE_FILES or depth > 10:
            return
        parsed = _read(tree, vpath, problems, cfg.pragmas)
        if parsed is None:
            return
        cfg.files.append(parsed.path)
        headers = {s.loc.line: s.name for s in parsed.sections}
        pending = sorted(headers)
        entries = list(parsed.entries)
        # sections and entries in file order
        items: list = [("section", ln) for ln in pending] + [("entry", e) for e in entries]
        items.sort(key=lambda i: i[1] if i[0] == "section" else i[1].loc.line)
        for kind, item in items:
            if kind == "section":
                name = headers[item]
                state["section"] = name
                if name != "global" and name not in pools:
                    pools[name] = FpmPool(name, Loc(parsed.path, item))
                continue
            e: IniEntry = item
            if e.key == "include":
                pattern = e.value.replace("$pool", state["section"] or "")
                if not pattern.startswith("/"):
                    pattern = f"{FPM_PREFIX}/{pattern}"
                matches = _glob(tree, pattern)
                if not matches and tree.lookup(posixpath.dirname(pattern)).kind != "dir":
                    # glob() fails (GLOB_ABORTED); no match in a directory that exists
                    # (GLOB_NOMATCH) is no error, the include adds nothing
                    cfg.refused.append((e.loc, f"include={shown(e.value)}",
                                        f"Unable to globalize '{shown(pattern)}': its "
                                        "directory does not exist, php-fpm does not start"))
                for m in matches:
                    read(m, depth + 1)
                continue
            section = state["section"]
            if section is None or section == "global":
                continue
            pool = pools[section]
            _pool_entry(pool, e, cfg, problems)
        if parsed.error is not None:
            cfg.refused.append((parsed.error[0], "", parsed.error[1] + ": php-fpm does not "
                                "start"))

    read(conf, 0)
    cfg.pools = list(pools.values())
    if not cfg.pools and not cfg.refused:
        cfg.refused.append((Loc(rel(conf), 0), "", "No pool defined. at least one pool section "
                            "must be specified in config file: php-fpm does not start"))
    for pool in cfg.pools:
        if pool.max_children is None:
            cfg.refused.append((pool.loc, f"[{pool.name}]", "pm.max_children must be a "
                                "positive value: it is required for every pm, php-fpm does "
                                "not start"))


def _pool_entry(pool: FpmPool, e: IniEntry, cfg: PhpFpmConfig, problems: Problems) -> None:
    if e.key == "pm" and e.offset is None:
        if is_templated(e.value):
            problems.items.append(templated_value(e.key, e.value, e.loc))
            return
        if e.value.lower() not in PM_MODES:
            cfg.refused.append((e.loc, f"pm = {shown(e.value)}", "invalid process manager "
                                "(static, dynamic or ondemand): php-fpm does not start"))
        pool.pm = Setting("pm", e.raw, e.value.lower(), e.loc).overriding(pool.pm)
    elif e.key == "pm.max_children" and e.offset is None:
        if is_templated(e.value) or e.env:
            if is_templated(e.value):
                problems.items.append(templated_value(e.key, e.value, e.loc))
            pool.max_children = Setting(e.key, e.raw, None, e.loc).overriding(pool.max_children)
            return
        value = int(e.value) if re.fullmatch(r"-?[0-9]{1,18}", e.value) else None
        if value is None:
            cfg.refused.append((e.loc, f"pm.max_children = {shown(e.value)}", "is not a valid "
                                "number: php-fpm does not start"))
        elif value < 1:
            cfg.refused.append((e.loc, f"pm.max_children = {shown(e.value)}", "pm.max_children "
                                "must be a positive value: php-fpm does not start"))
            value = None
        pool.max_children = Setting(e.key, e.raw, value, e.loc).overriding(pool.max_children)
    elif e.key in ("php_admin_value", "php_value") and e.offset == "memory_limit":
        (pool.admin_values if e.key == "php_admin_value" else pool.php_values).append(e)


def _ini_scan(tree: Tree, directory: str) -> list[str]:
    """The scan directory's ``*.ini`` files in name order (main/php_ini.c, scandir+alphasort);
    ``:``-separated directories are scanned in turn."""
    out = []
    for d in directory.split(":"):
        if d:
            out += [f"{d.rstrip('/')}/{n}" for n in sorted(tree.listdir(d)) if n.endswith(".ini")
                    and tree.lookup(f"{d.rstrip('/')}/{n}").kind != "missing"]
    return out


def _load_php_ini(tree: Tree, cfg: PhpFpmConfig, problems: Problems, ini_opt: str | None,
                  ini_dir: str, scan_dir: str | None) -> None:
    files = []
    if ini_opt is not None:
        cand = ini_opt if tree.lookup(ini_opt).kind == "file" else f"{ini_opt.rstrip('/')}/php.ini"
        files.append(cand)
    else:
        files.append(f"{ini_dir}/php.ini")
    files = [f for f in files if tree.lookup(f).kind != "missing"]
    if scan_dir:
        files += _ini_scan(tree, scan_dir)
    last: Setting | None = None
    opcache_loaded = False
    opcache: Setting | None = None
    for f in files:
        parsed = _read(tree, f, problems, cfg.pragmas)
        if parsed is None:
            continue
        cfg.ini_files.append(parsed.path)
        for e in parsed.entries:
            if e.section is not None and e.section.upper().startswith(("PATH=", "HOST=")):
                continue  # per-directory / per-host sections: applied per request
            if e.key == "memory_limit" and e.offset is None:
                last = Setting("memory_limit", e.raw, e, e.loc).overriding(last)
            elif e.key == "zend_extension" and "opcache" in e.value:
                opcache_loaded = True
            elif e.key == "opcache.memory_consumption":
                opcache = Setting(e.key, e.raw, e, e.loc).overriding(opcache)
    cfg.ini_memory_limit = _ini_limit(last, cfg, problems)
    if opcache_loaded:
        from oomlint.base.grammar.c import MIB
        cfg.opcache = opcache
        n = opcache.value.value if opcache is not None else "128"
        cfg.opcache_bytes = int(n) * MIB if re.fullmatch(r"[0-9]{1,7}", n) else 128 * MIB


def _ini_limit(last: Setting | None, cfg: PhpFpmConfig, problems: Problems) -> MemoryLimit:
    if last is None:
        return MemoryLimit(DEFAULT_MEMORY_LIMIT, "default", None)
    e: IniEntry = last.value
    if is_templated(e.value) or e.env:
        if is_templated(e.value):
            problems.items.append(templated_value(e.key, e.value, e.loc))
        return MemoryLimit(None, "php.ini", last)
    q = parse_quantity(e.value)
    written = f"memory_limit = {shown(e.raw)}"
    refused = memory_limit_refused(q.value)
    if q.warning or refused:
        cfg.reinterpreted.append((e.loc, written, _reason(q, refused, "PHP keeps its built-in "
                                                          "128M")))
    if refused:
        return MemoryLimit(DEFAULT_MEMORY_LIMIT, "default", None)
    return MemoryLimit(q.value, "php.ini", Setting("memory_limit", e.raw, q.value, e.loc,
                                                   last.overrides))


def _pool_memory_limit(pool: FpmPool, cfg: PhpFpmConfig, problems: Problems) -> MemoryLimit:
    """Apply php_value (newest first), then php_admin_value (newest first): the last
    accepted application is in effect."""
    current = cfg.ini_memory_limit or MemoryLimit(DEFAULT_MEMORY_LIMIT, "default", None)
    for origin, entries in (("php_value", pool.php_values), ("php_admin_value",
                                                            pool.admin_values)):
        for e in reversed(entries):
            written = f"{e.name} = {shown(e.raw)}"
            if is_templated(e.value) or e.env:
                if is_templated(e.value):
                    problems.items.append(templated_value(e.name, e.value, e.loc))
                current = MemoryLimit(None, origin, Setting(e.name, e.raw, None, e.loc))
                continue
            q = parse_quantity(e.value)
            refused = memory_limit_refused(q.value)
            if q.warning or refused:
                cfg.reinterpreted.append((e.loc, written, _reason(
                    q, refused, f"the worker keeps {_limit_text(current)}")))
            if refused:
                continue
            current = MemoryLimit(q.value, origin, Setting(e.name, e.raw, q.value, e.loc))
    return current


def _reason(q, refused: bool, kept: str) -> str:
    """PHP's warning for a value it reinterprets, then its refusal of a limit too small."""
    parts = [q.warning] if q.warning else []
    if refused:
        parts.append(f"Failed to set memory limit to {q.value} bytes: {kept}")
    return "; then ".join(parts)


def _limit_text(m: MemoryLimit) -> str:
    if m.bytes is None:
        return "an unknown limit"
    if m.bytes == UNLIMITED:
        return "no limit (-1)"
    from oomlint.base.grammar.host import format_size
    return f"{format_size(m.bytes)} ({m.origin})"
