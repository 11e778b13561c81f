"""The directive table systemd knows, shipped as data (src/oomlint/data/systemd_directives.txt)."""

from __future__ import annotations

from functools import lru_cache

from oomlint.base.package_data import package_text


@lru_cache(maxsize=1)
def known_directives() -> frozenset[str]:
    """``Section.Key`` pairs systemd accepts (252 plus later additions)."""
    text = package_text("systemd_directives.txt")
    out = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(line)
    return frozenset(out)


def is_known(section: str, key: str) -> bool:
    return f"{section}.{key}" in known_directives()


@lru_cache(maxsize=1)
def _sections_by_key() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for d in known_directives():
        section, _, key = d.partition(".")
        index.setdefault(key, []).append(section)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def sections_for(key: str) -> list[str]:
    """Sections in which `key` is a valid directive (an index lookup: a unit file can hold
    a million unknown keys, and scanning the table for each took minutes)."""
    return list(_sections_by_key().get(key, ()))


SECTIONS_BY_TYPE = {
    "service": ("Unit", "Service", "Install"),
    "socket": ("Unit", "Socket", "Install"),
    "mount": ("Unit", "Mount", "Install"),
    "automount": ("Unit", "Automount", "Install"),
    "swap": ("Unit", "Swap", "Install"),
    "timer": ("Unit", "Timer", "Install"),
    "path": ("Unit", "Path", "Install"),
    "slice": ("Unit", "Slice", "Install"),
    "scope": ("Unit", "Scope", "Install"),
    "target": ("Unit", "Install"),
    "device": ("Unit", "Install"),
}
UNIT_TYPES = frozenset(SECTIONS_BY_TYPE)
