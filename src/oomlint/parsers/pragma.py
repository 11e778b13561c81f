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
from dataclasses import dataclass

from oomlint.provenance import Loc

_UNIT_PRAGMA = re.compile(r"^[#;]\s*oomlint:\s*unit\s*=\s*([A-Za-z0-9:_.@\\-]+)\s*$")
_PRAGMA = re.compile(
    r"^[#;]\s*oomlint:\s*(disable|disable-file)\s*=\s*([A-Za-z0-9_,\s-]+?)\s*(?:--\s*(.*?))?\s*$"
)


@dataclass
class Pragma:
    """One suppression comment: which rules, why, where, and the line it covers
    (0 for a whole-file pragma; None while the next content line is not yet known)."""

    rules: tuple[str, ...]
    reason: str
    loc: Loc
    target_line: int | None
    whole_file: bool = False
    used: bool = False
    unit: str | None = None  # `oomlint: unit=NAME`: the service this file configures


def content_lines(text: str, pragmas: PragmaCollector, comments: str = "#"):
    """(line number, stripped line) for every content line of a line-oriented file, feeding
    comment lines (those starting with one of `comments`) to `pragmas`."""
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line[0] in comments:
            pragmas.comment(line, lineno)
            continue
        pragmas.content(lineno)
        yield lineno, line


class PragmaCollector:
    def __init__(self, path: str):
        self.path = path
        self.pragmas: list[Pragma] = []
        self._pending: list[Pragma] = []

    def comment(self, text: str, line: int) -> None:
        u = _UNIT_PRAGMA.match(text.strip())
        if u:
            self.pragmas.append(Pragma((), "", Loc(self.path, line), 0, whole_file=True,
                                       used=True, unit=u.group(1)))
            return
        m = _PRAGMA.match(text.strip())
        if not m:
            return
        rules = tuple(r.strip() for r in m.group(2).split(",") if r.strip())
        whole = m.group(1) == "disable-file"
        p = Pragma(rules, (m.group(3) or "").strip(), Loc(self.path, line), 0 if whole else None,
                   whole_file=whole)
        self.pragmas.append(p)
        if not whole:
            self._pending.append(p)

    def content(self, line: int) -> None:
        for p in self._pending:
            p.target_line = line
        self._pending.clear()
