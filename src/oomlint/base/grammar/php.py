"""PHP's ini quantity grammar (Zend/zend_ini.c ``zend_ini_parse_quantity_internal()``, PHP
8.2), as ``memory_limit`` reads it (main/main.c ``OnSetMemoryLimit`` uses the unsigned
variant), and what the memory manager then accepts (Zend/zend_alloc.c
``zend_set_memory_limit()``).

Verified against php 8.2 and php-fpm 8.2 (tests/data/phpredis/recorded.yaml):

- whitespace around the value and between the number and the multiplier is ignored;
  ``+`` is allowed; ``-1`` (exactly) means no limit, any other negative value is "out of
  range" and read as its digits;
- the number is C ``strtoul`` with base 0 unless a prefix says otherwise: ``0x``/``0o``/
  ``0b`` (hexadecimal, octal, binary), a leading ``0`` is octal (``010M`` is 8 MiB);
- the LAST character is the multiplier, ``k`` ``m`` ``g`` in either case, powers of 1024;
  anything else is an "unknown multiplier" and the bare number is used: ``256MB`` is 256
  bytes, ``10T`` is 10 bytes; more than one character after the number keeps the last one:
  ``1.5G`` is 1 GiB (PHP warns in each case);
- no digits (``abc``, an empty value) reads as 0.

A limit below what the process already holds (one 2 MiB chunk at startup and in a fresh
php-fpm worker) is refused ("Failed to set memory limit"), and the previous value stays:
PHP's built-in 128M for php.ini, php.ini's value for a pool's php_value/php_admin_value.
"""

from __future__ import annotations

from dataclasses import dataclass

from oomlint.base.grammar.c import MIB, UINT64_MAX, bounded_int

UNLIMITED = -1
DEFAULT_MEMORY_LIMIT = 128 * MIB  # main/main.c: PHP_INI_ENTRY("memory_limit", "128M", ...)
STARTUP_USAGE = 2 * MIB  # ZEND_MM_CHUNK_SIZE: what the heap holds when the limit is set
_SPACE = " \t\n\r\v\f"  # zend_is_whitespace()
_FACTORS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
_DIGITS = {16: "0123456789abcdefABCDEF", 10: "0123456789", 8: "01234567", 2: "01"}


@dataclass(frozen=True)
class Quantity:
    """A quantity as PHP reads it: `value` in bytes (-1: no limit), and PHP's warning when
    it reinterpreted what was written (None when it read it as written)."""

    value: int
    warning: str | None = None


def _strtoul(text: str, base: int) -> tuple[int, int]:
    """C strtoul(): (value, characters consumed); base 0 picks octal for a leading 0."""
    if base == 0:
        base = 8 if text[:1] == "0" else 10
    n = 0
    while n < len(text) and text[n] in _DIGITS[base]:
        n += 1
    return (bounded_int(text[:n], base) if n else 0), n


def parse_quantity(text: str) -> Quantity:
    """``zend_ini_parse_uquantity()``: bytes, -1 for ``-1``, with PHP's warning."""
    s = text.strip(_SPACE)
    if not s:
        return Quantity(0)
    digits = s
    negative = False
    if digits[0] in "+-":
        negative = digits[0] == "-"
        digits = digits[1:]
    if not digits[:1].isdigit() or not digits[:1].isascii():
        return Quantity(0, f'Invalid quantity "{text}": no valid leading digits, interpreting '
                           'as "0" for backwards compatibility')
    base = 0
    if digits[0] == "0" and not (digits[1:2].isdigit() and digits[1:2].isascii()):
        if len(digits) == 1:
            return Quantity(0)
        c = digits[1]
        if c in "gGmMkK":
            pass
        elif c in "xXoObB":
            base = {"x": 16, "o": 8, "b": 2}[c.lower()]
            digits = digits[2:]
            if not digits:
                return Quantity(0, f'Invalid quantity "{text}": no digits after base prefix, '
                                   'interpreting as "0" for backwards compatibility')
        else:
            return Quantity(0, f'Invalid prefix "0{c}", interpreting as "0" for backwards '
                               "compatibility")
    value, used = _strtoul(digits, base)
    overflow = value > UINT64_MAX
    if negative:
        if value == 1 and used == len(digits):
            return Quantity(UNLIMITED)
        overflow = True
    if used == 0:
        return Quantity(0, f'Invalid quantity "{text}": no valid leading digits, interpreting '
                           'as "0" for backwards compatibility')
    rest = digits[used:].lstrip(_SPACE)
    head = s[:len(s) - len(rest)]  # what PHP quotes as the number it used
    warning = None
    if rest:
        factor = _FACTORS.get(rest[-1].lower()) if rest[-1].isascii() else None
        if factor is None:
            return Quantity(value % (UINT64_MAX + 1), f'Invalid quantity "{text}": unknown '
                            f'multiplier "{rest[-1]}", interpreting as "{head}" for '
                            "backwards compatibility")
        value *= factor
        overflow = overflow or value > UINT64_MAX
        if len(rest) > 1:
            warning = (f'Invalid quantity "{text}", interpreting as "{head}{rest[-1]}" '
                       "for backwards compatibility")
    if overflow and warning is None:
        warning = (f'Invalid quantity "{text}": value is out of range, using overflow result '
                   "for backwards compatibility")
    return Quantity(value % (UINT64_MAX + 1), warning)


def memory_limit_refused(value: int) -> bool:
    """``zend_set_memory_limit()`` refuses a limit below what the heap already holds."""
    return value != UNLIMITED and value < STARTUP_USAGE
