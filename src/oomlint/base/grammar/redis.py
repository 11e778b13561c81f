"""redis.conf's memory value grammar (Redis 7 src/util.c ``memtoull()``, used by every
``MEMORY_CONFIG`` such as maxmemory), the same in Valkey.

Verified against redis-server 7.0 (tests/data/phpredis/recorded.yaml): digits, then an
optional unit compared case-insensitively: ``b``; ``k`` = 1000, ``kb`` = 1024; ``m`` = 10⁶,
``mb`` = 2²⁰; ``g`` = 10⁹, ``gb`` = 2³⁰. Anything else (``1.5g``, ``1TB``, ``-1``) is
refused: "argument must be a memory value", and redis-server does not start.
"""

from __future__ import annotations

import re

from oomlint.base.grammar.c import UINT64_MAX, GrammarError
from oomlint.base.redact import shown

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2,
          "g": 1000**3, "gb": 1024**3}
_MEMORY = re.compile(r"([0-9]{1,40})([A-Za-z]{0,2})")


def redis_memory(text: str) -> int:
    """Bytes for a redis.conf memory value; GrammarError when redis-server refuses it."""
    m = _MEMORY.fullmatch(text)
    unit = _UNITS.get(m.group(2).lower()) if m else None
    if m is None or unit is None:
        raise GrammarError(f"'{shown(text, 40)}': argument must be a memory value")
    value = int(m.group(1)) * unit
    if value > UINT64_MAX:
        raise GrammarError(f"'{shown(text, 40)}': argument must be a memory value")
    return value


MAXMEMORY_POLICIES = ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                      "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction")


def redis_bool(text: str) -> bool | None:
    """yes/no (case-insensitive), None when redis-server refuses the value."""
    return {"yes": True, "no": False}.get(text.lower())
