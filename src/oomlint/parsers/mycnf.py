"""MySQL/MariaDB option files (my.cnf, conf.d/*.cnf), as mysys/my_default.c reads them.

``search_default_file_with_ext()`` (MariaDB 10.11 and MySQL 8.0 share it), line by line:

- leading whitespace is skipped; a line starting with ``#`` or ``;`` is a comment;
- ``!include FILE`` / ``!includedir DIR``: ``!``, optional whitespace, the keyword, at least
  one whitespace, the argument up to the trailing whitespace (an empty argument is fatal:
  "Wrong '!include' directive"); any other ``!word`` line is silently ignored;
- ``[group]``: the name runs to the first ``]`` with trailing (not leading) whitespace
  removed, so ``[ mysqld ]`` is the group " mysqld", which no server reads; a missing ``]``
  is fatal ("Wrong group definition"); text after ``]`` is ignored. Group names compare
  case-insensitively (find_type), so they are lowercased here;
- an option before any group in the file is fatal ("Found option without preceding group");
- an option: ``remove_end_comment()`` cuts the line at the first ``#`` outside single or
  double quotes (``;`` is *not* a trailing comment: ``500 ; note`` is the value), the name
  runs to the first ``=`` (whitespace trimmed), the value is trimmed, one pair of matching
  quotes around it is removed and the escapes ``\\n \\t \\r \\b \\s \\" \\' \\\\`` are
  processed. Without ``=`` the option has no value (``skip-name-resolve``).

A fatal line stops the server's reading of that file: for the first file it reads the
server does not start, for an included file the rest of that file is dropped (the including
file ignores the error). Such a line is kept as `MyCnfFile.stop` and nothing after it is
recorded. mysqld's own option matching (``my_getopt.c``: ``-`` equals ``_``, the
``loose-``/``skip-``/... prefixes) is recorded here and resolved in model/mysql.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from oomlint.base.findings import Pragma, Problems
from oomlint.base.grammar.c import C_SPACE
from oomlint.base.ids import SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.base.redact import line_key, shown, word
from oomlint.parsers.lines import PragmaCollector, scan_lines, split_newline

LINE_BUFFER = 4096 - 2  # fgets(buff, sizeof(buff) - 1): longer lines are split by the server
# my_getopt.c special_opt_prefix[], in the order handle_options() tries them. MySQL has no
# "autoset".
SPECIAL_PREFIXES = ("skip", "disable", "enable", "maximum", "loose", "autoset")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "s": " ", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class MyGroup:
    """A ``[group]`` header; `name` lowercased as the server compares it."""

    name: str
    raw: str
    loc: Loc


@dataclass(frozen=True)
class MyOption:
    """One option line inside `group`.

    `full_name` is the name canonicalised (lowercase, ``-`` -> ``_``); `prefixes` are the
    special prefixes peeled off its front in order (``loose-skip-x`` -> ("loose", "skip"))
    and `name` what remains. `raw` is the value as written after comment stripping and
    trimming (None without ``=``); `value` is what my_getopt receives (quotes removed,
    escapes processed)."""

    group: str
    name: str
    full_name: str
    prefixes: tuple[str, ...]
    raw_name: str
    raw: str | None
    value: str | None
    loc: Loc

    @property
    def written(self) -> str:
        return self.raw_name if self.raw is None else f"{self.raw_name}={self.raw}"


@dataclass(frozen=True)
class MyDirective:
    """``!include`` or ``!includedir`` with its argument."""

    kind: str
    path: str
    loc: Loc


@dataclass(frozen=True)
class MyStop:
    """The line at which the server stops reading the file, and its message."""

    loc: Loc
    message: str
    written: str


MyItem = Union[MyGroup, MyOption, MyDirective]


@dataclass
class MyCnfFile:
    path: str
    items: list[MyItem] = field(default_factory=list)  # in file order
    pragmas: list[Pragma] = field(default_factory=list)
    stop: MyStop | None = None

    @property
    def groups(self) -> list[MyGroup]:
        return [i for i in self.items if isinstance(i, MyGroup)]

    @property
    def options(self) -> list[MyOption]:
        return [i for i in self.items if isinstance(i, MyOption)]

    @property
    def directives(self) -> list[MyDirective]:
        return [i for i in self.items if isinstance(i, MyDirective)]


class _State:
    """configparser-style read state: the current group of this file."""

    def __init__(self, path: str, problems: Problems):
        self.out = MyCnfFile(path)
        self.problems = problems
        self.group: str | None = None

    def fail(self, loc: Loc, message: str, written: str) -> None:
        """A fatal line, kept in `stop`; not reported here, because only the model knows
        whether it stops the server (first file) or drops the rest of an included one."""
        self.out.stop = MyStop(loc, message, written)


def parse_mycnf(text: str, path: str, problems: Problems) -> MyCnfFile:
    """Parse one option file. Never raises. Malformed lines the server reads past become
    OOM005 problems; a line that stops the server's reading is `MyCnfFile.stop`."""
    st = _State(path, problems)
    pragmas = PragmaCollector(path)
    for lineno, raw, _ in scan_lines(text, pragmas, "#;", split=split_newline):
        line = raw.lstrip(C_SPACE)
        loc = Loc(path, lineno)
        if len(raw.encode("utf-8", "surrogatepass")) > LINE_BUFFER:
            problems.add(SYNTAX_ERROR, loc, f"line longer than {LINE_BUFFER} bytes: mysqld "
                         "reads the rest as separate lines")
        _handle(line, loc, st)
        if st.out.stop is not None:
            break
    st.out.pragmas = pragmas.pragmas
    return st.out


def _handle(line: str, loc: Loc, st: _State) -> None:
    if line[0] == "!":
        _directive(line, loc, st)
    elif line[0] == "[":
        _group(line, loc, st)
    elif st.group is None:
        hint = (" (the file starts with a UTF-8 byte-order mark, which mysqld does not skip)"
                if line.startswith("\ufeff") else "")
        st.fail(loc, f"Found option without preceding group{hint}", line_key(line.lstrip("\ufeff")))
    else:
        _option(line, loc, st)


def _directive(line: str, loc: Loc, st: _State) -> None:
    body = line[1:].lstrip(C_SPACE)
    for kind in ("includedir", "include"):
        if body.startswith(kind) and body[len(kind):len(kind) + 1] and \
                body[len(kind)] in C_SPACE:
            arg = body[len(kind):].strip(C_SPACE)
            if not arg:
                st.fail(loc, f"Wrong '!{kind}' directive: no file name", f"!{kind}")
                return
            st.out.items.append(MyDirective(kind, arg, loc))
            return
    st.problems.add(SYNTAX_ERROR, loc, f"unknown directive '{word(line, 40)}': mysqld "
                    "ignores the line (only !include and !includedir exist)")


def _group(line: str, loc: Loc, st: _State) -> None:
    end = line.find("]", 1)
    if end < 0:
        st.fail(loc, "Wrong group definition (no closing ']')", line_key(line))
        return
    name = line[1:end].rstrip(C_SPACE)
    if name != name.lstrip(C_SPACE):
        st.problems.add(SYNTAX_ERROR, loc, f"group name '{shown(name, 40)}' starts with whitespace: "
                        "mysqld keeps it, so no program reads this group")
    st.group = name.lower()
    st.out.items.append(MyGroup(st.group, name, loc))


def _option(line: str, loc: Loc, st: _State) -> None:
    body = remove_end_comment(line)
    name_part, eq, value_part = body.partition("=")
    raw_name = name_part.rstrip(C_SPACE)
    if not raw_name:
        st.problems.add(SYNTAX_ERROR, loc, "option without a name")
    raw = value_part.strip(C_SPACE) if eq else None
    value = unquote(raw) if raw is not None else None
    full = canonical(raw_name)
    prefixes, name = split_prefixes(full)
    st.out.items.append(MyOption(st.group or "", name, full, prefixes, raw_name, raw, value, loc))


def remove_end_comment(line: str) -> str:
    """my_default.c ``remove_end_comment()``: cut at the first ``#`` outside quotes; a
    backslash escapes a quote only inside a quoted string."""
    quote = ""
    escape = False
    for i, ch in enumerate(line):
        if ch in "'\"" and not escape:
            if not quote:
                quote = ch
            elif quote == ch:
                quote = ""
        if not quote and ch == "#":
            return line[:i]
        escape = bool(quote) and ch == "\\" and not escape
    return line


def unquote(raw: str) -> str:
    """Remove one pair of matching quotes around the value and process the escapes, as the
    option-building loop of ``search_default_file_with_ext()`` does."""
    v = raw
    if len(v) > 1 and v[0] in "'\"" and v[-1] == v[0]:
        v = v[1:-1]
    out = []
    i = 0
    while i < len(v):
        ch = v[i]
        if ch == "\\" and i != len(v) - 1:
            nxt = v[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def canonical(name: str) -> str:
    """mysqld's option identity: ``-`` and ``_`` are the same (getopt_compare_strings) and
    case does not matter (verified on MariaDB 10.11: ``KEY_BUFFER_SIZE`` works)."""
    return name.lower().replace("-", "_")


def split_prefixes(full: str) -> tuple[tuple[str, ...], str]:
    """Peel special prefixes the way handle_options() retries them after a failed lookup
    (``loose_skip_x`` -> ("loose", "skip"), "x")."""
    prefixes: list[str] = []
    name = full
    progress = True
    while progress:
        progress = False
        for p in SPECIAL_PREFIXES:
            if name.startswith(p + "_") and len(name) > len(p) + 1:
                prefixes.append(p)
                name = name[len(p) + 1:]
                progress = True
                break
    return tuple(prefixes), name
