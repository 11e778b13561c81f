"""sysctl.d files, as systemd-sysctl reads them (sysctl.d(5)).

``key = value`` lines, ``#``/``;`` comment lines only (text after the value is part of it),
a leading ``-`` means "ignore failure to set". Keys are written with dots or slashes: when the
first separator is a ``.``, dots and slashes swap roles. oomlint's canonical key is the
dotted form of the /proc/sys path (``vm.overcommit_memory``).
"""

from __future__ import annotations

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


@dataclass
class SysctlFile:
    """The assignments of one file in order; of a key written more than `KEEP_PER_KEY` times
    only the last ones, `dropped` counting the others per key."""

    path: str
    assignments: list[SysctlAssignment] = field(default_factory=list)
    pragmas: list[Pragma] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)


def canonical_key(key: str) -> str:
    """``vm/overcommit_memory`` and ``vm.overcommit_memory`` -> ``vm.overcommit_memory``;
    ``net/ipv4/conf/eth0.100/rp_filter`` -> ``net.ipv4.conf.eth0/100.rp_filter``."""
    key = key.strip(WHITESPACE).strip("/")
    slash = key.find("/")
    if slash >= 0 and not 0 <= key.find(".") < slash:
        key = key.translate(_SWAP)
    return key


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
    # (key, raw key, value, line, ignore failure): a Loc and a record only for the lines
    # kept once repeats are bounded.
    found: list[tuple[str, str, str, int, bool]] = []
    counts: dict[str, int] = {}
    compact_at = 4096
    keys: dict[str, str] = {}  # canonical form of each raw key met (bounded below)
    for lineno, line in content_lines(text, pragmas, "#;"):
        ignore = line[0] == "-"
        if ignore:
            line = line[1:].lstrip(WHITESPACE)
        key, eq, value = line.partition("=")
        if not eq:
            if ignore:
                continue  # "-key" without '=' excludes a key from glob matches
            problems.add(SYNTAX_ERROR, Loc(path, lineno),
                         f"'{line_key(line)}' is not an assignment: systemd-sysctl ignores the line")
            continue
        raw_key = key.strip(WHITESPACE)
        if not raw_key:
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
        found.append((canonical, raw_key, value.strip(WHITESPACE), lineno, ignore))
        counts[canonical] = counts.get(canonical, 0) + 1
        if len(found) >= compact_at:
            found = keep_last(found, KEEP_PER_KEY)
            compact_at = max(4096, 2 * len(found))
    if len(found) > len(counts):
        found = keep_last(found, KEEP_PER_KEY)
    out.assignments = [SysctlAssignment(k, rk, v, Loc(path, n), ig) for k, rk, v, n, ig in found]
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
