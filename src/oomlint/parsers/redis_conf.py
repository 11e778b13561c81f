"""redis.conf (and valkey.conf) as redis-server 7 reads it (src/config.c
``loadServerConfigFromString()``): one directive per line, split into arguments by
``sdssplitargs()`` (``"..."`` with backslash escapes, ``'...'``, blanks between), the
directive name compared case-insensitively, ``#`` lines and blank lines skipped. Command-line
options after the file (``--maxmemory 1gb``) are appended as further lines, and
``include`` lines are expanded by the model (model/redis.py).

A line with unbalanced quotes is refused by redis-server ("Unbalanced quotes in
configuration line"): kept with `error` set. The parser never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oomlint.base.findings import Pragma, Problems
from oomlint.base.provenance import Loc
from oomlint.parsers.lines import PragmaCollector, scan_lines, split_newline

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}


@dataclass(frozen=True)
class RedisLine:
    name: str  # lowercased
    args: tuple[str, ...]
    loc: Loc
    error: str | None = None

    @property
    def written(self) -> str:
        return " ".join((self.name, *self.args))


@dataclass
class RedisConfFile:
    path: str
    lines: list[RedisLine] = field(default_factory=list)
    pragmas: list[Pragma] = field(default_factory=list)


def split_args(line: str) -> list[str] | None:
    """``sdssplitargs()``: the words of a line, None for unbalanced quotes."""
    out: list[str] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in " \t\n\r\v\f":
            i += 1
        if i >= n:
            return out
        word: list[str] = []
        quote = None
        while i < n:
            c = line[i]
            if quote == '"':
                if c == "\\" and i + 3 < n and line[i + 1] == "x" and \
                        all(h in "0123456789abcdefABCDEF" for h in line[i + 2:i + 4]):
                    word.append(chr(int(line[i + 2:i + 4], 16)))
                    i += 4
                    continue
                if c == "\\" and i + 1 < n:
                    word.append(_ESCAPES.get(line[i + 1], line[i + 1]))
                    i += 2
                    continue
                if c == '"':
                    if i + 1 < n and line[i + 1] not in " \t\n\r\v\f":
                        return None  # closing quote must be followed by a space
                    i += 1
                    break
                word.append(c)
            elif quote == "'":
                if c == "\\" and line[i + 1:i + 2] == "'":
                    word.append("'")
                    i += 2
                    continue
                if c == "'":
                    if i + 1 < n and line[i + 1] not in " \t\n\r\v\f":
                        return None
                    i += 1
                    break
                word.append(c)
            else:
                if c in " \t\n\r\v\f":
                    break
                if c in "\"'":
                    quote = c
                else:
                    word.append(c)
            i += 1
        else:
            if quote is not None:
                return None  # unterminated quotes
        out.append("".join(word))


def parse_redis_conf(text: str, path: str, problems: Problems) -> RedisConfFile:
    pragmas = PragmaCollector(path)
    out = RedisConfFile(path)
    for lineno, _raw, line in scan_lines(text, pragmas, "#", split=split_newline,
                                         space=" \t\r\n"):
        loc = Loc(path, lineno)
        words = split_args(line)
        if words is None:
            first = line.split(None, 1)[0].lower() if line.split() else ""
            out.lines.append(RedisLine(first, (), loc, "Unbalanced quotes in configuration line"))
            continue
        if not words:
            continue
        out.lines.append(RedisLine(words[0].lower(), tuple(words[1:]), loc))
    out.pragmas = pragmas.pragmas
    return out
