"""What every owning program's grammar shares: byte multiples, the error a grammar raises,
and C's own number reading (strtol base 0, isspace in the "C" locale).

Each program's grammar lives in its own module beside this one (systemd, kernel, mysqld,
postgres, hotspot, host): a value is read the way the program that owns it reads it, and
never with a generic notion of "size".
"""

from __future__ import annotations

import re

from oomlint.base.redact import shown

KIB = 1024
MIB = 1024**2
GIB = 1024**3
PAGE_SIZE = 4096
UINT64_MAX = 2**64 - 1


class GrammarError(ValueError):
    """The value is outside the owning program's grammar."""


_MAX_DIGITS = 100  # significant digits: far past 2**64 in base 8, 10 and 16


def bounded_int(digits: str, base: int = 10) -> int:
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


def c_base0_int(text: str, *, plus: bool, trailing_space: bool) -> int:
    """strtol(..., 0) as C programs use it: ``0x`` hex, a leading ``0`` octal, decimal;
    `plus` allows a ``+`` sign, `trailing_space` allows blanks after the digits."""
    sign = "[+-]?" if plus else "-?"
    tail = r"\s*" if trailing_space else ""
    m = re.fullmatch(rf"\s*({sign})(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*){tail}", text)
    if not m:
        raise GrammarError(f"'{shown(text)}' is not an integer")
    digits = m.group(2)
    if digits[:2].lower() == "0x":
        v = bounded_int(digits[2:], 16)
    elif digits.startswith("0") and len(digits) > 1:
        v = bounded_int(digits[1:], 8)
    else:
        v = bounded_int(digits)
    if v > UINT64_MAX:  # strtol()/strtoul() overflow: ERANGE, refused by both readers
        raise GrammarError(f"'{shown(text, 40)}' is out of range")
    return -v if m.group(1) == "-" else v

C_SPACE = " \t\n\v\f\r"  # C isspace() in the "C" locale
