"""Positions and provenance: the only place a location in a checked file is defined.

Every value oomlint reads keeps the file and line it came from (`Loc`) and, once the model
has resolved precedence, the assignments it shadowed (`Setting.overrides`). A finding can
then point at the exact line to change and name the lines that lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Generic, Iterable, Iterator, TypeVar

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


class Chain(Sequence):
    """An immutable sequence that grows at the end in O(1): `plus` shares the storage of
    the newest version instead of copying it (an older version copies its prefix first).

    Override chains and list values grow by one per assignment; rebuilding a tuple each
    time costs O(n²) for a key assigned n times, and a 16 MiB file of ``a=1`` lines took
    minutes and tens of gigabytes. Compares and hashes like the tuple of its items."""

    __slots__ = ("_items", "_len")

    def __init__(self, items: Iterable[Any] = ()):
        self._items = list(items)
        self._len = len(self._items)

    def plus(self, item: Any) -> Chain:
        items = self._items if self._len == len(self._items) else self._items[: self._len]
        items.append(item)
        new = Chain.__new__(Chain)
        new._items, new._len = items, self._len + 1
        return new

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self._items[: self._len][index])
        i = index + self._len if index < 0 else index
        if not 0 <= i < self._len:
            raise IndexError("Chain index out of range")
        return self._items[i]

    def __iter__(self) -> Iterator[Any]:
        return islice(self._items, self._len)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Chain, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One effective value: canonical key, the text as written, the parsed value, where it
    was set, and the earlier assignments it overrode (oldest first)."""

    key: str
    raw: str
    value: T
    loc: Loc
    overrides: Sequence[Setting[T]] = field(default=())

    def overriding(self, earlier: Setting[T] | None) -> Setting[T]:
        """Return this setting with `earlier` (and everything it shadowed) recorded as
        overridden, in O(1) (a `Chain`)."""
        if earlier is None:
            return self
        before = earlier.overrides
        chain = (before if isinstance(before, Chain) else Chain(before)).plus(earlier)
        return Setting(self.key, self.raw, self.value, self.loc, chain)

    def related(self, note: str = "overridden") -> tuple[Related, ...]:
        """The shadowed assignments as related locations, for a finding's message."""
        return tuple(Related(s.loc, f"{note}: {s.key}={s.raw}") for s in self.overrides)
