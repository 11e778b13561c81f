"""Inline suppressions: ``# oomlint: disable=OOM201,OOM3 -- reason`` on its own line.

A ``disable=`` pragma applies to the next content line of the same file (a setting, or a
section header for findings about something missing); ``disable-file=`` to the whole file.
``;`` comments work too, since unit files, sysctl files and my.cnf accept them. Every
format's parser feeds its comment and content lines through one `PragmaCollector`.

``# oomlint: unit=mariadb-main.service`` in a database configuration names the unit that
runs it, where paths and ExecStart= cannot tell (a `Pragma` with `unit` set and no rules).
"""

from __future__ import annotations

import re
from typing import Callable

from oomlint.base.findings import Pragma
from oomlint.base.grammar.c import C_SPACE
from oomlint.base.provenance import Loc

_EOL = re.compile(r"\r\n|\n\r|\n|\r")


def split_lines(text: str) -> list[str]:
    """Lines as systemd's ``read_line()`` ends them: ``\n``, ``\r``, ``\r\n`` or
    ``\n\r`` (fstab, zram-generator.conf and shell files end at ``\n``, with a ``\r`` before
    it being whitespace). Not `str.splitlines()`, which also breaks at ``\f``, ``\v``,
    ``\x1c``-``\x1e``, ``\x85``, U+2028 and U+2029: the programs keep those inside the
    line, so splitting there would invent settings they never see and shift every later
    line number."""
    lines = _EOL.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


_UNIT_PRAGMA = re.compile(r"^[#;]\s*oomlint:\s*unit\s*=\s*([A-Za-z0-9:_.@\\-]+)\s*$")
# The rule list and the reason are split by hand at the first "--": a single regex whose
# rule list, reason and the blanks between them can all take spaces and dashes backtracks
# polynomially, and one long comment line would stall the run.
_PRAGMA = re.compile(r"[#;]\s*oomlint:\s*(disable-file|disable)\s*=(.*)", re.S)
_RULE_LIST = re.compile(r"[A-Za-z0-9_,\s-]+")


def split_newline(text: str) -> list[str]:
    """Lines as fgets() ends them: at \\n only (mysqld's option files)."""
    return text.split("\n")


def scan_lines(text: str, pragmas: PragmaCollector, comments: str = "#", *,
               split: Callable[[str], list[str]] = split_lines, space: str | None = C_SPACE):
    """(line number, raw line, stripped line) for every content line of a line-oriented
    file, feeding comment lines (those starting with one of `comments`) to `pragmas`.
    `split` ends lines as the owning program does, `space` is what it strips around them."""
    for lineno, raw in enumerate(split(text), start=1):
        line = raw.strip(space)
        if not line:
            continue
        if line[0] in comments:
            pragmas.comment(line, lineno)
            continue
        pragmas.content(lineno)
        yield lineno, raw, line


def content_lines(text: str, pragmas: PragmaCollector, comments: str = "#"):
    """(line number, stripped line) for every content line (`scan_lines` with the
    programs' usual line ends and C whitespace)."""
    for lineno, _, line in scan_lines(text, pragmas, comments):
        yield lineno, line


def file_pragmas(text: str, path: str, comments: str) -> list[Pragma]:
    """The pragmas of a file whose content is read by a character-level parser (environment
    files, @argfiles): lines split at \\n, Python's whitespace stripped."""
    pragmas = PragmaCollector(path)
    for _ in scan_lines(text, pragmas, comments, split=split_newline, space=None):
        pass
    return pragmas.pragmas


class PragmaCollector:
    def __init__(self, path: str):
        self.path = path
        self.pragmas: list[Pragma] = []
        self._pending: list[Pragma] = []

    def comment(self, text: str, line: int) -> None:
        u = _UNIT_PRAGMA.match(text.strip())
        if u:
            self.pragmas.append(Pragma((), "", Loc(self.path, line), 0, whole_file=True,
                                       unit=u.group(1)))
            return
        m = _PRAGMA.match(text.strip())
        if not m:
            return
        listed, _, reason = m.group(2).partition("--")
        if not _RULE_LIST.fullmatch(listed):
            return
        rules = tuple(r.strip() for r in listed.split(",") if r.strip())
        whole = m.group(1) == "disable-file"
        p = Pragma(rules, reason.strip(), Loc(self.path, line), 0 if whole else None,
                   whole_file=whole)
        self.pragmas.append(p)
        if not whole:
            self._pending.append(p)

    def content(self, line: int) -> None:
        for p in self._pending:
            p.target_line = line
        self._pending.clear()
