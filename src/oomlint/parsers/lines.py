"""The line loop every line-oriented format shares, and the inline suppressions it collects.

Lines end as each owning program ends them (`split_lines`, `split_newline`); `scan_lines`
feeds comment lines to a `PragmaCollector` and yields content lines. A suppression is
``# oomlint: disable=OOM201,OOM3 -- reason`` on its own line.

A ``disable=`` pragma applies to the next content line of the same file (a setting, or a
section header for findings about something missing); ``disable-file=`` to the whole file.
``;`` comments work too, since unit files, sysctl files and my.cnf accept them. Every
format's parser feeds its comment and content lines through one `PragmaCollector`.

``# oomlint: unit=mariadb-main.service`` in a database configuration names the unit that
runs it, where paths and ExecStart= cannot tell (a `Pragma` with `unit` set and no rules).
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from oomlint.base.findings import Pragma
from oomlint.base.grammar.c import C_SPACE
from oomlint.base.provenance import MAX_OVERRIDDEN, Loc

_EOL = re.compile(r"\r\n|\n\r|\n|\r")


def split_lines(text: str) -> list[str]:
    """Lines as systemd's ``read_line()`` ends them: ``\n``, ``\r``, ``\r\n`` or
    ``\n\r`` (fstab, zram-generator.conf and shell files end at ``\n``, with a ``\r`` before
    it being whitespace). Not `str.splitlines()`, which also breaks at ``\f``, ``\v``,
    ``\x1c``-``\x1e``, ``\x85``, U+2028 and U+2029: the programs keep those inside the
    line, so splitting there would invent settings they never see and shift every later
    line number."""
    lines = text.split("\n") if "\r" not in text else _EOL.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# Where `iter_lines` may cut a text into chunks: a line end right after a character that is
# no line end, so the cut agrees with the leftmost matching of `_EOL` over the whole text.
_CUT = re.compile(r"(?<![\r\n])(?:\r\n|\n\r|\n|\r)")
_CHUNK = 1 << 16  # characters split at once: bounded lists, C-speed splitting


def iter_lines(text: str) -> Iterable[str]:
    """`split_lines` one chunk at a time: the same lines, without a list of every line of
    a 16 MiB file (tens of bytes of overhead per line) alive at once."""
    n = len(text)
    if n <= _CHUNK:
        yield from split_lines(text)
        return
    plain = "\r" not in text  # the common case: split at "\n" only
    pos = 0
    while pos < n:
        if plain:
            end = text.find("\n", pos + _CHUNK) + 1 if pos + _CHUNK < n else 0
        else:
            m = _CUT.search(text, pos + _CHUNK) if pos + _CHUNK < n else None
            end = m.end() if m else 0
        if end <= 0:  # the rest in one go
            yield from split_lines(text[pos:])
            return
        chunk = text[pos:end]
        lines = chunk.split("\n") if plain else _EOL.split(chunk)
        lines.pop()  # the chunk ends with a line end
        yield from lines
        pos = end


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
               split: Callable[[str], Iterable[str]] = iter_lines, space: str | None = C_SPACE):
    """(line number, raw line, stripped line) for every content line of a line-oriented
    file, feeding comment lines (those starting with one of `comments`) to `pragmas`.
    `split` ends lines as the owning program does, `space` is what it strips around them."""
    pending = pragmas._pending
    for lineno, raw in enumerate(split(text), start=1):
        line = raw.strip(space)
        if not line:
            continue
        if line[0] in comments:
            pragmas.comment(line, lineno)
            continue
        if pending:
            pragmas.content(lineno)
        yield lineno, raw, line


def content_lines(text: str, pragmas: PragmaCollector, comments: str = "#"):
    """(line number, stripped line) for every content line (`scan_lines` with the
    programs' usual line ends and C whitespace)."""
    for lineno, _, line in scan_lines(text, pragmas, comments):
        yield lineno, line


# Assignments of one key a parser keeps per file: the effective one and the overridden
# ones a `Setting` keeps. A pathological file that repeats a key a million times costs no
# more than one that repeats it this often; the rest are counted, and reported.
KEEP_PER_KEY = MAX_OVERRIDDEN + 1


def keep_last(records: list[tuple], keep: int = KEEP_PER_KEY) -> list[tuple]:
    """`records` (each grouped by its first item) without all but the last `keep` of each
    group, in their order."""
    seen: dict = {}
    kept = []
    for r in reversed(records):
        n = seen.get(r[0], 0)
        if n < keep:
            seen[r[0]] = n + 1
            kept.append(r)
    kept.reverse()
    return kept


def repeats_dropped(counts: dict, keep: int = KEEP_PER_KEY) -> dict:
    """How many records of each key `keep_last` dropped, given how many there were."""
    return {k: n - keep for k, n in counts.items() if n > keep}


def repeats_message(dropped: int, most: str) -> str:
    """The OOM004 text for a file whose repeated assignments were bounded."""
    return (f"{dropped} assignments not kept: a key set more than {KEEP_PER_KEY} times in one "
            f"file ({most} most often) is checked with its last {KEEP_PER_KEY} assignments")


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
        if "oomlint" not in text:  # most comments: no regex
            return
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
