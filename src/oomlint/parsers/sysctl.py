"""sysctl.d files, as systemd-sysctl reads them (sysctl.d(5)).

``key = value`` lines, ``#``/``;`` comment lines only (text after the value is part of it),
a leading ``-`` means "ignore failure to set". Keys are written with dots or slashes: when the
first separator is a ``.``, dots and slashes swap roles. oomlint's canonical key is the
dotted form of the /proc/sys path (``vm.overcommit_memory``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oomlint.base.findings import Pragma, Problems
from oomlint.base.ids import SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.base.redact import line_key
from oomlint.parsers.lines import PragmaCollector, content_lines

WHITESPACE = " \t\n\r"  # systemd-sysctl's strstrip(), not Unicode whitespace
BOM = "\ufeff"  # a UTF-8 byte-order mark, as decoded


@dataclass(frozen=True)
class SysctlAssignment:
    key: str  # canonical dotted form
    raw_key: str
    value: str
    loc: Loc
    ignore_failure: bool = False


@dataclass
class SysctlFile:
    path: str
    assignments: list[SysctlAssignment] = field(default_factory=list)
    pragmas: list[Pragma] = field(default_factory=list)


def canonical_key(key: str) -> str:
    """``vm/overcommit_memory`` and ``vm.overcommit_memory`` -> ``vm.overcommit_memory``;
    ``net/ipv4/conf/eth0.100/rp_filter`` -> ``net.ipv4.conf.eth0/100.rp_filter``."""
    key = key.strip(WHITESPACE).strip("/")
    first = next((c for c in key if c in "./"), ".")
    if first == "/":
        key = key.translate(str.maketrans("./", "/."))
    return key


def parse_sysctl(text: str, path: str, problems: Problems) -> SysctlFile:
    out = SysctlFile(path)
    pragmas = PragmaCollector(path)
    for lineno, line in content_lines(text, pragmas, "#;"):
        ignore = line.startswith("-")
        if ignore:
            line = line[1:].lstrip(WHITESPACE)
        if "=" not in line:
            if ignore:
                continue  # "-key" without '=' excludes a key from glob matches
            problems.add(SYNTAX_ERROR, Loc(path, lineno),
                         f"'{line_key(line)}' is not an assignment: systemd-sysctl ignores the line")
            continue
        key, _, value = line.partition("=")
        if not key.strip(WHITESPACE):
            problems.add(SYNTAX_ERROR, Loc(path, lineno), "assignment without a key")
            continue
        if lineno == 1 and key.startswith(BOM):
            # systemd-sysctl 252 and procps sysctl keep the mark in the key (recorded in
            # tests/data/bom/recorded.yaml): the write fails and the value is never set.
            problems.add(SYNTAX_ERROR, Loc(path, lineno),
                         f"the file starts with a UTF-8 byte-order mark (U+FEFF), which "
                         f"systemd-sysctl keeps in the key: {canonical_key(key[1:])} is not "
                         "set; save the file without the mark")
        out.assignments.append(
            SysctlAssignment(canonical_key(key), key.strip(WHITESPACE), value.strip(WHITESPACE),
                             Loc(path, lineno), ignore)
        )
    out.pragmas = pragmas.pragmas
    return out
