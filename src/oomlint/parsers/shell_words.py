"""POSIX shell words and ``$VAR`` expansion, as the launcher scripts of Java services
(catalina.sh, kafka-run-class.sh, zkServer.sh, jetty.sh) split their ``*_OPTS`` variables.
"""

from __future__ import annotations

import re
from typing import Mapping

from oomlint.base.provenance import Loc
from oomlint.parsers.systemd_exec import JvmOption

_SHELL_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand_shell_vars(text: str, env: Mapping[str, str]) -> str:
    """``$VAR``, ``${VAR}`` and ``${VAR:-default}`` replaced (unset or empty -> the
    default or nothing), for values of shell-sourced files such as
    ``CATALINA_OPTS="$CATALINA_OPTS -Xmx2g"``."""

    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(3)
        value = env.get(name, "")
        if not value and m.group(2) is not None:
            return m.group(2)
        return value

    return _SHELL_VAR.sub(sub, text)


class _ShellWords:
    """Word accumulator for `split_shell`: a word exists once anything (even "") is seen;
    it takes the position of the first variable expanded into it, else the line's."""

    def __init__(self, loc: Loc) -> None:
        self.loc = loc
        self.words: list[JvmOption] = []
        self.word: list[str] | None = None
        self.origin: Loc | None = None

    def add(self, text: str, origin: Loc | None = None) -> None:
        if self.word is None:
            self.word = []
        self.word.append(text)  # in place: a copy per character is quadratic on long words
        self.origin = self.origin or origin

    def end(self) -> None:
        if self.word is not None:
            self.words.append(JvmOption("".join(self.word), self.origin or self.loc))
            self.word, self.origin = None, None

    def expansion(self, value: str, origin: Loc | None) -> None:
        """An unquoted expansion: split at whitespace, the pieces joined to the
        surrounding text at both ends (IFS field splitting, no quote removal)."""
        pieces = value.split()
        if not pieces:
            return
        if value[:1].isspace():
            self.end()
        for i, piece in enumerate(pieces):
            if i:
                self.end()
            self.add(piece, origin)
        if value[-1:].isspace():
            self.end()


def _shell_var(text: str, i: int, env: Mapping[str, tuple[str, Loc]] | None
               ) -> tuple[str, Loc | None, int] | None:
    """A ``$NAME``, ``${NAME}`` or ``${NAME:-default}`` at `i`: (value, origin, end)."""
    if env is None:
        return None
    m = _SHELL_VAR.match(text, i)
    if m is None:
        return None
    name = m.group(1) or m.group(3)
    value = expand_shell_vars(m.group(0), {k: v for k, (v, _) in env.items()})
    return value, env[name][1] if name in env and env[name][0] else None, m.end()


def split_shell(text: str, env: Mapping[str, str] | None = None) -> list[str]:
    """Words of a POSIX shell command line: whitespace-separated, '…' literal, "…" with
    ``\\" \\\\ \\$ \\```, a backslash escaping the next character outside quotes. With `env`,
    ``$VAR``/``${VAR}``/``${VAR:-x}`` are expanded: inside "…" as one piece, unquoted split
    at whitespace (as ``sh -c 'exec java $JAVA_OPTS ...'`` and catalina.sh's ``eval`` do).
    An unbalanced quote runs to the end (the shell would refuse; nothing better is known)."""
    located = None if env is None else {k: (v, Loc("", 0)) for k, v in env.items()}
    return [o.text for o in split_shell_located(text, located, Loc("", 0))]


def split_shell_located(text: str, env: Mapping[str, tuple[str, Loc]] | None, loc: Loc
                        ) -> list[JvmOption]:
    """`split_shell` keeping positions: a word built from a variable carries the line that
    set the variable, the others `loc`."""
    acc = _ShellWords(loc)
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        var = _shell_var(text, i, env) if c == "$" and quote != "'" else None
        if var is not None:
            value, origin, i = var
            acc.add(value, origin) if quote else acc.expansion(value, origin)
            continue
        if quote == "'" and c != "'":
            acc.add(c)
        elif quote == '"' and c == "\\" and text[i + 1: i + 2] in ('"', "\\", "$", "`"):
            acc.add(text[i + 1])
            i += 1
        elif quote and c == quote:
            quote = ""
        elif quote:
            acc.add(c)
        elif c in " \t\n":
            acc.end()
        elif c in "'\"":
            quote = c
            acc.add("")
        elif c == "\\" and i + 1 < len(text):
            acc.add(text[i + 1])
            i += 1
        else:
            acc.add(c)
        i += 1
    acc.end()
    return acc.words
