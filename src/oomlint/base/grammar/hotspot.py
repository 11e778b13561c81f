"""HotSpot 17's option value grammar (runtime/arguments.cpp: atojulong, parse_memory_size,
parse_argument, set_numeric_flag, set_fp_numeric_flag).
"""

from __future__ import annotations

import re

from oomlint.base.grammar.c import UINT64_MAX, GrammarError, bounded_int
from oomlint.base.redact import shown

# --------------------------------------------------------------------------------------
# JVM: HotSpot 17 option values (src/hotspot/share/runtime/arguments.cpp: atojulong,
# parse_memory_size, parse_argument, set_numeric_flag, set_fp_numeric_flag)
# --------------------------------------------------------------------------------------

_JVM_SUFFIX = {"": 1, "k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20,
               "g": 1 << 30, "G": 1 << 30, "t": 1 << 40, "T": 1 << 40}
# parse_argument()'s sscanf character classes: the floating-point attempt
# ("%[-0-9].%[0-9eE+-]"), then the integer value class VALUE_RANGE.
_JVM_FP_SHAPE = re.compile(r"[-0-9]+\.[0-9eE+-]+")
_JVM_STRTOD = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_JVM_VALUE_RANGE = re.compile(r"[-kmgtxKMGTX0-9a-fA-F]+")
# The message parse_each_vm_init_arg() prints for an option whose size it cannot read.
_JVM_BAD_VALUE = (
    ("-Xmx", "Invalid maximum heap size: {}"),
    ("-XX:MaxHeapSize=", "Invalid maximum heap size: {}"),
    ("-Xms", "Invalid initial heap size: {}"),
    ("-Xmn", "Invalid initial young generation size: {}"),
    ("-Xss", "Invalid thread stack size: {}"),
    ("-Xmaxjitcodesize", "Invalid maximum code cache size: {}."),
    ("-XX:ReservedCodeCacheSize=", "Invalid maximum code cache size: {}."),
)


def jvm_refusal_message(option: str) -> str:
    """What HotSpot prints before exiting when it cannot read `option`'s value: the
    option-specific text of parse_each_vm_init_arg() for -Xmx, -Xms, -Xmn, -Xss and the code
    cache, "Improperly specified VM option 'Name=value'" for other -XX: flags."""
    for prefix, message in _JVM_BAD_VALUE:
        if option.startswith(prefix):
            return message.format(option)
    if option.startswith("-XX:"):
        return f"Improperly specified VM option '{option[4:]}'"
    return f"Unrecognized option: {option}"


def _jvm_atojulong(text: str) -> int | None:
    """``Arguments::atojulong()``: a digit first (no sign, no space), ``0x`` hex or decimal
    (strtoull), then nothing or ONE of ``k m g t`` in either case (base 1024); None when
    HotSpot refuses it (other suffix, fraction, overflow past 2**64-1)."""
    if not text or not "0" <= text[0] <= "9":
        return None
    if text[:2] in ("0x", "0X"):
        m = re.match(r"0[xX]([0-9a-fA-F]*)", text)
        digits = m.group(1) if m else ""
        number, rest = (bounded_int(digits, 16), text[m.end():]) if digits and m else (0, text[1:])
    else:
        m = re.match(r"[0-9]+", text)
        number, rest = (bounded_int(m.group()), text[m.end():]) if m else (0, text)
    factor = _JVM_SUFFIX.get(rest)
    if number > UINT64_MAX or factor is None or number * factor > UINT64_MAX:
        return None
    return number * factor


def jvm_parse_size(text: str, option: str = "") -> int:
    """Bytes for a JVM size (-Xmx, -Xms, -Xss, -XX:MaxHeapSize=, MaxMetaspaceSize,
    ReservedCodeCacheSize, MaxDirectMemorySize, MaxRAM ...), as ``atojulong()`` reads it:
    ``2g``, ``2G``, ``512m``, ``1t``, ``1073741824``, ``0x40000000``. ``1.5g``, ``1gb``,
    ``-1g``, ``+1g``, ``1e9`` and ``2 g`` are refused; the error carries HotSpot's message
    for `option` (the whole option as written) when it is given. Note that
    -XX:ThreadStackSize counts KiB: its value is read by `jvm_parse_intx`."""
    value = _jvm_atojulong(text)
    if value is None:
        raise GrammarError(jvm_refusal_message(option) if option else f"invalid JVM size '{shown(text)}'")
    return value


def jvm_parse_unsigned(text: str, option: str = "") -> int:
    """An unsigned -XX:Name=value flag (size_t, uintx, uint64_t) as ``set_numeric_flag()``
    reads it: the VALUE_RANGE character class, no sign, then `jvm_parse_size`."""
    if _JVM_FP_SHAPE.fullmatch(text) or not _JVM_VALUE_RANGE.fullmatch(text) or text[0] == "-":
        raise GrammarError(jvm_refusal_message(option) if option else f"invalid JVM value '{shown(text)}'")
    return jvm_parse_size(text, option)


def jvm_parse_intx(text: str, option: str = "") -> int:
    """A signed -XX:Name=value flag (intx, e.g. ThreadStackSize in KiB, TieredStopAtLevel):
    an optional ``-``, then `jvm_parse_size` (suffixes multiply: ThreadStackSize=1m is
    1048576 KiB)."""
    negative = text.startswith("-")
    body = text[1:] if negative else text
    if _JVM_FP_SHAPE.fullmatch(text) or not _JVM_VALUE_RANGE.fullmatch(text) or not body:
        raise GrammarError(jvm_refusal_message(option) if option else f"invalid JVM value '{shown(text)}'")
    value = jvm_parse_size(body, option)
    value = value - (1 << 64) if value >= 1 << 63 else value  # (intx) cast of a julong
    return -value if negative else value


def jvm_parse_double(text: str, option: str = "") -> float:
    """A double -XX:Name=value flag (MaxRAMPercentage ...): ``75.0``, ``1.5e1`` through
    strtod() (whole value, a digit or ``-`` before the ``.``), else an unsigned integer as
    `jvm_parse_size` reads it (``75``, ``075``, ``0x10``, ``1k``). ``75.``, ``.5``, ``1e1``,
    ``-1`` and `` 50`` are refused."""
    error = GrammarError(jvm_refusal_message(option) if option else f"invalid JVM number '{shown(text)}'")
    if _JVM_FP_SHAPE.fullmatch(text):
        if not _JVM_STRTOD.fullmatch(text):
            raise error
        return float(text)
    if not _JVM_VALUE_RANGE.fullmatch(text) or text[0] == "-":
        raise error
    return float(jvm_parse_size(text, option))
