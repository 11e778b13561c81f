"""Size and time grammars, one function per owning program.

Each grammar follows the program that reads the value, not a generic notion of "size":
systemd's memory limits are not mysqld's suffixes, and neither is what a user types after
``--ram``. Every parser here returns canonical values (bytes, seconds) or raises
`GrammarError` with the reason the real program would give.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

KIB = 1024
MIB = 1024**2
GIB = 1024**3
PAGE_SIZE = 4096
UINT64_MAX = 2**64 - 1


class GrammarError(ValueError):
    """The value is outside the owning program's grammar."""


_MAX_DIGITS = 100  # significant digits: far past 2**64 in base 8, 10 and 16


def _int(digits: str, base: int = 10) -> int:
    """``int(digits, base)`` for a digit string of any length, with an optional sign and
    surrounding whitespace. Python refuses to convert more than 4300 digits (ValueError)
    and is quadratic long before; every grammar here overflows well before 100 significant
    digits, so a longer number is read as ``base**100``, which each grammar rejects or
    clamps exactly as it does the number written."""
    text = digits.strip()
    sign = text[:1] if text[:1] in "+-" else ""
    body = text[len(sign):].lstrip("0") or "0"
    if len(body) > _MAX_DIGITS:
        body = "1" + "0" * _MAX_DIGITS
    return int(sign + body, base)


# --------------------------------------------------------------------------------------
# systemd: memory limits (config_parse_memory_limit -> parse_permyriad / parse_size)
# --------------------------------------------------------------------------------------

# parse_size(.., 1024, ..): suffixes in strictly descending order, each at most once; the
# empty suffix (bytes) always matches and must come last.
_SD_SIZE_TABLE = (
    ("E", 1024**6),
    ("P", 1024**5),
    ("T", 1024**4),
    ("G", 1024**3),
    ("M", 1024**2),
    ("K", 1024),
    ("B", 1),
    ("", 1),
)
_SD_WS = " \t\n\r"
_DIGITS = re.compile(r"[0-9]+")


def systemd_parse_size(text: str) -> int:
    """Bytes for a systemd size such as ``1G``, ``1.5G``, ``1G 512M`` (base 1024).

    Mirrors systemd's ``parse_size()``: terms are summed, suffixes are upper case and in
    descending order, a fraction is truncated to whole bytes, ``-`` is refused.
    """
    total = 0
    pos = 0
    start = 0
    n = len(text)
    if not text:
        raise GrammarError("empty size")
    while True:
        while pos < n and text[pos] in _SD_WS:
            pos += 1
        # strtoull() accepts an optional '+' (and '-', which parse_size() refuses).
        num_start = pos
        if pos < n and text[pos] in "+-":
            if text[pos] == "-":
                raise GrammarError("negative size")
            pos += 1
        m = _DIGITS.match(text, pos)
        if not m:
            raise GrammarError(f"expected a number at {text[num_start:]!r}")
        whole = _int(m.group())
        pos = m.end()
        frac_num, frac_den = 0, 1
        if pos < n and text[pos] == ".":
            pos += 1
            fm = _DIGITS.match(text, pos)
            if fm:
                frac_num, frac_den = _int(fm.group()), 10 ** len(fm.group())
                if frac_num > UINT64_MAX:  # the fraction's own strtoull() overflows
                    raise GrammarError("size out of range")
                pos = fm.end()
        while pos < n and text[pos] in _SD_WS:
            pos += 1
        for i in range(start, len(_SD_SIZE_TABLE)):
            suffix, factor = _SD_SIZE_TABLE[i]
            if text.startswith(suffix, pos):
                break
        else:  # pragma: no cover - the empty suffix always matches
            raise GrammarError("bad suffix")
        if suffix == "" and pos < n:
            # The empty suffix matched but text remains: the next round must parse a number
            # and fails, as systemd's loop does.
            nxt = text[pos]
            if not (nxt.isdigit() or nxt in _SD_WS + "+"):
                raise GrammarError(f"unknown suffix {text[pos:]!r} (systemd accepts K M G T P E)")
        if whole + (1 if frac_num else 0) > UINT64_MAX // factor:
            raise GrammarError("size out of range")
        # systemd computes the fraction in double precision and truncates.
        total += whole * factor + int((frac_num / frac_den) * factor)
        if total > UINT64_MAX:
            raise GrammarError("size out of range")
        pos += len(suffix)
        start = i + 1
        if pos >= n:
            return total
        if start >= len(_SD_SIZE_TABLE):
            raise GrammarError(f"unexpected {text[pos:]!r} after the last unit")


def _parse_parts(body: str, decimals: int) -> int:
    """systemd's parse_parts_value_with_{tenths,hundredths}_place: an integer part that
    safe_atoi() accepts and at most `decimals` fractional digits."""
    if "." in body:
        whole, frac = body.split(".", 1)
        if not frac or len(frac) > decimals or not frac.isdigit():
            raise GrammarError(f"at most {decimals} decimal place(s)")
    else:
        whole, frac = body, ""
    if not re.fullmatch(r"[ \t]*[+-]?[0-9]+", whole):
        raise GrammarError("not a number")
    v = _int(whole)
    scaled = v * 10**decimals + (int(frac.ljust(decimals, "0")) if frac else 0) * (
        -1 if whole.strip().startswith("-") else 1
    )
    return scaled


def systemd_parse_permyriad(text: str) -> int:
    """Parts per ten thousand for ``N%`` (two decimals), ``N‰`` (one) or ``N‱``."""
    if text.endswith("%"):
        v = _parse_parts(text[:-1], 2)
    elif text.endswith("‰"):
        v = _parse_parts(text[:-1], 1)
    elif text.endswith("‱"):
        body = text[:-1]
        if not re.fullmatch(r"[ \t]*[+-]?[0-9]+", body):
            raise GrammarError("not a number")
        v = _int(body)
    else:
        raise GrammarError("not a percentage")
    if v < 0:
        raise GrammarError("negative percentage")
    if v > 10000:
        raise GrammarError("percentage above 100%")
    return v


@dataclass(frozen=True)
class MemoryLimit:
    """A systemd memory limit as written: absolute bytes, a share of RAM, or no limit.

    ``permyriad`` is set for ``N%``/``N‰``/``N‱`` values; the bytes then depend on the
    host's RAM and are computed the way systemd does at unit-load time."""

    bytes: int | None = None
    permyriad: int | None = None
    infinity: bool = False

    def resolve(self, ram: int | None) -> int | None:
        """Bytes, or None for `infinity` or a percentage with unknown RAM."""
        if self.infinity:
            return None
        if self.permyriad is not None:
            if ram is None:
                return None
            pages = ram // PAGE_SIZE
            return pages * self.permyriad // 10000 * PAGE_SIZE
        return self.bytes

    def describe(self) -> str:
        if self.infinity:
            return "infinity"
        if self.permyriad is not None:
            return f"{self.permyriad / 100:g}% of RAM"
        return format_size(self.bytes or 0)


def _memory_hint(text: str) -> str | None:
    """The likely mistake behind a memory value systemd refuses, in the user's terms."""
    t = text.strip()
    if "#" in t or ";" in t:
        return "systemd has no trailing comments: the comment became part of the value"
    if t and (t[0] in "\"'" or t[-1] in "\"'"):
        return "memory settings are not unquoted by systemd"
    if t in ("max", "unlimited", "none", "-1"):
        return f"{t!r} is not accepted; use 'infinity' for no limit"
    if re.fullmatch(r"[0-9.]+\s*[KMGTPE]i?B", t, re.IGNORECASE) or re.fullmatch(
        r"[0-9.]+\s*[KMGTPE]i", t, re.IGNORECASE
    ):
        return "systemd suffixes are single upper-case letters, K M G T P E, base 1024: no B, iB or i"
    if re.fullmatch(r"[0-9.]+\s*[kmgtpe]", t):
        return "systemd suffixes are upper case: K M G T P E"
    if re.fullmatch(r"[0-9.]+\s*[a-zA-Z]+", t):
        return "unknown suffix; systemd accepts K M G T P E (base 1024)"
    return None


# Keys for which a limit of 0 is "out of range" (systemd refuses it).
_ZERO_REFUSED = {"MemoryMax", "MemoryHigh", "StartupMemoryMax", "StartupMemoryHigh", "MemoryLimit"}


def systemd_parse_memory_limit(key: str, text: str) -> MemoryLimit | None:
    """Parse a Memory*= value as config_parse_memory_limit() does.

    Returns None for the empty assignment (reset to the default), a `MemoryLimit`
    otherwise; raises `GrammarError` for what systemd logs and ignores.
    """
    if text == "":
        return None
    if text == "infinity":
        return MemoryLimit(infinity=True)
    if not text.rstrip().endswith(("%", "‰", "‱")):
        try:
            size = systemd_parse_size(text)
        except GrammarError as exc:
            raise GrammarError(_memory_hint(text) or str(exc)) from None
        if size == 0 and key in _ZERO_REFUSED:
            raise GrammarError("0 is out of range for this setting")
        if size >= UINT64_MAX:
            raise GrammarError("size out of range")
        return MemoryLimit(bytes=size)
    try:
        perm = systemd_parse_permyriad(text)
    except GrammarError as exc:
        raise GrammarError(f"invalid percentage {text!r}: {exc}") from None
    if perm == 0 and key in _ZERO_REFUSED:
        raise GrammarError("0% is out of range for this setting")
    return MemoryLimit(permyriad=perm)


# --------------------------------------------------------------------------------------
# systemd: time spans (parse_sec)
# --------------------------------------------------------------------------------------

_SD_TIME_UNITS = {
    "usec": 1e-6, "us": 1e-6, "μs": 1e-6, "µs": 1e-6,
    "msec": 1e-3, "ms": 1e-3,
    "seconds": 1, "second": 1, "sec": 1, "s": 1, "": 1,
    "minutes": 60, "minute": 60, "min": 60, "m": 60,
    "hours": 3600, "hour": 3600, "hr": 3600, "h": 3600,
    "days": 86400, "day": 86400, "d": 86400,
    "weeks": 604800, "week": 604800, "w": 604800,
    "months": 2629800, "month": 2629800, "M": 2629800,
    "years": 31557600, "year": 31557600, "y": 31557600,
}  # fmt: skip
_SD_TIME_TERM = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Zμµ]*)")


def systemd_parse_timespan(text: str) -> float:
    """Seconds for a systemd time span (``5``, ``5s``, ``2min 30s``, ``100ms``, ``infinity``)."""
    t = text.strip()
    if t == "infinity":
        return math.inf
    if not t:
        raise GrammarError("empty time span")
    pos, total = 0, 0.0
    while pos < len(t):
        m = _SD_TIME_TERM.match(t, pos)
        if not m or m.end() == pos:
            raise GrammarError(f"invalid time span {text!r}")
        unit = m.group(2)
        if unit not in _SD_TIME_UNITS:
            raise GrammarError(f"unknown time unit {unit!r}")
        total += float(m.group(1)) * _SD_TIME_UNITS[unit]
        pos = m.end()
        while pos < len(t) and t[pos].isspace():
            pos += 1
    return total


# --------------------------------------------------------------------------------------
# oomlint's own input: --ram / --swap / config `ram`, `swap`
# --------------------------------------------------------------------------------------

_HUMAN = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgtpe]?)(i?b?)\s*", re.IGNORECASE)
_HUMAN_FACTORS = {"": 1, "k": KIB, "m": MIB, "g": GIB, "t": 1024**4, "p": 1024**5, "e": 1024**6}


def parse_host_size(text: str | int) -> int:
    """Bytes for a size given to oomlint itself: ``8G``, ``8GiB``, ``16g``, ``512M``,
    ``8589934592``. Binary multiples throughout (``8GB`` means 8 GiB, as `free -g` shows)."""
    if isinstance(text, bool):
        raise GrammarError("expected a size such as 8G")
    if isinstance(text, int):
        if text < 0:
            raise GrammarError("size must not be negative")
        return text
    m = _HUMAN.fullmatch(str(text))
    if not m or (m.group(3) and m.group(3).lower() not in ("b", "ib")):
        raise GrammarError(f"{text!r} is not a size (try 8G, 512M or a byte count)")
    value = float(m.group(1)) * _HUMAN_FACTORS[m.group(2).lower()]
    if value > UINT64_MAX:
        raise GrammarError(f"{text!r} is larger than any host")
    return int(value)


def format_size(n: int | None) -> str:
    """A human size with binary units: ``8 GiB``, ``1.5 GiB``, ``300 MiB``, ``512 B``."""
    if n is None:
        return "unknown"
    sign = "-" if n < 0 else ""
    n = abs(n)
    for unit, factor in (("EiB", 1024**6), ("PiB", 1024**5), ("TiB", 1024**4), ("GiB", GIB),
                         ("MiB", MIB), ("KiB", KIB)):
        if n >= factor:
            value = n / factor
            text = f"{value:.2f}".rstrip("0").rstrip(".")
            return f"{sign}{text} {unit}"
    return f"{sign}{n} B"


# --------------------------------------------------------------------------------------
# kernel: sysctl integers
# --------------------------------------------------------------------------------------


def c_base0_int(text: str, *, plus: bool, trailing_space: bool) -> int:
    """strtol(..., 0) as C programs use it: ``0x`` hex, a leading ``0`` octal, decimal;
    `plus` allows a ``+`` sign, `trailing_space` allows blanks after the digits."""
    sign = "[+-]?" if plus else "-?"
    tail = r"\s*" if trailing_space else ""
    m = re.fullmatch(rf"\s*({sign})(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*){tail}", text)
    if not m:
        raise GrammarError(f"{text!r} is not an integer")
    digits = m.group(2)
    if digits[:2].lower() == "0x":
        v = _int(digits[2:], 16)
    elif digits.startswith("0") and len(digits) > 1:
        v = _int(digits[1:], 8)
    else:
        v = _int(digits)
    if v > UINT64_MAX:  # strtol()/strtoul() overflow: ERANGE, refused by both readers
        raise GrammarError(f"{text[:40]!r} is out of range")
    return -v if m.group(1) == "-" else v


def kernel_parse_int(text: str) -> int:
    """An integer as the kernel's proc_dointvec reads it: base 0, an optional ``-``, no
    ``+`` (kernel/sysctl.c proc_get_long)."""
    return c_base0_int(text, plus=False, trailing_space=True)


def systemd_parse_int(text: str) -> int:
    """An integer as systemd's safe_atoi() reads it: base 0, ``+`` or ``-``
    (src/basic/parse-util.c)."""
    return c_base0_int(text, plus=True, trailing_space=False)


# --------------------------------------------------------------------------------------
# mysqld: numeric and boolean options (MariaDB/MySQL mysys/my_getopt.c)
# --------------------------------------------------------------------------------------

C_SPACE = " \t\n\v\f\r"  # C isspace() in the "C" locale
_MYSQLD_SUFFIX = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50, "e": 1 << 60}
_C_STRTOUL = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)")


def mysqld_parse_size(text: str) -> int:
    """Bytes for a numeric mysqld option value, as ``eval_num_suffix_ull()`` reads it.

    ``strtoull(value, &end, 10)`` (leading whitespace and a sign allowed, no digits reads as
    0 and leaves ``end`` at the start), then ONE suffix letter ``K M G T P E`` in either case
    (base 1024) or the end of the value. Only that first character after the digits is
    examined: ``1GB`` is 1G and ``5M ; note`` is 5M, but ``1.5M``, ``0x100``, ``5 M`` and
    ``500 ; note`` are refused ("Unknown suffix"), and mariadbd exits. A leading ``-`` is
    refused ("Incorrect unsigned value"); the product wraps modulo 2**64 as the C code does
    (``16E`` is 0). Verified against mariadbd 10.11.19 (tests/data/db/expected_mysql.yaml).
    """
    if text.startswith("-"):
        raise GrammarError(f"Incorrect unsigned value: '{text}'")
    m = _C_STRTOUL.match(text)
    if m is None:
        num, end = 0, 0  # no conversion: strtoull() leaves `end` at the start of the value
    else:
        num, end = _int(m.group(2)), m.end()
        if num > UINT64_MAX:
            raise GrammarError(f"Integer value out of range for uint64: '{text}'")
        if m.group(1) == "-":  # strtoull() negates in unsigned arithmetic
            num = (-num) % (UINT64_MAX + 1)
    if end == len(text):
        return num
    factor = _MYSQLD_SUFFIX.get(text[end].lower())
    if factor is None:
        raise GrammarError(
            f"Unknown suffix '{text[end]}' (value '{text}'). Legal suffix characters are: "
            "K, M, G, T, P, E"
        )
    return (num * factor) % (UINT64_MAX + 1)


def mysqld_limit(value: int, minimum: int, maximum: int, block: int = 1,
                 type_max: int = UINT64_MAX) -> int:
    """``getopt_ull_limit_value()``: clamp to the option's maximum (0 means none) and to its
    C type, round down to the block size, then raise to the minimum (with a warning)."""
    if maximum and value > maximum:
        value = maximum
    value = min(value, type_max)
    if block > 1:
        value = value // block * block
    return max(value, minimum)


def mysqld_parse_bool(text: str) -> bool | None:
    """``get_bool_argument()``: ON/TRUE/1 and OFF/FALSE/0 in any case; None for anything
    else, which mysqld warns about and treats as OFF ("wasn't recognized. Set to OFF")."""
    t = text.lower()
    if t in ("true", "on", "1"):
        return True
    if t in ("false", "off", "0"):
        return False
    return None


# --------------------------------------------------------------------------------------
# postgres: GUC values (src/backend/utils/misc/guc.c parse_int, parse_real,
# convert_to_base_unit, parse_bool_with_len; PostgreSQL 15)
# --------------------------------------------------------------------------------------

INT_MAX = 2**31 - 1
# memory_unit_conversion_table: largest first; the unit after a matched one is the rounding
# step for fractions ("If the user gave a fractional value such as 30.1GB, round it off to
# the nearest multiple of the next smaller unit").
_PG_MEMORY_UNITS = (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("kB", 1024), ("B", 1))
PG_MEMORY_HINT = 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".'
_PG_STRTOL = re.compile(r"[ \t\n\v\f\r]*[+-]?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))")
_PG_STRTOD = re.compile(
    r"[ \t\n\v\f\r]*[+-]?(?:"
    r"(?P<hex>0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?)"
    r"|(?P<dec>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<inf>[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)|(?P<nan>[nN][aA][nN]))"
)
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def _c_strtol0(text: str) -> tuple[int | None, int]:
    """``strtol(text, &end, 0)``: (value or None on overflow, end). Hex ``0x``, octal ``0``."""
    m = _PG_STRTOL.match(text)
    if m is None:
        return 0, 0
    digits = m.group(0).lstrip(C_SPACE)
    neg = digits.startswith("-")
    if m.group(1) is not None:
        v = _int(m.group(1), 16)
    elif m.group(2) is not None:
        v = _int(m.group(2), 8)
    else:
        v = _int(m.group(3))
    v = -v if neg else v
    return (v if _LONG_MIN <= v <= _LONG_MAX else None), m.end()


def _c_strtod(text: str) -> tuple[float, int] | None:
    """``strtod()``: (value, end), or None when nothing converts or it over/underflows."""
    m = _PG_STRTOD.match(text)
    if m is None:
        return None
    body = m.group(0).lstrip(C_SPACE)
    sign = -1.0 if body.startswith("-") else 1.0
    if m.group("hex"):
        h = m.group("hex")
        if "p" not in h.lower():
            h += "p0"
        try:
            v = float.fromhex(h)
        except OverflowError:
            return None  # ERANGE
    elif m.group("dec"):
        v = float(m.group("dec"))
        digits = m.group("dec").lower().split("e")[0].replace(".", "").strip("0")
        if v == math.inf or (v == 0.0 and digits):
            return None  # ERANGE
    elif m.group("inf"):
        v = math.inf
    else:
        v = math.nan
    return sign * v, m.end()


def _pg_number(text: str) -> tuple[float, str]:
    """parse_int()'s number: strtol base 0, re-read with strtod when it stops at ``.``,
    ``e``/``E`` or overflows. Returns (value, the rest after optional whitespace)."""
    v, end = _c_strtol0(text)
    if v is None or (end < len(text) and text[end] in ".eE"):
        d = _c_strtod(text)
        if d is None:
            raise GrammarError(f'invalid value "{text}"')
        val, end = d
    else:
        if end == 0:
            raise GrammarError(f'invalid value "{text}"')
        val = float(v)
    if math.isnan(val):
        raise GrammarError(f'invalid value "{text}"')
    return val, text[end:].lstrip(C_SPACE)


def _pg_unit(value: float, unit: str, base_unit_bytes: int) -> float:
    """convert_to_base_unit() for memory: at most 3 unit characters, case-sensitive, then
    only whitespace; a fraction is rounded to the next smaller unit."""
    word = unit.rstrip(C_SPACE)
    if len(word) > 3 or any(c in C_SPACE for c in word):
        raise GrammarError(f"invalid unit in {unit!r}; {PG_MEMORY_HINT}")
    for i, (name, size) in enumerate(_PG_MEMORY_UNITS):
        if name != word:
            continue
        cvalue = value * (size / base_unit_bytes)
        if i + 1 < len(_PG_MEMORY_UNITS):
            step = _PG_MEMORY_UNITS[i + 1][1] / base_unit_bytes
            cvalue = round(cvalue / step) * step
        return cvalue
    raise GrammarError(f"invalid unit {word!r}; {PG_MEMORY_HINT}")


def postgres_parse_int(text: str, base_unit_bytes: int | None = None) -> int:
    """An integer GUC as ``parse_int()`` reads it, in the parameter's base unit.

    Decimal, ``0x`` hex and ``0`` octal integers (strtol base 0: ``010`` is 8), or a
    decimal/exponent number re-read by strtod (``'1.5GB'``, ``'1e3'``), whitespace, then a
    memory unit ``B kB MB GB TB`` (case-sensitive, x1024) when the parameter has one
    (`base_unit_bytes`: 8192 for block-sized parameters, 1024 for kB ones). The result is
    rounded half-to-even (rint) to a whole base unit and must fit a C int.
    """
    val, rest = _pg_number(text)
    if rest:
        if base_unit_bytes is None:
            raise GrammarError(f'invalid value "{text}": this parameter takes no unit')
        val = _pg_unit(val, rest, base_unit_bytes)
    if math.isinf(val) or not -INT_MAX - 1 <= round(val) <= INT_MAX:
        raise GrammarError(f'invalid value "{text}": Value exceeds integer range.')
    return int(round(val))


def postgres_parse_memory(text: str, base_unit_bytes: int) -> int:
    """Bytes for a memory GUC (``shared_buffers``: base 8192, ``work_mem``: base 1024): the
    value `postgres_parse_int` gives, times the base unit. Range checks are the model's."""
    return postgres_parse_int(text, base_unit_bytes) * base_unit_bytes


def postgres_parse_real(text: str) -> float:
    """A floating-point GUC as ``parse_real()`` reads it (strtod, no unit)."""
    d = _c_strtod(text)
    if d is None or math.isnan(d[0]) or text[d[1]:].strip(C_SPACE):
        raise GrammarError(f'invalid value "{text}"')
    return d[0]


def postgres_parse_bool(text: str) -> bool:
    """``parse_bool_with_len()``: unique prefixes of true/false/yes/no, ``on``/``of(f)``,
    ``1``/``0``, any case."""
    t = text.lower()
    if t and ("true".startswith(t) or "yes".startswith(t)) or t in ("on", "1"):
        return True
    if t and ("false".startswith(t) or "no".startswith(t)) or t in ("of", "off", "0"):
        return False
    raise GrammarError(f'invalid value "{text}": requires a Boolean value')


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
        number, rest = (_int(digits, 16), text[m.end():]) if digits and m else (0, text[1:])
    else:
        m = re.match(r"[0-9]+", text)
        number, rest = (_int(m.group()), text[m.end():]) if m else (0, text)
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
        raise GrammarError(jvm_refusal_message(option) if option else f"invalid JVM size {text!r}")
    return value


def jvm_parse_unsigned(text: str, option: str = "") -> int:
    """An unsigned -XX:Name=value flag (size_t, uintx, uint64_t) as ``set_numeric_flag()``
    reads it: the VALUE_RANGE character class, no sign, then `jvm_parse_size`."""
    if _JVM_FP_SHAPE.fullmatch(text) or not _JVM_VALUE_RANGE.fullmatch(text) or text[0] == "-":
        raise GrammarError(jvm_refusal_message(option) if option else f"invalid JVM value {text!r}")
    return jvm_parse_size(text, option)


def jvm_parse_intx(text: str, option: str = "") -> int:
    """A signed -XX:Name=value flag (intx, e.g. ThreadStackSize in KiB, TieredStopAtLevel):
    an optional ``-``, then `jvm_parse_size` (suffixes multiply: ThreadStackSize=1m is
    1048576 KiB)."""
    negative = text.startswith("-")
    body = text[1:] if negative else text
    if _JVM_FP_SHAPE.fullmatch(text) or not _JVM_VALUE_RANGE.fullmatch(text) or not body:
        raise GrammarError(jvm_refusal_message(option) if option else f"invalid JVM value {text!r}")
    value = jvm_parse_size(body, option)
    value = value - (1 << 64) if value >= 1 << 63 else value  # (intx) cast of a julong
    return -value if negative else value


def jvm_parse_double(text: str, option: str = "") -> float:
    """A double -XX:Name=value flag (MaxRAMPercentage ...): ``75.0``, ``1.5e1`` through
    strtod() (whole value, a digit or ``-`` before the ``.``), else an unsigned integer as
    `jvm_parse_size` reads it (``75``, ``075``, ``0x10``, ``1k``). ``75.``, ``.5``, ``1e1``,
    ``-1`` and `` 50`` are refused."""
    error = GrammarError(jvm_refusal_message(option) if option else f"invalid JVM number {text!r}")
    if _JVM_FP_SHAPE.fullmatch(text):
        if not _JVM_STRTOD.fullmatch(text):
            raise error
        return float(text)
    if not _JVM_VALUE_RANGE.fullmatch(text) or text[0] == "-":
        raise error
    return float(jvm_parse_size(text, option))
