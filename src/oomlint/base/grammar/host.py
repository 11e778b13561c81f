"""oomlint's own size grammar (--ram, --swap, config `ram` and `swap`) and how sizes are
shown to the user.
"""

from __future__ import annotations

import re

from oomlint.base.grammar.c import GIB, KIB, MIB, UINT64_MAX, GrammarError
from oomlint.base.redact import shown

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
        raise GrammarError(f"'{shown(text)}' is not a size (try 8G, 512M or a byte count)")
    value = float(m.group(1)) * _HUMAN_FACTORS[m.group(2).lower()]
    if value > UINT64_MAX:
        raise GrammarError(f"'{shown(text)}' is larger than any host")
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
