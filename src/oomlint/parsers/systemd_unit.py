"""systemd unit files and drop-ins (also system.conf, oomd.conf): records with positions.

Follows systemd's ``config_parse()``: ``[Section]`` headers, ``Key=Value`` with whitespace
around ``=`` dropped, comment lines starting with ``#`` or ``;`` (no trailing comments: the
rest of the line is the value), a line ending in an unescaped backslash continues on the next
one (the backslash becomes a space; comment lines inside a continuation are skipped),
case-sensitive names. What systemd logs and ignores becomes an OOM005 problem; the record
is kept out of the assignments, as systemd keeps it out of the unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from oomlint.base.findings import Pragma, Problems
from oomlint.base.ids import FILE_TOO_LARGE, SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.base.redact import line_key
from oomlint.parsers.lines import (
    _CHUNK,
    PragmaCollector,
    iter_lines,
    keep_last,
    repeats_dropped,
    repeats_message,
    split_lines,
)

LONG_LINE_MAX = 1024 * 1024  # systemd's LONG_LINE_MAX
# systemd's WHITESPACE: what strstrip() removes around lines, keys and values. Python's
# str.strip() would also remove U+00A0, U+3000 ..., making "\u00a0MemoryMax=1G" look like
# a limit that systemd ignores as an unknown key.
WHITESPACE = " \t\n\r"
BOM = "\ufeff"  # UTF-8 byte-order mark, as decoded
# A line of fewer characters is under LONG_LINE_MAX bytes whatever they are (at most 4 bytes
# each): its size need not be counted.
_SURELY_SHORT = LONG_LINE_MAX // 4
def utf8_len(text: str) -> int:
    """The length in bytes that systemd's limits count."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


class Assignment(NamedTuple):
    section: str
    key: str
    value: str
    loc: Loc


# Assignment(...) without the generated __new__'s extra call, for every assignment parsed.
_new_tuple = tuple.__new__


@dataclass
class UnitFile:
    """One parsed unit file or drop-in. Of a directive written more than
    `lines.KEEP_PER_KEY` times in one section, only the last ones are in `assignments`; `dropped` counts the
    others per (section, key)."""

    path: str
    sections: dict[str, Loc] = field(default_factory=dict)  # first header of each section
    assignments: list[Assignment] = field(default_factory=list)
    unknown_sections: dict[str, Loc] = field(default_factory=dict)
    pragmas: list[Pragma] = field(default_factory=list)
    loaded: bool = True  # False when systemd would refuse the whole file
    dropped: dict[tuple[str, str], int] = field(default_factory=dict)

    def header(self, section: str) -> Loc:
        """Where a finding about something missing in `section` should point."""
        return self.sections.get(section) or Loc(self.path, 1 if self.assignments else 0)


def parse_unit(text: str, path: str, problems: Problems, known_sections=None) -> UnitFile:
    """Parse unit-file syntax. `known_sections`, when given, marks other section names as
    unknown (systemd ignores their contents)."""
    unit = UnitFile(path)
    pragmas = PragmaCollector(path)
    waiting = pragmas._pending  # pragmas waiting for the next content line
    section: str | None = None
    pending = ""
    pending_line = 0
    pending_bytes = 0
    # ((section, key), section, key, value, line) of each assignment; a Loc and a record
    # only for those kept once repeats are bounded.
    found: list[tuple] = []
    counts: dict[tuple[str, str], int] = {}
    compact_at = 4096
    lines = split_lines(text) if len(text) <= _CHUNK else iter_lines(text)
    for lineno, raw in enumerate(lines, start=1):
        if len(raw) < _SURELY_SHORT and not pending and raw[-1:] != "\\" and \
                (lineno > 1 or not raw.startswith(BOM)):
            # The common line, taken the way the general loop below would take it: no
            # continuation before or after it, no byte-order mark, under the length limit.
            stripped = raw.strip(WHITESPACE)
            if not stripped or stripped[0] in "#;":
                if "oomlint" in stripped:  # a comment that is no pragma is not looked at
                    pragmas.comment(stripped, lineno)
                continue
            if section is not None and stripped[0] != "[":
                key, eq, value = stripped.partition("=")
                if eq:  # `_handle` of an assignment, inline
                    key = key.strip(WHITESPACE)
                    sk = (section, key)
                    found.append((sk, section, key, value.strip(WHITESPACE), lineno))
                    counts[sk] = counts.get(sk, 0) + 1
                    if waiting:
                        pragmas.content(lineno)
                    if len(found) >= compact_at:
                        found[:] = keep_last(found)
                        compact_at = max(4096, 2 * len(found))
                    continue
            section = _handle(stripped, lineno, unit, section, problems, known_sections, found,
                              counts)
            if waiting:
                pragmas.content(lineno)
            if not unit.loaded:
                break  # systemd stops reading the file at an invalid section header
            continue
        size = len(raw) if raw.isascii() else utf8_len(raw)
        if size >= LONG_LINE_MAX:
            problems.add(FILE_TOO_LARGE, Loc(path, lineno),
                         "line longer than systemd's 1 MiB limit: systemd refuses the file")
            unit.loaded = False
            break
        stripped = raw.strip(WHITESPACE)
        bom = lineno == 1 and raw.startswith(BOM)
        if bom:
            # config_parse() looks for a comment first, then drops a UTF-8 byte-order mark
            # that starts the file: "\ufeff[Unit]" is a header, "\ufeff# x" is no comment.
            raw = raw[len(BOM):]
            stripped = raw.strip(WHITESPACE)
            if not stripped:
                continue
        if pending:
            if stripped[:1] in ("#", ";"):
                continue
            pending_bytes += size
            if pending_bytes > LONG_LINE_MAX:
                problems.add(FILE_TOO_LARGE, Loc(path, pending_line),
                             "continued line longer than systemd's 1 MiB limit: systemd "
                             "refuses the file")
                unit.loaded = False
                pending = ""
                break
        elif not bom and (not stripped or stripped[0] in "#;"):
            if stripped:
                pragmas.comment(stripped, lineno)
            continue
        # Lines come without their line ends: a continuation is an odd run of backslashes.
        if raw.endswith("\\") and _continues(raw):
            pending += raw[:-1] + " "
            pending_bytes += 0 if pending_line else size
            pending_line = pending_line or lineno
            continue
        if pending:
            logical = (pending + raw).strip(WHITESPACE)
            start = pending_line
            pending, pending_line, pending_bytes = "", 0, 0
        else:
            logical, start = stripped, lineno
        section = _handle(logical, start, unit, section, problems, known_sections, found, counts)
        if waiting:
            pragmas.content(start)
        if not unit.loaded:
            pending = ""
            break  # systemd stops reading the file at an invalid section header
        if len(found) >= compact_at:
            found[:] = keep_last(found)
            compact_at = max(4096, 2 * len(found))
    if pending:
        _handle(pending.strip(WHITESPACE), pending_line, unit, section, problems,
                known_sections, found, counts)
        pragmas.content(pending_line)
    if len(found) > len(counts):
        found = keep_last(found)
    unit.assignments = [_new_tuple(Assignment, (sec, key, value, Loc(path, n)))
                        for _, sec, key, value, n in found]
    unit.dropped = repeats_dropped(counts)
    if unit.dropped:
        sec, key = max(unit.dropped, key=unit.dropped.__getitem__)
        problems.add(FILE_TOO_LARGE, Loc(path),
                     repeats_message(sum(unit.dropped.values()), f"{key}= in [{sec}]"))
    unit.pragmas = pragmas.pragmas
    return unit


def _continues(line: str) -> bool:
    n = len(line) - len(line.rstrip("\\"))
    return n % 2 == 1


def _handle(logical, line, unit, section, problems, known_sections, found, counts):
    path = unit.path
    if logical[:1] == "[":
        if not logical.endswith("]") or len(logical) < 3:
            problems.add(SYNTAX_ERROR, Loc(path, line),
                         f"invalid section header '{line_key(logical)}': systemd refuses to load the file")
            unit.loaded = False
            return None
        name = logical[1:-1]
        if known_sections is not None and name not in known_sections and \
                name not in unit.unknown_sections:
            unit.unknown_sections[name] = Loc(path, line)
        if name not in unit.sections:
            unit.sections[name] = Loc(path, line)
        return name
    if section is None:
        problems.add(SYNTAX_ERROR, Loc(path, line),
                     "assignment outside of any [Section]: systemd ignores it")
        return None
    key, eq, value = logical.partition("=")
    if not eq:
        problems.add(SYNTAX_ERROR, Loc(path, line),
                     f"missing '=' in '{line_key(logical)}': systemd ignores the line")
        return section
    key = key.strip(WHITESPACE)
    sk = (section, key)
    found.append((sk, section, key, value.strip(WHITESPACE), line))
    counts[sk] = counts.get(sk, 0) + 1
    return section
