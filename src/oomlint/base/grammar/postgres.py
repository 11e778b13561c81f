"""postgres' GUC value grammar (guc.c parse_int, parse_real, convert_to_base_unit,
parse_bool_with_len; PostgreSQL 15).
"""

from __future__ import annotations

import math
import re

from oomlint.base.grammar.c import C_SPACE, GrammarError, bounded_int
from oomlint.base.redact import shown

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
        v = bounded_int(m.group(1), 16)
    elif m.group(2) is not None:
        v = bounded_int(m.group(2), 8)
    else:
        v = bounded_int(m.group(3))
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
            raise GrammarError(f'invalid value "{shown(text)}"')
        val, end = d
    else:
        if end == 0:
            raise GrammarError(f'invalid value "{shown(text)}"')
        val = float(v)
    if math.isnan(val):
        raise GrammarError(f'invalid value "{shown(text)}"')
    return val, text[end:].lstrip(C_SPACE)


def _pg_unit(value: float, unit: str, base_unit_bytes: int) -> float:
    """convert_to_base_unit() for memory: at most 3 unit characters, case-sensitive, then
    only whitespace; a fraction is rounded to the next smaller unit."""
    word = unit.rstrip(C_SPACE)
    if len(word) > 3 or any(c in C_SPACE for c in word):
        raise GrammarError(f"invalid unit in '{shown(unit)}'; {PG_MEMORY_HINT}")
    for i, (name, size) in enumerate(_PG_MEMORY_UNITS):
        if name != word:
            continue
        cvalue = value * (size / base_unit_bytes)
        if i + 1 < len(_PG_MEMORY_UNITS):
            step = _PG_MEMORY_UNITS[i + 1][1] / base_unit_bytes
            cvalue = round(cvalue / step) * step
        return cvalue
    raise GrammarError(f"invalid unit '{shown(word)}'; {PG_MEMORY_HINT}")


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
            raise GrammarError(f'invalid value "{shown(text)}": this parameter takes no unit')
        val = _pg_unit(val, rest, base_unit_bytes)
    if math.isinf(val) or not -INT_MAX - 1 <= round(val) <= INT_MAX:
        raise GrammarError(f'invalid value "{shown(text)}": Value exceeds integer range.')
    return int(round(val))


def postgres_parse_memory(text: str, base_unit_bytes: int) -> int:
    """Bytes for a memory GUC (``shared_buffers``: base 8192, ``work_mem``: base 1024): the
    value `postgres_parse_int` gives, times the base unit. Range checks are the model's."""
    return postgres_parse_int(text, base_unit_bytes) * base_unit_bytes


def postgres_parse_real(text: str) -> float:
    """A floating-point GUC as ``parse_real()`` reads it (strtod, no unit)."""
    d = _c_strtod(text)
    if d is None or math.isnan(d[0]) or text[d[1]:].strip(C_SPACE):
        raise GrammarError(f'invalid value "{shown(text)}"')
    return d[0]


def postgres_parse_bool(text: str) -> bool:
    """``parse_bool_with_len()``: unique prefixes of true/false/yes/no, ``on``/``of(f)``,
    ``1``/``0``, any case."""
    t = text.lower()
    if t and ("true".startswith(t) or "yes".startswith(t)) or t in ("on", "1"):
        return True
    if t and ("false".startswith(t) or "no".startswith(t)) or t in ("of", "off", "0"):
        return False
    raise GrammarError(f'invalid value "{shown(text)}": requires a Boolean value')
