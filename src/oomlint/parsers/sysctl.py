"""sysctl.d files, as systemd-sysctl 252 reads them (sysctl.d(5); src/sysctl/sysctl.c).

``key = value`` lines, ``#``/``;`` comment lines only (text after the value is part of it),
a leading ``-`` means "ignore failure to set"; ``-key`` without ``=`` excludes the key from
glob matches. Keys are written with dots or slashes: when the first separator is a ``.``,
dots and slashes swap roles, then the path is simplified (``vm//swappiness``,
``/vm/swappiness`` and ``vm/swappiness/`` are ``vm/swappiness``; ``vm.swappiness/`` is
``vm/swappiness.``, another key). oomlint's canonical key is the dotted form of the
/proc/sys path (``vm.overcommit_memory``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from oomlint.base.findings import Pragma, Problems
from oomlint.base.ids import FILE_TOO_LARGE, SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.base.redact import line_key
from oomlint.parsers.lines import (
    KEEP_PER_KEY,
    PragmaCollector,
    content_lines,
    keep_last,
    repeats_dropped,
    repeats_message,
)

WHITESPACE = " \t\n\r"  # systemd-sysctl's strstrip(), not Unicode whitespace
BOM = "\ufeff"  # a UTF-8 byte-order mark, as decoded


class SysctlAssignment(NamedTuple):
    key: str  # canonical dotted form
    raw_key: str
    value: str
    loc: Loc
    ignore_failure: bool = False
    exclude: bool = False  # "-key" without '=': no value, keeps globs off the key


@dataclass
class SysctlFile:
    """The assignments of one file in order; of a key written more than `KEEP_PER_KEY` times
    only the last ones, `dropped` counting the others per key."""

    path: str
    assignments: list[SysctlAssignment] = field(default_factory=list)
    pragmas: list[Pragma] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)


def canonical_key(key: str) -> str:
    """The key as systemd-sysctl's sysctl_normalize() leaves it, in dotted form:
    ``vm/overcommit_memory``, ``vm.overcommit_memory``, ``vm..overcommit_memory`` and
    ``/vm/overcommit_memory/`` -> ``vm.overcommit_memory``;
    ``net/ipv4/conf/eth0.100/rp_filter`` -> ``net.ipv4.conf.eth0/100.rp_filter``;
    ``vm.swappiness/`` -> ``vm.swappiness/`` (the path ``vm/swappiness.``, no such key)."""
    key = key.strip(WHITESPACE)
    if "/" not in key and ".." not in key and key[:1] != "." and key[-1:] != ".":
        return key  # dotted, nothing to simplify: the common case, kept fast
    m = _FIRST_SEP.search(key)
    if m is not None and m.group() == ".":
        key = key.translate(_SWAP)  # now the /proc/sys path
    return path_simplify(key).lstrip("/").translate(_SWAP) if key != "/" else key


def path_simplify(path: str) -> str:
    """systemd's path_simplify(): repeated slashes, ``.`` components and trailing slashes
    go; ``..`` stays."""
    absolute = path.startswith("/")
    parts = [p for p in path.split("/") if p and p != "."]
    out = "/".join(parts)
    if absolute:
        return "/" + out
    return out or ("." if path else "")


def is_glob(key: str) -> bool:
    """systemd's string_is_glob(): the key is a pattern (glob(3)) when it has ``*?[``."""
    return "*" in key or "?" in key or "[" in key


_FIRST_SEP = re.compile(r"[/.]")
_SWAP = str.maketrans("./", "/.")


# Distinct keys one file may set before further new keys are dropped (those in `judged`,
# the keys the model reasons about, are always kept): a file of a million different keys
# would otherwise hold a record, a count and a setting for each.
MAX_KEYS_PER_FILE = 10_000


def parse_sysctl(text: str, path: str, problems: Problems,
                 judged: frozenset[str] = frozenset()) -> SysctlFile:
    out = SysctlFile(path)
    beyond = 0  # assignments of keys past MAX_KEYS_PER_FILE, not kept
    pragmas = PragmaCollector(path)
    # (key, raw key, value (None: an exclusion), line, ignore failure): a Loc and a record
    # only for the lines kept once repeats are bounded.
    found: list[tuple[str, str, str | None, int, bool]] = []
    counts: dict[str, int] = {}
    compact_at = 4096
    keys: dict[str, str] = {}  # canonical form of each raw key met (bounded below)
    for lineno, line in content_lines(text, pragmas, "#;"):
        ignore = line[0] == "-"
        if ignore:
            line = line[1:].lstrip(WHITESPACE)
        key, eq, value = line.partition("=")
        got: str | None = value.strip(WHITESPACE)
        if not eq:
            got = None  # "-key" without '=' excludes the key from glob matches
            if not ignore:
                problems.add(SYNTAX_ERROR, Loc(path, lineno),
                             f"'{line_key(line)}' is not an assignment: systemd-sysctl ignores "
                             "the line")
                continue
        raw_key = key.strip(WHITESPACE)
        if not raw_key:
            if got is None:
                continue  # a lone "-"
            problems.add(SYNTAX_ERROR, Loc(path, lineno), "assignment without a key")
            continue
        if lineno == 1 and key.startswith(BOM):
            # systemd-sysctl 252 and procps sysctl keep the mark in the key (recorded in
            # tests/data/bom/recorded.yaml): the write fails and the value is never set.
            problems.add(SYNTAX_ERROR, Loc(path, lineno),
                         f"the file starts with a UTF-8 byte-order mark (U+FEFF), which "
                         f"systemd-sysctl keeps in the key: {canonical_key(key[1:])} is not "
                         "set; save the file without the mark")
        canonical = keys.get(raw_key)
        if canonical is None:
            canonical = canonical_key(raw_key)
            if len(keys) < 4096:
                keys[raw_key] = canonical
        if canonical not in counts and len(counts) >= MAX_KEYS_PER_FILE and \
                canonical not in judged:
            beyond += 1
            continue
        found.append((canonical, raw_key, got, lineno, ignore))
        counts[canonical] = counts.get(canonical, 0) + 1
        if len(found) >= compact_at:
            found = keep_last(found, KEEP_PER_KEY)
            compact_at = max(4096, 2 * len(found))
    if len(found) > len(counts):
        found = keep_last(found, KEEP_PER_KEY)
    out.assignments = [SysctlAssignment(k, rk, v or "", Loc(path, n), ig, v is None)
                       for k, rk, v, n, ig in found]
    out.dropped = repeats_dropped(counts, KEEP_PER_KEY)
    if out.dropped:
        most = max(out.dropped, key=out.dropped.__getitem__)
        problems.add(FILE_TOO_LARGE, Loc(path), repeats_message(sum(out.dropped.values()), most))
    if beyond:
        problems.add(FILE_TOO_LARGE, Loc(path), f"{beyond} assignments not kept: the file sets "
                     f"more than {MAX_KEYS_PER_FILE} different keys; the first "
                     f"{MAX_KEYS_PER_FILE} and every key oomlint judges are checked")
    out.pragmas = pragmas.pragmas
    return out
