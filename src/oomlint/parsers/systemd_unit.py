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

from oomlint.base.findings import Pragma, Problems
from oomlint.base.ids import FILE_TOO_LARGE, SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.base.redact import line_key
from oomlint.parsers.lines import PragmaCollector, split_lines

LONG_LINE_MAX = 1024 * 1024  # systemd's LONG_LINE_MAX
# systemd's WHITESPACE: what strstrip() removes around lines, keys and values. Python's
# str.strip() would also remove U+00A0, U+3000 ..., making "\u00a0MemoryMax=1G" look like
# a limit that systemd ignores as an unknown key.
WHITESPACE = " \t\n\r"
BOM = "\ufeff"  # UTF-8 byte-order mark, as decoded
def utf8_len(text: str) -> int:
    """The length in bytes that systemd's limits count."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class Assignment:
    section: str
    key: str
    value: str
    loc: Loc


@dataclass
class UnitFile:
    """One parsed unit file or drop-in."""

    path: str
    sections: dict[str, Loc] = field(default_factory=dict)  # first header of each section
    assignments: list[Assignment] = field(default_factory=list)
    unknown_sections: dict[str, Loc] = field(default_factory=dict)
    pragmas: list[Pragma] = field(default_factory=list)
    loaded: bool = True  # False when systemd would refuse the whole file

    def header(self, section: str) -> Loc:
        """Where a finding about something missing in `section` should point."""
        return self.sections.get(section) or Loc(self.path, 1 if self.assignments else 0)


def parse_unit(text: str, path: str, problems: Problems, known_sections=None) -> UnitFile:
    """Parse unit-file syntax. `known_sections`, when given, marks other section names as
    unknown (systemd ignores their contents)."""
    unit = UnitFile(path)
    pragmas = PragmaCollector(path)
    section: str | None = None
    pending = ""
    pending_line = 0
    pending_bytes = 0
    for lineno, raw in enumerate(split_lines(text), start=1):
        size = utf8_len(raw)
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
        elif not bom and (not stripped or stripped[:1] in ("#", ";")):
            if stripped:
                pragmas.comment(stripped, lineno)
            continue
        if _continues(raw.rstrip("\r\n")):
            body = raw.rstrip("\r\n")
            pending += body[:-1] + " "
            pending_bytes += 0 if pending_line else size
            pending_line = pending_line or lineno
            continue
        logical = (pending + raw).strip(WHITESPACE)
        start = pending_line or lineno
        pending, pending_line, pending_bytes = "", 0, 0
        section = _handle(logical, Loc(path, start), unit, section, problems, known_sections)
        pragmas.content(start)
        if not unit.loaded:
            pending = ""
            break  # systemd stops reading the file at an invalid section header
    if pending:
        _handle(pending.strip(WHITESPACE), Loc(path, pending_line), unit, section, problems, known_sections)
        pragmas.content(pending_line)
    unit.pragmas = pragmas.pragmas
    return unit


def _continues(line: str) -> bool:
    n = len(line) - len(line.rstrip("\\"))
    return n % 2 == 1


def _handle(logical, loc, unit, section, problems, known_sections):
    if logical.startswith("["):
        if not logical.endswith("]") or len(logical) < 3:
            problems.add(SYNTAX_ERROR, loc,
                         f"invalid section header '{line_key(logical)}': systemd refuses to load the file")
            unit.loaded = False
            return None
        name = logical[1:-1]
        if known_sections is not None and name not in known_sections:
            unit.unknown_sections.setdefault(name, loc)
        unit.sections.setdefault(name, loc)
        return name
    if section is None:
        problems.add(SYNTAX_ERROR, loc, "assignment outside of any [Section]: systemd ignores it")
        return None
    if "=" not in logical:
        problems.add(SYNTAX_ERROR, loc, f"missing '=' in '{line_key(logical)}': systemd ignores the line")
        return section
    key, _, value = logical.partition("=")
    unit.assignments.append(Assignment(section, key.strip(WHITESPACE), value.strip(WHITESPACE), loc))
    return section
