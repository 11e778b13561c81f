"""mysqld's option value grammar (MariaDB/MySQL mysys/my_getopt.c).
"""

from __future__ import annotations

import re

from oomlint.base.grammar.c import UINT64_MAX, GrammarError, bounded_int
from oomlint.base.redact import shown

# --------------------------------------------------------------------------------------
# mysqld: numeric and boolean options (MariaDB/MySQL mysys/my_getopt.c)
# --------------------------------------------------------------------------------------

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
        raise GrammarError(f"Incorrect unsigned value: '{shown(text)}'")
    m = _C_STRTOUL.match(text)
    if m is None:
        num, end = 0, 0  # no conversion: strtoull() leaves `end` at the start of the value
    else:
        num, end = bounded_int(m.group(2)), m.end()
        if num > UINT64_MAX:
            raise GrammarError(f"Integer value out of range for uint64: '{shown(text)}'")
        if m.group(1) == "-":  # strtoull() negates in unsigned arithmetic
            num = (-num) % (UINT64_MAX + 1)
    if end == len(text):
        return num
    factor = _MYSQLD_SUFFIX.get(text[end].lower())
    if factor is None:
        raise GrammarError(
            f"Unknown suffix '{text[end]}' (value '{shown(text)}'). Legal suffix characters are: "
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
