"""systemd's command-line and environment grammar: ``EnvironmentFile=`` files,
``Environment=`` assignments and ``ExecStart=`` word splitting with ``$VAR`` / ``${VAR}``
expansion (linux.md §2.6-2.7; systemd ``src/basic/env-file.c``, ``extract-word.c``,
``env-util.c`` ``replace_env_argv``). Used wherever a unit's command line matters: database
servers' option files and JVM flags."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from oomlint.base.findings import Pragma, Problems
from oomlint.base.ids import SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.base.redact import line_key
from oomlint.parsers.lines import file_pragmas


@dataclass(frozen=True)
class JvmOption:
    """One argument on its way to the JVM, and the line it was written on."""

    text: str
    loc: Loc


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SD_WHITESPACE = " \t\n\r"
_SD_SPACES = re.compile(r"[ \t\n\r]+")


def env_name_is_valid(name: str) -> bool:
    """systemd ``env_name_is_valid()``: a shell-style variable name."""
    return bool(_ENV_NAME.fullmatch(name))


class Parsed(list):
    """A list of records that also carries the file's inline pragmas, so that the engine
    collects suppressions from these files like from every other parsed file."""

    pragmas: list[Pragma]
    invalid: list[JvmOption]

    def __init__(self, items: Iterable = (), pragmas: Sequence[Pragma] = ()):
        super().__init__(items)
        self.pragmas = list(pragmas)
        self.invalid = []


# ======================================================================================
# systemd: EnvironmentFile=, Environment=, ExecStart=
# ======================================================================================


@dataclass(frozen=True)
class EnvAssignment:
    """``KEY=VALUE`` from an environment file; `loc` is the line the key starts on.
    `exported` is False only for a shell-sourced file's plain assignment (no ``export``)."""

    key: str
    value: str
    loc: Loc
    exported: bool = True
    quoted: bool = False  # some part was single-quoted: no $VAR expansion in shell files


class _EnvState:
    """The read state of systemd's ``parse_env_file_internal()`` state machine."""

    def __init__(self, path: str):
        self.path = path
        self.state = "PRE_KEY"
        self.key: list[str] = []
        self.value: list[str] | None = None
        self.key_ws: int | None = None  # index of trailing key whitespace
        self.value_ws: int | None = None
        self.line = 1
        self.key_line = 1
        self.single_quoted = False
        self.out: list[tuple[str, str, int, bool]] = []

    def add(self, c: str) -> None:
        if self.value is None:
            self.value = []
        self.value.append(c)

    def push(self, trim_value: bool) -> None:
        key = "".join(self.key[: self.key_ws] if self.key_ws is not None else self.key)
        value = self.value or []
        if trim_value and self.value_ws is not None:
            value = value[: self.value_ws]
        self.out.append((key, "".join(value), self.key_line, self.single_quoted))
        self.key, self.value, self.key_ws, self.value_ws = [], None, None, None
        self.single_quoted = False


def _env_pre_key(st: _EnvState, c: str) -> None:
    if c in "#;":
        st.state = "COMMENT"
    elif c not in _SD_WHITESPACE:
        st.state, st.key, st.key_ws, st.key_line = "KEY", [c], None, st.line


def _env_key(st: _EnvState, c: str) -> None:
    if c in "\n\r":
        st.state, st.key = "PRE_KEY", []  # a line without '=' is dropped
    elif c == "=":
        st.state, st.value_ws = "PRE_VALUE", None
    else:
        if c not in _SD_WHITESPACE:
            st.key_ws = None
        elif st.key_ws is None:
            st.key_ws = len(st.key)
        st.key.append(c)


def _env_pre_value(st: _EnvState, c: str) -> None:
    if c in "\n\r":
        st.state = "PRE_KEY"
        st.push(trim_value=False)
    elif c == "'":
        st.state, st.single_quoted = "SINGLE", True
    elif c == '"':
        st.state = "DOUBLE"
    elif c == "\\":
        st.state = "VALUE_ESCAPE"
    elif c not in _SD_WHITESPACE:
        st.state = "VALUE"
        st.add(c)


def _env_value(st: _EnvState, c: str) -> None:
    if c in "\n\r":
        st.state = "PRE_KEY"
        st.push(trim_value=True)
    elif c == "\\":
        st.state, st.value_ws = "VALUE_ESCAPE", None
    else:
        if c not in _SD_WHITESPACE:
            st.value_ws = None
        elif st.value_ws is None:
            st.value_ws = len(st.value or [])
        st.add(c)


def _env_value_escape(st: _EnvState, c: str) -> None:
    st.state = "VALUE"
    if c not in "\n\r":  # an escaped newline continues the value
        st.add(c)


def _env_single(st: _EnvState, c: str) -> None:
    if c == "'":
        st.state = "PRE_VALUE"
    else:
        st.add(c)


def _env_double(st: _EnvState, c: str) -> None:
    if c == '"':
        st.state = "PRE_VALUE"
    elif c == "\\":
        st.state = "DOUBLE_ESCAPE"
    else:
        st.add(c)


def _env_double_escape(st: _EnvState, c: str) -> None:
    st.state = "DOUBLE"
    if c in '"\\`$':  # SHELL_NEED_ESCAPE: unescaped
        st.add(c)
    elif c != "\n":  # other characters keep the backslash, like the shell
        st.add("\\")
        st.add(c)


def _env_comment(st: _EnvState, c: str) -> None:
    if c == "\\":
        st.state = "COMMENT_ESCAPE"  # a comment ending in '\' continues on the next line
    elif c in "\n\r":
        st.state = "PRE_KEY"


def _env_comment_escape(st: _EnvState, c: str) -> None:
    st.state = "COMMENT"


_ENV_HANDLERS = {
    "PRE_KEY": _env_pre_key, "KEY": _env_key, "PRE_VALUE": _env_pre_value,
    "VALUE": _env_value, "VALUE_ESCAPE": _env_value_escape, "SINGLE": _env_single,
    "DOUBLE": _env_double, "DOUBLE_ESCAPE": _env_double_escape, "COMMENT": _env_comment,
    "COMMENT_ESCAPE": _env_comment_escape,
}


def parse_env_file(text: str, path: str, problems: Problems, *, shell: bool = False) -> Parsed:
    """Assignments of an ``EnvironmentFile=`` as systemd reads it (``env-file.c``
    ``parse_env_file_internal``): ``KEY=VALUE`` lines, ``#``/``;`` comment lines, '…'
    literal, "…" with the shell's escapes (``\\" \\\\ \\` \\$``; other backslashes kept),
    quotes spanning lines, a trailing backslash continuing the value, whitespace around the
    key and at the end of an unquoted value dropped, no inline comments (``A=1 # x`` is
    ``1 # x``), no ``export`` keyword (``export FOO=1`` has the key ``export FOO``, which
    systemd ignores: reported as OOM005). Keys in the result are as parsed, valid or not.

    With ``shell=True`` the file is a script a launcher sources (``/etc/default/<name>``,
    ``setenv.sh``): the same quoting is used as an approximation of sh, ``export NAME=``
    is accepted and marks the variable exported, and other constructs are skipped.
    """
    st = _EnvState(path)
    for c in text:
        _ENV_HANDLERS[st.state](st, c)
        if c == "\n":
            st.line += 1
    if st.state in ("PRE_VALUE", "VALUE", "VALUE_ESCAPE", "SINGLE", "DOUBLE", "DOUBLE_ESCAPE"):
        st.push(trim_value=st.state == "VALUE")
    out = Parsed(pragmas=file_pragmas(text, path, "#;"))
    for key, value, line, quoted in st.out:
        out.append(_env_record(key, value, Loc(path, line), quoted, shell, problems))
    return out


def _env_record(key: str, value: str, loc: Loc, quoted: bool, shell: bool,
                problems: Problems) -> EnvAssignment:
    exported = not shell
    if shell and key.startswith("export") and key[6:7] in (" ", "\t"):
        key, exported = key[6:].strip(), True
    if not shell and not env_name_is_valid(key):
        hint = " (environment files have no 'export' keyword)" if key.startswith("export") else ""
        problems.add(SYNTAX_ERROR, loc, f"invalid variable name '{line_key(key)}': systemd ignores the "
                     f"assignment{hint}")
    return EnvAssignment(key, value, loc, exported, quoted)


_CUNESCAPE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", '"': '"', "'": "'", "s": " "}


def _cunescape_one(text: str, i: int) -> tuple[str, int] | None:
    """systemd ``cunescape_one()`` for the escape starting after the backslash at `i`:
    (character, characters consumed) or None for an escape systemd refuses."""
    c = text[i]
    if c in _CUNESCAPE:
        return _CUNESCAPE[c], 1
    for prefix, digits, base in (("x", 2, 16), ("u", 4, 16), ("U", 8, 16)):
        if c == prefix:
            chunk = text[i + 1: i + 1 + digits]
            if len(chunk) == digits and re.fullmatch(r"[0-9a-fA-F]+", chunk) and \
                    0 < int(chunk, base) <= 0x10FFFF:
                return chr(int(chunk, base)), digits + 1
            return None
    chunk = text[i: i + 3]
    if re.fullmatch(r"[0-3][0-7][0-7]", chunk) and int(chunk, 8):
        return chr(int(chunk, 8)), 3
    return None


def split_words(raw: str) -> list[str] | None:
    """Words of a systemd value that takes quoted lists (``ExecStart=``, ``Environment=``):
    ``extract_first_word(EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE)``. Words are separated by
    whitespace; '…' and "…" group (the two are equivalent, quotes may sit inside a word);
    C escapes (``\\n \\t \\s \\x41 \\"`` ...) work inside and outside quotes. None when systemd
    refuses the value (unbalanced quote, bad escape, trailing backslash)."""
    if "\\" not in raw and "'" not in raw and '"' not in raw:  # no quote, no escape
        return [w for w in _SD_SPACES.split(raw) if w]
    words: list[str] = []
    i, n = 0, len(raw)
    while True:
        while i < n and raw[i] in _SD_WHITESPACE:
            i += 1
        if i >= n:
            return words
        word, quote, started = [], "", False
        while i < n and (quote or raw[i] not in _SD_WHITESPACE):
            c = raw[i]
            if c == "\\":
                if i + 1 >= n:
                    return None
                got = _cunescape_one(raw, i + 1)
                if got is None:
                    return None
                word.append(got[0])
                i += 1 + got[1]
                continue
            if quote and c == quote:
                quote = ""
            elif not quote and c in "'\"":
                quote, started = c, True
            else:
                word.append(c)
            i += 1
        if quote:
            return None
        if word or started:
            words.append("".join(word))


def _percent_specifiers(word: str) -> str:
    """``%%`` is a literal ``%`` (unit specifiers); other specifiers are left as written."""
    return word.replace("%%", "%")


def split_environment(value: str) -> list[tuple[str, str]]:
    """``Environment=`` assignments in order (``config_parse_environ``): the value split
    like `split_words`, each word ``KEY=VALUE`` with a valid name; other words are ignored,
    as systemd ignores them. No ``$`` expansion."""
    out: list[tuple[str, str]] = []
    for word in split_words(value) or []:
        key, sep, val = _percent_specifiers(word).partition("=")
        if sep and env_name_is_valid(key):
            out.append((key, val))
    return out


def _replace_env(word: str, env: Mapping[str, tuple[str, Loc]]) -> tuple[str, Loc | None]:
    """systemd ``replace_env()`` without braceless expansion: ``${FOO}`` is replaced by
    the value (empty when unset), ``$$`` by ``$``; ``$FOO`` inside a word stays literal; an
    unterminated ``${`` is kept as written. Also returns where the first variable used was
    set."""
    if "$" not in word:
        return word, None
    out, i, n = [], 0, len(word)
    origin: Loc | None = None
    close = word.find("}")  # the next "}", found once per "}" (a search per "${" is quadratic)
    while i < n:
        c = word[i]
        if c == "$" and word[i + 1: i + 2] == "$":
            out.append("$")
            i += 2
            continue
        if c == "$" and word[i + 1: i + 2] == "{" and close != -1 and close < i + 2:
            close = word.find("}", i + 2)
        if c == "$" and word[i + 1: i + 2] == "{" and close != -1:
            end = close
            value, loc = env.get(word[i + 2: end], ("", None))
            out.append(value)
            origin = origin or loc
            i = end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out), origin


def _split_relax(value: str) -> list[str]:
    """``strv_split_full(WHITESPACE, EXTRACT_RELAX|EXTRACT_UNQUOTE)``: a variable's value
    split into words, quotes honoured, an unbalanced quote tolerated."""
    words = split_words(value)
    if words is not None:
        return words
    for closer in ('"', "'"):
        words = split_words(value + closer)
        if words is not None:
            return words
    return value.split()


def expand_exec(words_or_raw: str | Sequence[str], env: Mapping[str, str]) -> list[str]:
    """An ``ExecStart=`` command line as systemd runs it: split like `split_words` (a raw
    string) or taken as words; the prefixes ``@ - : + ! !!`` (and ``|``) stripped from the
    executable (``@``: the next word is only argv[0] and is dropped here; ``:``: no
    expansion); then, in every argument, ``$FOO`` as a whole word becomes the variable's
    value split at whitespace with quotes honoured (zero or more arguments), ``${FOO}``
    exactly its value (one argument, whitespace kept), ``$$`` a ``$``; unknown variables
    are empty. Element 0 is the executable. (systemd ``replace_env_argv()``.)"""
    located = {k: (v, Loc("", 0)) for k, v in env.items()}
    return [o.text for o in expand_exec_located(words_or_raw, located, Loc("", 0))]


def expand_exec_located(words_or_raw: str | Sequence[str], env: Mapping[str, tuple[str, Loc]],
                        loc: Loc) -> list[JvmOption]:
    """`expand_exec` keeping positions: an argument that came from a variable carries the
    line that set the variable (``Environment=`` or ``EnvironmentFile=``), the others the
    ``ExecStart=`` line `loc`."""
    words = list(words_or_raw) if not isinstance(words_or_raw, str) else split_words(words_or_raw)
    if not words:
        return []
    first = words[0]
    prefix = first[: len(first) - len(first.lstrip("@-:+!|"))]
    words = [_percent_specifiers(w) for w in words]
    words[0] = words[0][len(prefix):]
    if "@" in prefix:
        words = words[:1] + words[2:]
    if ":" in prefix:
        return [JvmOption(w, loc) for w in words]
    out = [JvmOption(words[0], loc)]
    for w in words[1:]:
        if w.startswith("$") and w[1:2] not in ("{", "$"):
            name = w[1:]
            if env_name_is_valid(name) and name in env:
                value, origin = env[name]
                out.extend(JvmOption(part, origin) for part in _split_relax(value))
            continue
        text, origin = _replace_env(w, env)
        out.append(JvmOption(text, origin or loc))
    return out


# ======================================================================================
# Words with positions, shell splitting for launcher scripts
# ======================================================================================


