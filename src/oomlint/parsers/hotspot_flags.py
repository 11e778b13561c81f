"""HotSpot options turned into flags (``src/hotspot/share/runtime/arguments.cpp``
``parse_each_vm_init_arg``, ``parse_argument``, ``parse_xss``, ``parse_options_buffer``).

`parse_option` turns one option into `JvmFlag` records or a `Refusal`; `collect_flags`
applies sources in the launcher's order (JAVA_TOOL_OPTIONS, then the command line with
JDK_JAVA_OPTIONS in front of it, then _JAVA_OPTIONS; verified with OpenJDK 17.0.15,
tests/data/jvm/expected.yaml), last occurrence wins.

A modelled option written as a template expression (``-Xmx{{ heap }}``) is a
`TemplatedOption`: unknown, neither a flag nor a refusal. Which words are templated is the
caller's to say (sources/templates.py ``templated_runs``, passed in as `Runs`): this module
stays a pure reader of options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence, Union

from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.hotspot import (
    jvm_parse_double,
    jvm_parse_intx,
    jvm_parse_size,
    jvm_parse_unsigned,
    jvm_refusal_message,
)
from oomlint.base.grammar.hotspot_removed import retired_status
from oomlint.base.provenance import Loc, Setting
from oomlint.parsers.systemd_exec import JvmOption


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


@dataclass(frozen=True)
class TemplatedOption:
    """A modelled option whose value is a template expression: its value is unknown."""

    loc: Loc
    raw: str


# The runs of words that template expressions span: [first, last + 1) indices into the
# texts given (sources/templates.py ``templated_runs``).
Runs = Callable[[Sequence[str]], Sequence[tuple[int, int]]]

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
    "NewRatio": ("uintx", None, None),
    "SurvivorRatio": ("uintx", None, None),
    "MinSurvivorRatio": ("uintx", None, None),
    "InitialSurvivorRatio": ("uintx", None, None),
    "MaxRAMFraction": ("uintx", 1, _UINT64_MAX),
    "MinRAMFraction": ("uintx", 1, _UINT64_MAX),
    "InitialRAMFraction": ("uintx", 1, _UINT64_MAX),
}
BOOL_FLAGS = {"IgnoreUnrecognizedVMOptions", "UseCompressedOops", "UseCompressedClassPointers",
              "TieredCompilation",
              "UseContainerSupport", "UseG1GC", "UseSerialGC", "UseParallelGC", "UseZGC",
              "UseShenandoahGC", "UseEpsilonGC", "AlwaysPreTouch", "UseLargePages",
              "UseAdaptiveSizePolicy"}
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

OptionResult = Union[list[JvmFlag], Refusal, TemplatedOption]


def parse_option(text: str, loc: Loc, source: str, templated: bool = False,
                 jdk_major: int = 17) -> OptionResult:
    """The flags one JVM option sets, as ``parse_each_vm_init_arg()`` reads it; [] for an
    option oomlint does not model; a `Refusal` with HotSpot's message when the JVM would
    exit. Covers -Xmx -Xms -Xmn -Xss -Xint -Xcomp -Xmixed and ``-XX:`` flags in `_FLAGS`
    and `BOOL_FLAGS` (``+``/``-`` for booleans, ``Name=value`` for the others). A
    `templated` option (a template expression, not yet rendered) that oomlint models is a
    `TemplatedOption`, whatever its value. A flag JDK `jdk_major` has retired
    (base/grammar/hotspot_removed.py) is refused when expired ("Unrecognized VM option")
    and sets nothing when obsolete (HotSpot ignores it with a warning)."""
    result = _parse_option(text, loc, source, jdk_major)
    if templated and result != []:
        return TemplatedOption(loc, text)
    return result


def join_templated(options: Sequence[JvmOption], runs: Runs) -> list[JvmOption]:
    """`options` with the words one template expression spans joined into one option
    (``-Xmx{{ heap }}`` split at whitespace before it was rendered), so that a launcher
    judges it as one argument; only words from the same line are joined."""
    return [option for option, _ in _template_groups(options, runs)]


def _template_groups(options: Sequence[JvmOption], runs: Runs
                     ) -> list[tuple[JvmOption, bool]]:
    """Each option, or run of options one template expression spans (joined by a space),
    with whether it is templated."""
    out: list[tuple[JvmOption, bool]] = []
    i = 0
    while i < len(options):
        j = i + 1
        while j < len(options) and options[j].loc == options[i].loc:
            j += 1
        line = options[i:j]
        at = 0
        for first, end in runs([o.text for o in line]):
            out += [(o, False) for o in line[at:first]]
            out.append((JvmOption(" ".join(o.text for o in line[first:end]), line[first].loc),
                        True))
            at = end
        out += [(o, False) for o in line[at:]]
        i = j
    return out


def _parse_option(text: str, loc: Loc, source: str, jdk_major: int = 17) -> list[JvmFlag] | Refusal:
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
        return _xx_option(text, loc, source, jdk_major)
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


def _xx_option(text: str, loc: Loc, source: str, jdk_major: int = 17) -> OptionResult:
    body = text[4:]
    sign = body[:1] if body[:1] in "+-" else ""
    name, eq, value = body[len(sign):].partition("=")
    status = retired_status(name, jdk_major)
    if status == "expired":
        return Refusal(loc, text, f"Unrecognized VM option '{body[len(sign):]}'")
    if status == "obsolete":
        return []  # "Ignoring option ...; support was removed in N": no effect
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
    return _numeric_flag(text, name, value, loc, source, jdk_major)


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


# Ranges that later JDKs widened: G1 regions up to 512 MiB (Temurin 25.0.3 prints
# "[ 0 ... 536870912 ]"; OpenJDK 17.0.15 "[ 0 ... 33554432 ]"), from JDK 18.
_WIDER_FROM = {"G1HeapRegionSize": (18, 536870912)}


def _numeric_flag(text: str, name: str, value: str, loc: Loc, source: str,
                  jdk_major: int = 17) -> OptionResult:
    kind, low, high = _FLAGS[name]
    if name in _WIDER_FROM and jdk_major >= _WIDER_FROM[name][0]:
        high = _WIDER_FROM[name][1]
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
    flag in application order, the refused options, the templated ones (unknown, as if not
    given), and each effective flag's source."""

    settings: dict[str, Setting] = field(default_factory=dict)
    flags: list[JvmFlag] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    templated: list[TemplatedOption] = field(default_factory=list)
    source_of: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: object = None) -> object:
        s = self.settings.get(name)
        return default if s is None else s.value

    def explicit(self, name: str) -> bool:
        return name in self.settings


def collect_flags(sources: Sequence[FlagSource], templates: Runs | None = None, *,
                  jdk_major: int = 17) -> JvmFlags:
    """Apply `sources` in order, the last occurrence of a flag winning: pass them as the
    JVM applies them (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, the command line, _JAVA_OPTIONS;
    verified with OpenJDK 17: tests/data/jvm/expected.yaml ``precedence-*``). Every
    effective flag is a `Setting` that keeps the options it overrode
    (``Setting.overriding``); ``-Xmx`` and ``-XX:MaxHeapSize=`` are the same flag, as are
    ``-Xss`` and ``-XX:ThreadStackSize=``. With `templates`, the words of a line that a
    template expression spans are one option, and a modelled one is left unset (recorded
    in `templated`)."""
    out = JvmFlags()
    ignore_unrecognized = any(o.text == "-XX:+IgnoreUnrecognizedVMOptions"
                              for s in sources for o in s.options)
    for source in sources:
        options = _template_groups(source.options, templates) if templates else \
            [(o, False) for o in source.options]
        for option, templated in options:
            result = parse_option(option.text, option.loc, source.label, templated, jdk_major)
            if isinstance(result, TemplatedOption):
                out.templated.append(result)
                continue
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
