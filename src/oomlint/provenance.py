"""Positions and provenance: the only place a location in a checked file is defined.

Every value oomlint reads keeps the file and line it came from (`Loc`) and, once the model
has resolved precedence, the assignments it shadowed (`Setting.overrides`). A finding can
then point at the exact line to change and name the lines that lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Loc:
    """A place in a checked file.

    `path` is the file's path as it appears inside the checked root (POSIX separators, no
    leading slash, e.g. ``etc/systemd/system/app.service``). `line` is 1-based; 0 means the
    whole file (a finding about a file that is missing or unreadable as a whole).
    """

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Related:
    """A secondary location that contributed to a finding."""

    loc: Loc
    note: str


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One effective value: canonical key, the text as written, the parsed value, where it
    was set, and the earlier assignments it overrode (oldest first)."""

    key: str
    raw: str
    value: T
    loc: Loc
    overrides: tuple[Setting[T], ...] = field(default=())

    def overriding(self, earlier: Setting[T] | None) -> Setting[T]:
        """Return this setting with `earlier` (and everything it shadowed) recorded as
        overridden."""
        if earlier is None:
            return self
        chain = (*earlier.overrides, earlier)
        return Setting(self.key, self.raw, self.value, self.loc, chain)

    def related(self, note: str = "overridden") -> tuple[Related, ...]:
        """The shadowed assignments as related locations, for a finding's message."""
        return tuple(Related(s.loc, f"{note}: {s.key}={s.raw}") for s in self.overrides)
