"""Positions and provenance: the only place a location in a checked file is defined.

Every value oomlint reads keeps the file and line it came from (`Loc`) and, once the model
has resolved precedence, the assignments it shadowed (`Setting.overrides`). A finding can
then point at the exact line to change and name the lines that lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import FrozenInstanceError, dataclass, field
from functools import total_ordering
from itertools import islice
from typing import Any, Generic, Iterable, Iterator, TypeVar

T = TypeVar("T")


@total_ordering
class Loc:
    """A place in a checked file.

    `path` is the file's path as it appears inside the checked root (POSIX separators, no
    leading slash, e.g. ``etc/systemd/system/app.service``). `line` is 1-based; 0 means the
    whole file (a finding about a file that is missing or unreadable as a whole).

    Immutable, compared and ordered by (path, line) like the frozen dataclass it was, with
    `__slots__`: every record and setting carries one, and a host of 100 000 units has
    hundreds of thousands (Python 3.9 has no ``dataclass(slots=True)``)."""

    __slots__ = ("path", "line")

    def __init__(self, path: str, line: int = 0):
        _set_path(self, path)
        _set_line(self, line)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self):
        return (Loc, (self.path, self.line))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Loc:
            return NotImplemented
        return self.path == other.path and self.line == other.line  # type: ignore[attr-defined]

    def __lt__(self, other: Loc) -> bool:
        if other.__class__ is not Loc:
            return NotImplemented
        return (self.path, self.line) < (other.path, other.line)

    def __hash__(self) -> int:
        return hash((self.path, self.line))

    def __repr__(self) -> str:
        return f"Loc(path={self.path!r}, line={self.line!r})"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


# The slots' own setters: a Loc is made for every record, and object.__setattr__ (which looks
# the slot up by name each time) made its construction three times as slow.
_set_path = Loc.path.__set__  # type: ignore[attr-defined]
_set_line = Loc.line.__set__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Related:
    """A secondary location that contributed to a finding."""

    loc: Loc
    note: str


MAX_OVERRIDDEN = 100  # overridden assignments a Setting keeps; older ones are only counted


class Chain(Sequence):
    """An immutable sequence that grows at the end in O(1): `plus` shares the storage of
    the newest version instead of copying it (an older version copies its prefix first).

    Override chains and list values grow by one per assignment; rebuilding a tuple each
    time costs O(n²) for a key assigned n times, and a 16 MiB file of ``a=1`` lines took
    minutes and tens of gigabytes. With a `limit`, only the newest `limit` items are kept
    and `dropped` counts the older ones, so a key assigned a million times costs no more
    than one assigned `limit` times. Compares and hashes like the tuple of its items."""

    __slots__ = ("_items", "_start", "_len", "limit", "dropped")

    def __init__(self, items: Iterable[Any] = (), limit: int | None = None, dropped: int = 0):
        self._items = list(items)
        self._len = len(self._items)
        self._start = 0
        self.limit = limit
        self.dropped = dropped
        if limit is not None and self._len > limit:
            self._start = self._len - limit
            self.dropped += self._start

    def plus(self, item: Any) -> Chain:
        if self._len == len(self._items):
            items, start, end = self._items, self._start, self._len
        else:  # an older version: copy the part it sees before growing
            items, start, end = self._items[self._start: self._len], 0, self._len - self._start
        items.append(item)
        end += 1
        dropped = self.dropped
        if self.limit is not None and end - start > self.limit:
            start += 1
            dropped += 1
            if start >= self.limit:  # the dead prefix is as long as the kept part: reclaim it
                items, start, end = items[start:end], 0, end - start
        new = Chain.__new__(Chain)
        new._items, new._start, new._len, new.limit, new.dropped = items, start, end, \
            self.limit, dropped
        return new

    def plus_dropped(self, count: int) -> Chain:
        """The same items, with `count` more older ones counted as dropped."""
        new = Chain.__new__(Chain)
        new._items, new._start, new._len, new.limit, new.dropped = self._items, self._start, \
            self._len, self.limit, self.dropped + count
        return new

    def __len__(self) -> int:
        return self._len - self._start

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self._items[self._start: self._len][index])
        n = self._len - self._start
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError("Chain index out of range")
        return self._items[self._start + i]

    def __iter__(self) -> Iterator[Any]:
        return islice(self._items, self._start, self._len)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Chain, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


@dataclass(frozen=True, init=False)
class Setting(Generic[T]):
    """One effective value: canonical key, the text as written, the parsed value, where it
    was set, and the earlier assignments it overrode (oldest first; the newest
    `MAX_OVERRIDDEN` of them, `dropped` counts the older ones)."""

    key: str
    raw: str
    value: T
    loc: Loc
    overrides: Sequence[Setting[T]] = field(default=())

    def __init__(self, key: str, raw: str, value: T, loc: Loc,
                 overrides: Sequence[Setting[T]] = ()):
        # The frozen dataclass's own __init__, without its object.__setattr__ per field
        # (2.3 times as slow): a model holds a Setting for every directive of every unit.
        d = self.__dict__
        d["key"], d["raw"], d["value"], d["loc"], d["overrides"] = key, raw, value, loc, overrides

    def overriding(self, earlier: Setting[T] | None) -> Setting[T]:
        """Return this setting with `earlier` (and everything it shadowed) recorded as
        overridden, in O(1) (a `Chain`)."""
        if earlier is None:
            return self
        before = earlier.overrides
        if not isinstance(before, Chain) or before.limit != MAX_OVERRIDDEN:
            before = Chain(before, MAX_OVERRIDDEN)
        return Setting(self.key, self.raw, self.value, self.loc, before.plus(earlier))

    def plus_dropped(self, count: int) -> Setting[T]:
        """This setting with `count` more overridden assignments counted but not kept (a
        parser that bounded a pathological file's repeats of one key)."""
        if count <= 0:
            return self
        before = self.overrides
        if not isinstance(before, Chain) or before.limit != MAX_OVERRIDDEN:
            before = Chain(before, MAX_OVERRIDDEN)
        return Setting(self.key, self.raw, self.value, self.loc, before.plus_dropped(count))

    @property
    def dropped(self) -> int:
        """How many overridden assignments were counted but not kept."""
        return getattr(self.overrides, "dropped", 0)

    def related(self, note: str = "overridden") -> tuple[Related, ...]:
        """The shadowed assignments as related locations, for a finding's message (with a
        count of the older ones not kept, at the oldest kept one)."""
        kept = tuple(Related(s.loc, f"{note}: {s.key}={s.raw}") for s in self.overrides)
        if self.dropped and kept:
            kept = (Related(kept[0].loc, f"{note}: {self.dropped} earlier assignments of "
                            f"{self.key} (not kept)"),) + kept
        return kept
