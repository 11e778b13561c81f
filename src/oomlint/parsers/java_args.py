"""The ``java`` launcher's own arguments (``src/java.base/share/native/libjli/args.c``):
``@argfiles``, ``JDK_JAVA_OPTIONS`` splitting, and the options before the main class.
"""

from __future__ import annotations

from typing import Sequence

from oomlint.base.findings import Problems
from oomlint.base.grammar.c import C_SPACE
from oomlint.base.provenance import Loc
from oomlint.parsers.lines import file_pragmas
from oomlint.parsers.systemd_exec import JvmOption, Parsed


class _ArgState:
    """``nextToken()``'s context in args.c: state, current parts, quote character."""

    def __init__(self) -> None:
        self.state = "FIND_NEXT"
        self.parts: list[str] = []
        self.current: list[str] = []
        self.quote = '"'
        self.token_line = 0


_ARG_WS = " \t\f"


def _argfile_step(st: _ArgState, c: str, line: int, tokens: list[tuple[str, int]]) -> None:
    """One character of args.c ``nextToken()`` (the state machine in its comment)."""
    if st.state in ("FIND_NEXT", "SKIP_LEAD_WS"):
        if c in _ARG_WS + "\n\r":
            return
        if not st.parts and not st.current and st.state == "FIND_NEXT":
            st.token_line = line
        st.state = "IN_TOKEN" if st.state == "FIND_NEXT" else "IN_QUOTE"
    elif st.state == "IN_ESCAPE":
        if c in "\n\r":
            st.state = "SKIP_LEAD_WS"  # backslash-newline inside quotes: continuation
        else:
            st.current.append({"n": "\n", "r": "\r", "t": "\t", "f": "\f"}.get(c, c))
            st.state = "IN_QUOTE"
        return
    elif st.state == "IN_COMMENT":
        if c in "\n\r":
            st.state = "FIND_NEXT"
        return
    _argfile_in_token(st, c, tokens)


def _argfile_in_token(st: _ArgState, c: str, tokens: list[tuple[str, int]]) -> None:
    if c in _ARG_WS and st.state == "IN_QUOTE":
        st.current.append(c)
    elif c in _ARG_WS + "\n\r":
        tokens.append(("".join(st.parts + st.current), st.token_line))
        st.parts, st.current, st.state = [], [], "FIND_NEXT"
    elif c == "#" and st.state != "IN_QUOTE":
        # The text of this token so far is dropped; parts already kept survive and are
        # joined to the next token (args.c keeps `parts` across the comment).
        st.current, st.state = [], "IN_COMMENT"
    elif c == "\\" and st.state == "IN_QUOTE":
        st.state = "IN_ESCAPE"
    elif c in "'\"" and not (st.state == "IN_QUOTE" and st.quote != c):
        st.parts.append("".join(st.current))
        st.current = []
        if st.state == "IN_TOKEN":
            st.quote, st.state = c, "IN_QUOTE"
        else:
            st.state = "IN_TOKEN"
    else:
        st.current.append(c)


def parse_argfile(text: str, path: str, problems: Problems) -> Parsed:
    """Arguments of a java ``@argfile`` as the launcher reads it (args.c ``nextToken``):
    separated by whitespace, '…' or "…" group (an unterminated quote ends at the line end),
    a backslash escapes only inside quotes (``\\n \\t \\r \\f``, anything else literally;
    backslash-newline continues and skips the next line's leading blanks), ``#`` outside
    quotes starts a comment to the end of the line and drops the unquoted text of the
    token it interrupts. Each `JvmOption` keeps the line its token starts on. No nested
    @argfile expansion."""
    st = _ArgState()
    tokens: list[tuple[str, int]] = []
    line = 1
    for c in text:
        _argfile_step(st, c, line, tokens)
        if c == "\n":
            line += 1
    if st.state in ("IN_TOKEN", "IN_QUOTE") and (st.parts or st.current):
        tokens.append(("".join(st.parts + st.current), st.token_line))
    return Parsed((JvmOption(t, Loc(path, ln)) for t, ln in tokens), file_pragmas(text, path, "#"))


def split_env_options(value: str) -> list[str] | None:
    """Options in ``JAVA_TOOL_OPTIONS``, ``_JAVA_OPTIONS`` (HotSpot
    ``parse_options_buffer``) and ``JDK_JAVA_OPTIONS`` (args.c ``expand``): separated by
    C whitespace, '…' and "…" group anywhere in a word and are removed, no escapes. None
    for an unmatched quote (the JVM / launcher exits)."""
    words: list[str] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in C_SPACE:
            i += 1
        if i >= n:
            break
        word: list[str] = []
        while i < n and value[i] not in C_SPACE:
            if value[i] in "'\"":
                end = value.find(value[i], i + 1)
                if end < 0:
                    return None
                word.append(value[i + 1: end])
                i = end + 1
            else:
                word.append(value[i])
                i += 1
        words.append("".join(word))
    return words


# java.c IsWhiteSpaceOption() less -jar/-m/--module: launcher options whose value is the
# next argument.
WHITESPACE_OPTIONS = {"-cp", "-classpath", "--class-path", "-p", "--module-path",
                      "--upgrade-module-path", "--add-modules", "--enable-native-access",
                      "--limit-modules", "--add-exports", "--add-opens", "--add-reads",
                      "--patch-module", "--describe-module", "-d", "--source"}
_MAIN_OPTIONS = {"-jar", "-m", "--module"}
# args.c isTerminalOpt(): not allowed in JDK_JAVA_OPTIONS (the launcher exits).
TERMINAL_OPTIONS = {"-jar", "-m", "--module", "--dry-run", "-h", "-?", "-help", "--help",
                    "-X", "--help-extra", "-version", "--version", "-fullversion",
                    "--full-version"}


def main_class_index(args: Sequence[str]) -> int | None:
    """args.c ``checkArg()``: the index of the main class, or of the jar after ``-jar`` /
    the module after ``-m``, ``--module`` (``--module=M`` itself); None when there is none.
    A launcher option's value (``-cp x``) is not a main class."""
    expecting = False
    for i, text in enumerate(args):
        if text.startswith("-"):
            if text.startswith("--module="):
                return i
            expecting = text in WHITESPACE_OPTIONS
        elif expecting:
            expecting = False
        else:
            return i
    return None


def java_vm_options(args: Sequence[JvmOption]) -> list[JvmOption]:
    """The arguments the java launcher passes to the VM as options: those before the main
    class (`main_class_index`), less launcher options (``-cp``, ``-jar``, ``--add-opens``
    ...) and their values. Everything after the main class belongs to the application
    (``java -jar app.jar -Xmx4g`` gives the application ``-Xmx4g``)."""
    end = main_class_index([a.text for a in args])
    out: list[JvmOption] = []
    skip = False
    for arg in args[:end]:
        text = arg.text
        if skip or not text.startswith("-"):
            skip = False
            continue
        if text in WHITESPACE_OPTIONS:
            skip = True
        elif text not in _MAIN_OPTIONS and text.split("=", 1)[0] not in WHITESPACE_OPTIONS:
            out.append(arg)
    return out
