"""postgresql.conf, included files and postgresql.auto.conf, as PostgreSQL 15 reads them.

The scanner is ``src/backend/utils/misc/guc-file.l`` (flex: longest match wins, the earlier
rule on a tie) and the line grammar is ``ParseConfigFp()``:

- ``name [=] value`` with ``=`` optional; the name is an ID (``[A-Za-z_\\200-\\377]`` then
  letters, digits, ``_``) or a qualified ``ext.name``; names are case-insensitive
  (lowercased here, the spelling is kept because duplicate detection compares it exactly);
- the value is ONE token: an ID, a single-quoted string (``''`` and backslash escapes), an
  integer with optional unit letters (``128MB``, ``0x100``), a real (``1.5``, ``.5e3``) or an
  unquoted string (``/`` ``:`` ``-`` ``.`` allowed after a letter). Unquoted ``1 GB`` and
  ``1.5GB`` are two tokens: a syntax error, which makes postgres refuse to start;
- ``#`` starts a comment anywhere outside a quoted string; only ``\\n`` ends a line (``\\r``
  is whitespace);
- ``include``, ``include_if_exists`` and ``include_dir`` lines are directives, not settings.

A line the server cannot parse is kept as a `PgLine` with `error` set (postgres logs
"syntax error in file ... near token" and, at startup, refuses the whole configuration);
the model decides what to do with it. The parser never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union

from oomlint.base.findings import Pragma, Problems
from oomlint.base.provenance import Loc
from oomlint.base.redact import mask_value
from oomlint.parsers.lines import PragmaCollector

DIRECTIVES = ("include", "include_if_exists", "include_dir")

# guc-file.l's LETTER [A-Za-z_\200-\377] (every non-ASCII character in Python's str), written
# as the complement of the other ASCII characters: the same set, but re compiles the range
# \x80-\U0010ffff into a bitmap of the whole of Unicode, which was 45 ms of every start-up.
# tests/test_startup.py checks them against the original classes on every code point.
_LETTER = r"[^\x00-@\[-^`{-\x7f]"  # [A-Za-z_\x80-\U0010ffff]
_LETTER_DIGIT = r"[^\x00-/:-@\[-^`{-\x7f]"  # [A-Za-z_\x80-\U0010ffff0-9]
_UNQUOTED_CHAR = r"[^\x00-,;-@\[-^`{-\x7f]"  # [A-Za-z_\x80-\U0010ffff0-9\-._:/]
_ID = rf"{_LETTER}{_LETTER_DIGIT}*"
# guc-file.l rules in their order of precedence (a tie in length goes to the earlier one).
_RULES = (
    ("ID", re.compile(_ID)),
    ("QUALIFIED_ID", re.compile(rf"{_ID}\.{_ID}")),
    ("STRING", re.compile(r"'(?:[^'\\\n]|\\.|'')*'")),
    ("UNQUOTED_STRING", re.compile(rf"{_LETTER}{_UNQUOTED_CHAR}*")),
    ("INTEGER", re.compile(r"[+-]?(?:0x[0-9a-fA-F]+|[0-9]+)[a-zA-Z]*")),
    ("REAL", re.compile(r"[+-]?[0-9]*\.[0-9]*(?:[Ee][+-]?[0-9]+)?")),
    ("EQUALS", re.compile(r"=")),
)
_SPACE = re.compile(r"[ \t\r]+")
_VALUE_TOKENS = ("ID", "STRING", "INTEGER", "REAL", "UNQUOTED_STRING")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class PgLine:
    """One ``name = value`` line. `value` is what the server hands to the parameter (quotes
    and escapes removed); `raw` the value token as written. `error` is set when the line is
    a syntax error (postgres refuses to start); `name`/`value` are then a best effort."""

    name: str
    raw_name: str
    value: str
    raw: str
    loc: Loc
    quoted: bool = False
    error: str | None = None

    @property
    def written(self) -> str:
        return f"{self.raw_name} = {self.raw}" if self.raw_name else self.raw


@dataclass(frozen=True)
class PgInclude:
    """``include``, ``include_if_exists`` or ``include_dir`` with its (unquoted) path."""

    kind: str
    path: str
    loc: Loc


PgItem = Union[PgLine, PgInclude]


@dataclass
class PgConfFile:
    path: str
    items: list[PgItem] = field(default_factory=list)  # in file order
    pragmas: list[Pragma] = field(default_factory=list)

    @property
    def assignments(self) -> list[PgLine]:
        return [i for i in self.items if isinstance(i, PgLine) and i.error is None]

    @property
    def errors(self) -> list[PgLine]:
        return [i for i in self.items if isinstance(i, PgLine) and i.error is not None]

    @property
    def includes(self) -> list[PgInclude]:
        return [i for i in self.items if isinstance(i, PgInclude)]


def tokenize(line: str, limit: int | None = None) -> list[Token]:
    """The line's tokens, whitespace and the ``#`` comment dropped; a character no rule
    matches is an ERROR token (flex's ``.`` rule). With `limit`, at most that many tokens:
    a line's meaning is decided by its first few, and scanning every token of a long
    malformed line (each failed quoted string rescans to the end) is quadratic."""
    out: list[Token] = []
    pos = 0
    while pos < len(line) and (limit is None or len(out) < limit):
        sp = _SPACE.match(line, pos)
        if sp:
            pos = sp.end()
            continue
        if line[pos] == "#":
            break
        best: Token | None = None
        for kind, rx in _RULES:
            m = rx.match(line, pos)
            if m and m.end() > pos and (best is None or m.end() - pos > len(best.text)):
                best = Token(kind, m.group())
        if best is None:
            best = Token("ERROR", line[pos])
        out.append(best)
        pos += len(best.text)
    return out


def scanstr(token: str) -> str:
    """``GUC_scanstr()``: strip the quotes, collapse ``''`` and backslash escapes (``\\b \\f
    \\n \\r \\t``, up to three octal digits, any other character stands for itself)."""
    s = token[1:]
    out: list[str] = []
    i = 0
    simple = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
    while i < len(s) - 1:
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            i += 1
            nxt = s[i]
            if nxt in "01234567":
                k = 0
                oct_val = 0
                while k < 3 and i + k < len(s) and s[i + k] in "01234567":
                    oct_val = (oct_val << 3) + int(s[i + k])
                    k += 1
                i += k - 1
                out.append(chr(oct_val & 0xFF))
            else:
                out.append(simple.get(nxt, nxt))
        elif ch == "'" and s[i + 1:i + 2] == "'":
            i += 1
            out.append("'")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def parse_pg_conf(text: str, path: str, problems: Problems) -> PgConfFile:
    """Parse one postgresql.conf-syntax file into ordered records. Never raises. A syntax
    error is a record with `error` set, not a problem: postgres refuses the whole
    configuration for it, which the model reports as a refusal (`problems` is for the
    signature every parser shares)."""
    out = PgConfFile(path)
    pragmas = PragmaCollector(path)
    for lineno, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip(" \t\r")
        if not stripped or stripped.startswith("#"):
            if stripped:
                pragmas.comment(stripped, lineno)
            continue
        loc = Loc(path, lineno)
        item = _parse_line(line, loc)
        if item is None:
            continue
        pragmas.content(lineno)
        out.items.append(item)
    out.pragmas = pragmas.pragmas
    return out


def _parse_line(line: str, loc: Loc) -> PgItem | None:
    tokens = tokenize(line, limit=4)  # name, '=', value and whatever follows the value
    if not tokens:
        return None
    first = tokens[0]
    if first.kind not in ("ID", "QUALIFIED_ID"):
        return _error(line, loc, "", first.text)
    rest = tokens[1:]
    if rest and rest[0].kind == "EQUALS":
        rest = rest[1:]
    if not rest or rest[0].kind not in _VALUE_TOKENS:
        # A dotted word (``x.conf``, ``a.b``) scans as a qualified name, never as a value.
        quote = bool(rest) and rest[0].kind == "QUALIFIED_ID" and len(rest) == 1
        return _error(line, loc, first.text, rest[0].text if rest else None, quote)
    if len(rest) > 1:
        return _error(line, loc, first.text, rest[1].text)
    tok = rest[0]
    value = scanstr(tok.text) if tok.kind == "STRING" else tok.text
    name = first.text.lower()
    if name in DIRECTIVES:
        return PgInclude(name, value, loc)
    return PgLine(name, first.text, value, tok.text, loc, quoted=tok.kind == "STRING")


def _error(line: str, loc: Loc, raw_name: str, near: str | None, quote: bool = False) -> PgLine:
    """A syntax-error record, with the server's wording."""
    where = f'near token "{mask_value(raw_name, near, 40)}"' if near is not None else \
        "near end of line"
    body = line.split("#", 1)[0].strip(" \t\r") if "'" not in line else line.strip(" \t\r")
    value = body[len(raw_name):].lstrip(" \t\r") if raw_name else body
    if value.startswith("="):
        value = value[1:].lstrip(" \t\r")
    hint = ""
    if quote or re.fullmatch(r"[0-9.]+\s+[A-Za-z]+|[0-9]*\.[0-9]+[A-Za-z]+", value):
        hint = f" (quote it: {raw_name} = '{mask_value(raw_name, value)}')"
    msg = f"syntax error {where}{hint}"
    return PgLine(raw_name.lower(), raw_name, value, value, loc, error=msg)
