"""Redis and Valkey as redis-server 7 / valkey-server read their configuration: the config
file named on the command line (``redis-server /etc/redis/redis.conf --supervised systemd``;
Debian's redis-server.service, valkey-server.service), the options after it appended as
further lines, ``include`` lines read in place (a glob pattern is expanded, sorted), the
last line of a directive winning. Without a file: the built-in defaults.

What the budget needs (src/config.c, redis.conf's own comments, recorded with redis-server
7.0 in tests/data/phpredis/recorded.yaml):

- ``maxmemory``: 0 (the default) is no limit; units per base/grammar/redis.py;
- ``maxmemory-policy``: noeviction by default (writes fail with an OOM error once full);
- ``save``: RDB snapshots, on by default (``3600 1 300 100 60 10000``); the first ``save``
  line replaces the default, later ones add to it, ``save ""`` turns snapshots off;
- ``appendonly yes``: the AOF, rewritten in a forked child as it grows.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass, field

from oomlint.base.findings import Pragma, Problems
from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.redis import MAXMEMORY_POLICIES, redis_bool, redis_memory
from oomlint.base.provenance import Loc, Setting
from oomlint.base.redact import shown
from oomlint.parsers.redis_conf import RedisLine, parse_redis_conf
from oomlint.sources.templates import is_templated, templated_value
from oomlint.sources.tree import Tree, rel

BINARIES = {"redis-server": "redis", "valkey-server": "valkey"}
DEFAULT_SAVE = "3600 1 300 100 60 10000"
MAX_INCLUDE_FILES = 1000


@dataclass
class RedisConfig:
    flavor: str  # "redis" | "valkey"
    conf: str | None  # the main file, tree-relative (None: built-in defaults)
    files: list[str] = field(default_factory=list)
    maxmemory: Setting | None = None  # value: bytes (None: refused or templated)
    policy: Setting | None = None
    appendonly: Setting | None = None  # value: bool
    save: Setting | None = None  # value: the effective save string; None: the default
    refused: list[tuple[Loc, str, str]] = field(default_factory=list)
    pragmas: list[Pragma] = field(default_factory=list)

    @property
    def maxmemory_bytes(self) -> int | None:
        """Bytes; 0 when unset or 0 (no limit); None when unknown (refused, templated)."""
        if self.maxmemory is None:
            return 0
        return self.maxmemory.value

    @property
    def rdb(self) -> bool:
        return (self.save.value if self.save is not None else DEFAULT_SAVE) != ""

    @property
    def aof(self) -> bool:
        return bool(self.appendonly is not None and self.appendonly.value)

    @property
    def policy_name(self) -> str:
        return self.policy.value if self.policy is not None and self.policy.value else \
            "noeviction"


def redis_binary(argv0: str) -> str | None:
    return BINARIES.get(posixpath.basename(argv0))


def config_argument(argv: list[str]) -> tuple[str | None, list[str]]:
    """redis-server [configfile] [--opt value ...]: the file (None when the first argument
    is an option) and the options as config lines."""
    rest = argv[1:]
    conf = None
    if rest and not rest[0].startswith("--") and rest[0] != "-":
        conf, rest = rest[0], rest[1:]
    lines: list[str] = []
    for w in rest:
        if w.startswith("--"):
            lines.append(w[2:])
        elif lines:
            lines[-1] += " " + (w if w and " " not in w else f'"{w}"')
    return conf, lines


def _glob(tree: Tree, pattern: str) -> list[str]:
    d, base = posixpath.split(pattern)
    if not any(c in base for c in "*?["):
        return [pattern]
    return [f"{d}/{n}" for n in sorted(tree.listdir(d)) if fnmatch.fnmatchcase(n, base)]


def load_redis(tree: Tree, argv: list[str], problems: Problems, flavor: str,
               conf: str | None = None, unit_loc: Loc | None = None) -> RedisConfig | None:
    if conf is None:
        conf, options = config_argument(argv)
    else:
        options = []
    kind = tree.lookup(conf).kind if conf is not None else "file"
    if kind != "file":
        if kind in ("dir", "loop", "other"):
            tree.read_text(conf, problems)  # reports why it cannot be read
        return None
    cfg = RedisConfig(flavor, rel(conf) if conf else None)
    lines: list[RedisLine] = []
    reads = [0]

    def read(vpath: str, depth: int) -> None:
        reads[0] += 1
        if reads[0] > MAX_INCLUDE_FILES or depth > 10:
            return
        got = tree.read_text(vpath, problems)
        if got is None:
            return
        parsed = parse_redis_conf(got[1], got[0], problems)
        cfg.files.append(parsed.path)
        cfg.pragmas.extend(parsed.pragmas)
        for line in parsed.lines:
            if line.name == "include" and line.error is None and len(line.args) == 1:
                pattern = line.args[0]
                if not pattern.startswith("/"):
                    pattern = "/" + pattern  # systemd starts it in / (WorkingDirectory=)
                matches = [m for m in _glob(tree, pattern) if tree.lookup(m).kind != "missing"]
                wildcard = any(c in posixpath.basename(pattern) for c in "*?[")
                if not matches and not wildcard:  # a glob that matches nothing is fine
                    cfg.refused.append((line.loc, f"include {shown(line.args[0])}",
                                        "Fatal error, can't open config file: redis-server "
                                        "does not start"))
                for m in matches:
                    read(m, depth + 1)
                continue
            lines.append(line)

    if conf is not None:
        read(conf, 0)
    if options:
        loc = unit_loc or Loc(".", 0)
        text = "\n".join(options)
        parsed = parse_redis_conf(text, loc.path, Problems())
        lines += [RedisLine(p.name, p.args, loc, p.error) for p in parsed.lines]
    _resolve(cfg, lines, problems)
    return cfg


def _resolve(cfg: RedisConfig, lines: list[RedisLine], problems: Problems) -> None:
    save_seen = False
    for line in lines:
        if line.error is not None:
            cfg.refused.append((line.loc, shown(line.written), line.error))
            continue
        if line.name not in ("maxmemory", "maxmemory-policy", "appendonly", "save"):
            continue
        written = shown(line.written)
        if is_templated(" ".join(line.args)):
            problems.items.append(templated_value(line.name, " ".join(line.args), line.loc))
            if line.name == "maxmemory":
                cfg.maxmemory = Setting(line.name, " ".join(line.args), None,
                                        line.loc).overriding(cfg.maxmemory)
            continue
        if line.name == "save":
            args = [a for a in line.args]
            current = cfg.save.value if cfg.save is not None and save_seen else ""
            if args == [""] or (len(args) == 1 and args[0] == ""):
                value = ""
            elif len(args) % 2 or not all(a.isdigit() for a in args):
                cfg.refused.append((line.loc, written, "Invalid save parameters"))
                continue
            else:
                value = " ".join(filter(None, (current, " ".join(args))))
            save_seen = True
            cfg.save = Setting("save", " ".join(line.args), value, line.loc).overriding(cfg.save)
            continue
        if len(line.args) != 1:
            cfg.refused.append((line.loc, written, "wrong number of arguments"))
            continue
        arg = line.args[0]
        if line.name == "maxmemory":
            try:
                value = redis_memory(arg)
            except GrammarError:
                cfg.refused.append((line.loc, written, "argument must be a memory value"))
                continue
            cfg.maxmemory = Setting("maxmemory", arg, value, line.loc).overriding(cfg.maxmemory)
        elif line.name == "maxmemory-policy":
            if arg.lower() not in MAXMEMORY_POLICIES:
                cfg.refused.append((line.loc, written, "argument(s) must be one of the "
                                    f"following: {', '.join(MAXMEMORY_POLICIES)}"))
                continue
            cfg.policy = Setting(line.name, arg, arg.lower(), line.loc).overriding(cfg.policy)
        elif line.name == "appendonly":
            b = redis_bool(arg)
            if b is None:
                cfg.refused.append((line.loc, written, "argument must be 'yes' or 'no'"))
                continue
            cfg.appendonly = Setting(line.name, arg, b, line.loc).overriding(cfg.appendonly)
