"""Where JVM flags are written, read the way each reader reads them, and the flags themselves.

Four readers stand between a unit file and HotSpot's flag table, each with its own syntax:

- systemd (parsers/systemd_exec.py, re-exported here; linux.md §2.6-2.7; ``env-file.c``,
  ``env-util.c`` ``replace_env_argv``): `parse_env_file` for ``EnvironmentFile=``,
  `split_environment` for ``Environment=``, `expand_exec` for ``ExecStart=``;
- launcher scripts (catalina.sh, kafka-run-class.sh, zkServer.sh, jetty.sh, the
  Elasticsearch/OpenSearch CLI): `LAUNCHERS`, `detect_launcher`, `split_shell`,
  `parse_jvm_options` for ``jvm.options`` / ``jvm.options.d/*.options``
  (``JvmOptionsParser.java``);
- the ``java`` launcher (``src/java.base/share/native/libjli/args.c``): `parse_argfile` for
  ``@argfiles``, `split_env_options` for ``JDK_JAVA_OPTIONS``, `java_vm_options` for the
  options before the main class;
- HotSpot (``src/hotspot/share/runtime/arguments.cpp`` ``parse_each_vm_init_arg``,
  ``parse_argument``, ``parse_xss``, ``parse_options_buffer``): `parse_option` turns one
  option into `JvmFlag` records; `collect_flags` applies sources in the launcher's order
  (JAVA_TOOL_OPTIONS, then the command line with JDK_JAVA_OPTIONS in front of it, then
  _JAVA_OPTIONS; verified with OpenJDK 17.0.15, tests/data/jvm/expected.yaml), last
  occurrence wins.

Everything here is total: what a reader refuses becomes a `Refusal` or an OOM005 problem.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence, Union

from oomlint.findings import Problems
from oomlint.parsers.pragma import PragmaCollector
from oomlint.parsers.systemd_exec import (  # noqa: F401  (re-exported: the JVM reader's API)
    _C_SPACE,
    EnvAssignment,
    JvmOption,
    Parsed,
    env_name_is_valid,
    expand_exec,
    expand_exec_located,
    parse_env_file,
    split_environment,
    split_words,
)
from oomlint.provenance import Loc, Setting
from oomlint.units import (
    GrammarError,
    jvm_parse_double,
    jvm_parse_intx,
    jvm_parse_size,
    jvm_parse_unsigned,
    jvm_refusal_message,
)

SYNTAX_ERROR = "OOM005"


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


# ======================================================================================
# Elasticsearch / OpenSearch jvm.options
# ======================================================================================

# `end` only after the dash: two adjacent digit runs would let a long digit line backtrack
# quadratically, and without the dash `end` never took part in a match.
_JVM_OPTIONS_LINE = re.compile(r"(?:(?P<start>[0-9]+)(?:(?P<range>-)(?P<end>[0-9]+)?)?:)?(?P<option>-.*)")
_JAVA_INT_MAX = 2**31 - 1
_JAVA_BLANK = re.compile(r"[ \t\n\x0b\f\r]*")


def _java_lines(text: str) -> list[str]:
    """Lines as ``BufferedReader.readLine()`` splits them (``\\n``, ``\\r`` or ``\\r\\n``)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def parse_jvm_options(text: str, path: str, problems: Problems, jdk_major: int) -> Parsed:
    """The options of an Elasticsearch/OpenSearch ``jvm.options`` or
    ``jvm.options.d/*.options`` file that apply to `jdk_major` (``JvmOptionsParser.parse``):
    a line starting with ``#`` is a comment (only in column 1), blank lines are skipped,
    ``-X...`` applies to every JDK, ``17:-X``, ``8-13:-X``, ``17-:-X`` to the version or
    range. The option is the rest of the line as written, trailing spaces included. Any
    other line is improperly formatted: Elasticsearch refuses to start (OOM005 here); such
    lines are listed in ``result.invalid``."""
    out = Parsed()
    pragmas = PragmaCollector(path)
    for lineno, line in enumerate(_java_lines(text), start=1):
        if line.startswith("#"):
            pragmas.comment(line, lineno)
            continue
        if _JAVA_BLANK.fullmatch(line):
            continue
        pragmas.content(lineno)
        loc = Loc(path, lineno)
        option = _jvm_options_line(line, jdk_major)
        if option is None:
            out.invalid.append(JvmOption(line, loc))
            problems.add(SYNTAX_ERROR, loc, f"improperly formatted JVM option {line!r}: "
                         "Elasticsearch refuses to start")
        elif option:
            out.append(JvmOption(option, loc))
    out.pragmas = pragmas.pragmas
    return out


def _java_parse_int(digits: str) -> int | None:
    """``Integer.parseInt()`` of a digit string: None past Integer.MAX_VALUE (checked on
    the digits: Python's int() refuses more than 4300 of them)."""
    significant = digits.lstrip("0")
    if len(significant) > len(str(_JAVA_INT_MAX)):
        return None
    value = int(significant or "0")
    return value if value <= _JAVA_INT_MAX else None


def _jvm_options_line(line: str, jdk_major: int) -> str | None:
    """The option of one jvm.options line: "" when its version range excludes
    `jdk_major`, None when the line is improperly formatted."""
    m = _JVM_OPTIONS_LINE.fullmatch(line)
    if m is None:
        return None
    if m.group("start") is None:
        return line
    lower = _java_parse_int(m.group("start"))
    if lower is None:
        return None
    upper: int | None = lower
    if m.group("range") and m.group("end") is None:
        upper = _JAVA_INT_MAX
    elif m.group("range"):
        upper = _java_parse_int(m.group("end"))
        if upper is None or upper < lower:
            return None
    return m.group("option") if lower <= jdk_major <= upper else ""


# ======================================================================================
# The java launcher: @argfiles, JDK_JAVA_OPTIONS, options before the main class
# ======================================================================================


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
    pragmas = PragmaCollector(path)
    for lineno, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if stripped.startswith("#"):
            pragmas.comment(stripped, lineno)
        elif stripped:
            pragmas.content(lineno)
    return Parsed((JvmOption(t, Loc(path, ln)) for t, ln in tokens), pragmas.pragmas)


def split_env_options(value: str) -> list[str] | None:
    """Options in ``JAVA_TOOL_OPTIONS``, ``_JAVA_OPTIONS`` (HotSpot
    ``parse_options_buffer``) and ``JDK_JAVA_OPTIONS`` (args.c ``expand``): separated by
    C whitespace, '…' and "…" group anywhere in a word and are removed, no escapes. None
    for an unmatched quote (the JVM / launcher exits)."""
    words: list[str] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in _C_SPACE:
            i += 1
        if i >= n:
            break
        word: list[str] = []
        while i < n and value[i] not in _C_SPACE:
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


# ======================================================================================
# HotSpot options -> flags
# ======================================================================================


@dataclass(frozen=True)
class JvmFlag:
    """One flag value set by one option: HotSpot's flag name (``-Xmx`` sets MaxHeapSize),
    the value in canonical units (bytes for sizes, ThreadStackSize included; float for
    percentages; bool; int; "int"/"comp"/"mixed" for Mode), the option as written, where,
    and which source (``command line``, ``JAVA_TOOL_OPTIONS``, a file ...)."""

    name: str
    value: object
    raw: str
    loc: Loc
    source: str


@dataclass(frozen=True)
class Refusal:
    """An option the JVM (or launcher) refuses: it does not start."""

    loc: Loc
    raw: str
    reason: str


# Flags oomlint models: HotSpot 17 type and allowed range (globals.hpp, gc_globals.hpp,
# globals_x86.hpp; ranges as printed by "is outside the allowed range").
_UINT64_MAX = 2**64 - 1
_FLAGS: dict[str, tuple[str, int | float | None, int | float | None]] = {
    "MaxHeapSize": ("size_t", None, None),
    "InitialHeapSize": ("size_t", None, None),
    "MinHeapSize": ("size_t", None, None),
    "NewSize": ("size_t", None, None),
    "MaxNewSize": ("size_t", None, None),
    "SoftMaxHeapSize": ("size_t", None, None),
    "ErgoHeapSizeLimit": ("size_t", None, None),
    "MaxMetaspaceSize": ("size_t", None, None),
    "CompressedClassSpaceSize": ("size_t", 1048576, 3221225472),
    "ReservedCodeCacheSize": ("uintx", None, None),
    "MaxDirectMemorySize": ("uint64_t", 0, 2**63 - 1),
    "MaxRAM": ("uint64_t", 0, _UINT64_MAX),
    "G1HeapRegionSize": ("size_t", 0, 33554432),
    "ThreadStackSize": ("intx", 0, 1048576),
    "TieredStopAtLevel": ("intx", 0, 4),
    "ActiveProcessorCount": ("int", -1, 2**31 - 1),
    "MaxRAMPercentage": ("double", 0.0, 100.0),
    "MinRAMPercentage": ("double", 0.0, 100.0),
    "InitialRAMPercentage": ("double", 0.0, 100.0),
    "MaxRAMFraction": ("uintx", 1, _UINT64_MAX),
    "MinRAMFraction": ("uintx", 1, _UINT64_MAX),
    "InitialRAMFraction": ("uintx", 1, _UINT64_MAX),
}
BOOL_FLAGS = {"IgnoreUnrecognizedVMOptions", "UseCompressedOops", "UseCompressedClassPointers",
              "TieredCompilation",
              "UseContainerSupport", "UseG1GC", "UseSerialGC", "UseParallelGC", "UseZGC",
              "UseShenandoahGC", "UseEpsilonGC", "AlwaysPreTouch", "UseLargePages"}
_LOWER_NAMES = {n.lower(): n for n in (*_FLAGS, *BOOL_FLAGS)}
# Options parsed by parse_each_vm_init_arg() before the generic -XX: path:
# (prefix, flag names, minimum accepted size).
_SIZE_OPTIONS = (
    ("-Xmx", ("MaxHeapSize",), 1),
    ("-XX:MaxHeapSize=", ("MaxHeapSize",), 1),
    ("-Xms", ("MinHeapSize", "InitialHeapSize"), 0),
    ("-Xmn", ("MaxNewSize", "NewSize"), 1),
    ("-Xmaxjitcodesize", ("ReservedCodeCacheSize",), 1),
    ("-XX:ReservedCodeCacheSize=", ("ReservedCodeCacheSize",), 1),
)
_XSS_MAX = 1024 * 1048576  # parse_xss(): max_ThreadStackSize (1M) * K
MODES = {"-Xint": "int", "-Xcomp": "comp", "-Xmixed": "mixed"}

OptionResult = Union[list[JvmFlag], Refusal]


def parse_option(text: str, loc: Loc, source: str) -> OptionResult:
    """The flags one JVM option sets, as ``parse_each_vm_init_arg()`` reads it; [] for an
    option oomlint does not model; a `Refusal` with HotSpot's message when the JVM would
    exit. Covers -Xmx -Xms -Xmn -Xss -Xint -Xcomp -Xmixed and ``-XX:`` flags in `_FLAGS`
    and `BOOL_FLAGS` (``+``/``-`` for booleans, ``Name=value`` for the others)."""
    for prefix, names, minimum in _SIZE_OPTIONS:
        if text.startswith(prefix):
            return _size_option(text, text[len(prefix):], names, minimum, loc, source)
    if text.startswith("-Xss"):
        return _xss_option(text, loc, source)
    if text in MODES:
        return [JvmFlag("Mode", MODES[text], text, loc, source)]
    if text[:4].lower() in ("-xmx", "-xms", "-xss", "-xmn"):
        return Refusal(loc, text, f"Unrecognized option: {text}")  # names are case-sensitive
    if text.startswith("-XX:"):
        return _xx_option(text, loc, source)
    return []


def _size_option(text: str, value: str, names: tuple[str, ...], minimum: int, loc: Loc,
                 source: str) -> OptionResult:
    try:
        size = jvm_parse_size(value, text)
    except GrammarError as exc:
        return Refusal(loc, text, str(exc))
    if size < minimum:
        return Refusal(loc, text, jvm_refusal_message(text))
    return [JvmFlag(name, size, text, loc, source) for name in names]


def _xss_option(text: str, loc: Loc, source: str) -> OptionResult:
    """``parse_xss()``: a size up to 1 GiB, rounded up to whole KiB (ThreadStackSize)."""
    try:
        size = jvm_parse_size(text[4:], text)
    except GrammarError as exc:
        return Refusal(loc, text, str(exc))
    if size > _XSS_MAX:
        return Refusal(loc, text, f"{jvm_refusal_message(text)}\n"
                       "The specified size exceeds the maximum representable size.")
    kib = -(-size // 1024)
    return [JvmFlag("ThreadStackSize", kib * 1024, text, loc, source)]


def _xx_option(text: str, loc: Loc, source: str) -> OptionResult:
    body = text[4:]
    sign = body[:1] if body[:1] in "+-" else ""
    name, eq, value = body[len(sign):].partition("=")
    if name not in _FLAGS and name not in BOOL_FLAGS:
        if name.lower() in _LOWER_NAMES:  # a modelled flag in the wrong case
            return Refusal(loc, text, _unrecognized(body[len(sign):], name))
        return []
    if name in BOOL_FLAGS:
        if not sign or eq:
            return Refusal(loc, text, f"Missing +/- setting for VM option '{body[len(sign):]}'"
                           if not sign else f"Improperly specified VM option '{body[1:]}'")
        return [JvmFlag(name, sign == "+", text, loc, source)]
    if sign:
        return Refusal(loc, text, f"Unexpected +/- setting in VM option '{name}'")
    if not eq:
        return Refusal(loc, text, f"Improperly specified VM option '{name}'")
    return _numeric_flag(text, name, value, loc, source)


def _similarity(a: str, b: str) -> float:
    """HotSpot ``StringUtils::similarity()``: shared character pairs (case-sensitive)."""
    hits = sum(1 for i in range(len(a) - 1) if any(a[i: i + 2] == b[j: j + 2] for j in range(len(b) - 1)))
    return 2.0 * hits / (len(a) + len(b))


def _unrecognized(arg: str, name: str) -> str:
    """"Unrecognized VM option", with ``JVMFlag::fuzzy_match``'s hint when the modelled flag
    of the same letters is similar enough (> 0.7), e.g. MaxRamPercentage."""
    message = f"Unrecognized VM option '{arg}'"
    real = _LOWER_NAMES[name.lower()]
    if _similarity(name, real) > 0.7:
        hint = f"(+/-){real}" if real in BOOL_FLAGS else f"{real}=<value>"
        message += f"\nDid you mean '{hint}'?"
    return message


def _numeric_flag(text: str, name: str, value: str, loc: Loc, source: str) -> OptionResult:
    kind, low, high = _FLAGS[name]
    try:
        if kind == "double":
            number: int | float = jvm_parse_double(value, text)
        elif kind in ("intx", "int"):
            number = jvm_parse_intx(value, text)
        else:
            number = jvm_parse_unsigned(value, text)
    except GrammarError as exc:
        return Refusal(loc, text, str(exc))
    if (low is not None and number < low) or (high is not None and number > high):
        shown = f"{number:f}" if kind == "double" else str(number)
        lo = f"{low:f}" if kind == "double" else str(low)
        hi = f"{high:f}" if kind == "double" else str(high)
        return Refusal(loc, text, f"{kind} {name}={shown} is outside the allowed range "
                       f"[ {lo} ... {hi} ]\nImproperly specified VM option '{name}={value}'")
    if name == "ThreadStackSize":
        number = int(number) * 1024
    return [JvmFlag(name, number, text, loc, source)]


@dataclass(frozen=True)
class FlagSource:
    """Options from one place, in order: a label (``JAVA_TOOL_OPTIONS``, ``command
    line`` ...) and the options with their positions."""

    label: str
    options: Sequence[JvmOption]


@dataclass
class JvmFlags:
    """The effective value of every modelled flag (`settings`, by flag name: a `Setting`
    whose raw is the option as written and whose overrides are the options it beat), every
    flag in application order, the refused options, and each effective flag's source."""

    settings: dict[str, Setting] = field(default_factory=dict)
    flags: list[JvmFlag] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    source_of: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: object = None) -> object:
        s = self.settings.get(name)
        return default if s is None else s.value

    def explicit(self, name: str) -> bool:
        return name in self.settings


def collect_flags(sources: Sequence[FlagSource]) -> JvmFlags:
    """Apply `sources` in order, the last occurrence of a flag winning: pass them as the
    JVM applies them (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, the command line, _JAVA_OPTIONS;
    verified with OpenJDK 17: tests/data/jvm/expected.yaml ``precedence-*``). Every
    effective flag is a `Setting` that keeps the options it overrode
    (``Setting.overriding``); ``-Xmx`` and ``-XX:MaxHeapSize=`` are the same flag, as are
    ``-Xss`` and ``-XX:ThreadStackSize=``."""
    out = JvmFlags()
    ignore_unrecognized = any(o.text == "-XX:+IgnoreUnrecognizedVMOptions"
                              for s in sources for o in s.options)
    for source in sources:
        for option in source.options:
            result = parse_option(option.text, option.loc, source.label)
            if isinstance(result, Refusal):
                if ignore_unrecognized and result.reason.startswith("Unrecognized VM option"):
                    continue  # -XX:+IgnoreUnrecognizedVMOptions (arguments.cpp)
                out.refused.append(result)
                continue
            for flag in result:
                out.flags.append(flag)
                prev = out.settings.get(flag.name)
                out.settings[flag.name] = Setting(flag.name, flag.raw, flag.value,
                                                  flag.loc).overriding(prev)
                out.source_of[flag.name] = flag.source
    return out


# ======================================================================================
# Launcher conventions
# ======================================================================================


@dataclass(frozen=True)
class Launcher:
    """How a start script builds the java command line.

    `variables`: the environment variables it expands onto the command line, in order
    (later ones win on a duplicate flag); `defaults`: the value a script uses when the
    variable is empty; `split`: "shell" (unquoted ``$VAR``: split at whitespace, quotes
    kept), "eval" (re-parsed by the shell, quotes removed) or "java" (``String.split("\\\\s+")``
    in the Elasticsearch CLI); `sourced`: files the script sources, ``{script}`` being its
    name without ``.sh``; `conf_var`/`conf_default`: the jvm.options directory of
    Elasticsearch/OpenSearch; `source`: where the convention is written down."""

    kind: str
    variables: tuple[str, ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()
    split: str = "shell"
    sourced: tuple[str, ...] = ()
    conf_var: str = ""
    conf_default: str = ""
    source: str = ""


KAFKA_PERFORMANCE_OPTS = ("-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "
                          "-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent "
                          "-XX:MaxInlineLevel=15 -Djava.awt.headless=true")
_KAFKA_VARS = ("KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS",
               "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS")
_TOMCAT = Launcher("tomcat", ("JAVA_OPTS", "CATALINA_OPTS"), split="eval",
                   sourced=("{CATALINA_BASE}/bin/setenv.sh", "{CATALINA_HOME}/bin/setenv.sh"),
                   source="apache/tomcat bin/catalina.sh: eval ... $JAVA_OPTS $CATALINA_OPTS")
_ES = Launcher("elasticsearch", ("ES_JAVA_OPTS",), split="java", conf_var="ES_PATH_CONF",
               conf_default="/etc/elasticsearch",
               source="elastic/elasticsearch server-cli JvmOptionsParser.java")
LAUNCHERS: dict[str, Launcher] = {
    "catalina.sh": _TOMCAT,
    "startup.sh": _TOMCAT,
    "kafka-server-start.sh": Launcher(
        "kafka", _KAFKA_VARS,
        (("KAFKA_HEAP_OPTS", "-Xmx1G -Xms1G"), ("KAFKA_JVM_PERFORMANCE_OPTS", KAFKA_PERFORMANCE_OPTS)),
        source="apache/kafka bin/kafka-server-start.sh, bin/kafka-run-class.sh"),
    "kafka-run-class.sh": Launcher(
        "kafka", _KAFKA_VARS,
        (("KAFKA_HEAP_OPTS", "-Xmx256M"), ("KAFKA_JVM_PERFORMANCE_OPTS", KAFKA_PERFORMANCE_OPTS)),
        source="apache/kafka bin/kafka-run-class.sh"),
    "elasticsearch": _ES,
    "opensearch": Launcher("opensearch", ("OPENSEARCH_JAVA_OPTS",), split="java",
                           conf_var="OPENSEARCH_PATH_CONF", conf_default="/etc/opensearch",
                           source="opensearch-project/OpenSearch JvmOptionsParser.java"),
    "zkServer.sh": Launcher("zookeeper", ("ZK_SERVER_HEAP", "SERVER_JVMFLAGS", "JVMFLAGS"),
                            source="apache/zookeeper bin/zkEnv.sh, bin/zkServer.sh"),
    "jetty.sh": Launcher("jetty", ("JAVA_OPTIONS",),
                         sourced=("/etc/default/{script}", "/etc/default/{script}9"),
                         source="jetty/jetty.project jetty-home/.../bin/jetty.sh"),
}
_SHELLS = {"sh", "bash", "dash", "ksh", "zsh"}


Found = tuple[str, Union[Launcher, None], list[JvmOption]]


def detect_launcher(argv: Sequence[str], env: Mapping[str, str] | None = None
                    ) -> tuple[str, Launcher | None, list[str]] | None:
    """What an ``ExecStart=`` command starts: ("java", None, argv) for a java binary,
    (script path, launcher, arguments) for a known start script, run directly or through
    ``sh script`` / ``sh -c 'exec script ...'`` (the ``-c`` string split like a shell
    command line, `env` expanded, ``exec``/``nohup`` dropped); None for anything else."""
    located = None if env is None else {k: (v, Loc("", 0)) for k, v in env.items()}
    found = detect_launcher_located([JvmOption(a, Loc("", 0)) for a in argv], located)
    if found is None:
        return None
    return found[0], found[1], [o.text for o in found[2]]


def detect_launcher_located(argv: Sequence[JvmOption], env: Mapping[str, tuple[str, Loc]] | None
                            ) -> Found | None:
    """`detect_launcher` on words that keep their positions."""
    if not argv:
        return None
    base = posixpath.basename(argv[0].text)
    if base in _SHELLS and len(argv) > 1:
        if argv[1].text == "-c" and len(argv) > 2:
            words = split_shell_located(argv[2].text, env, argv[2].loc)
            while words and words[0].text in ("exec", "nohup"):
                words = words[1:]
            return detect_launcher_located(words, env) if words and words[0].text != argv[0].text else None
        rest = [w for w in argv[1:] if not w.text.startswith("-")]
        return detect_launcher_located(rest, env) if rest else None
    if base == "java":
        return ("java", None, list(argv))
    if base == "systemd-entrypoint":
        kind = "opensearch" if "opensearch" in argv[0].text else "elasticsearch"
        return (argv[0].text, LAUNCHERS[kind], list(argv[1:]))
    launcher = LAUNCHERS.get(base)
    return (argv[0].text, launcher, list(argv[1:])) if launcher else None
