"""The memory budget as data: what `oomlint budget` prints and the OOM1xx rules compare.

Pure records (like findings.py), so formatters can render them without knowing the model.
Every term keeps the file and line its value came from (None for a default or an assumption).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oomlint.findings import Term
from oomlint.provenance import Loc


@dataclass(frozen=True)
class ServiceBudget:
    """One service's worst case: `worst_case` is None when nothing bounds it."""

    name: str
    kind: str  # "mysql" | "postgresql" | "jvm" | "unit" | "slice"
    worst_case: int | None
    loc: Loc  # where a finding about this service points
    terms: tuple[Term, ...] = ()
    tiers: dict[str, int] = field(default_factory=dict)
    limit: int | None = None  # effective MemoryMax (unit or slice), bytes
    limit_loc: Loc | None = None
    settings: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    unit: str | None = None
    focus: Loc | None = None  # the line that drives the worst case: the first one to change


@dataclass(frozen=True)
class HostBudget:
    name: str
    ram: int | None
    swap: int | None
    services: tuple[ServiceBudget, ...]
    hugepages: int = 0
    hugepages_loc: Loc | None = None
    commit_limit: int | None = None  # only when vm.overcommit_memory=2
    hugepages_used: int = 0  # PostgreSQL shared memory that lives inside the pool

    @property
    def total(self) -> int:
        """Sum of the bounded services' worst cases plus the reserved hugetlb pool, counting
        shared memory that lives in the pool once."""
        services = sum(s.worst_case for s in self.services if s.worst_case is not None)
        return services + self.hugepages - self.hugepages_used

    @property
    def committed(self) -> int:
        """What strict overcommit charges: hugetlb pages are not commit-accounted
        (Documentation/mm/overcommit-accounting.rst), and CommitLimit already excludes the
        pool."""
        return self.total - self.hugepages

    @property
    def unbounded(self) -> tuple[ServiceBudget, ...]:
        return tuple(s for s in self.services if s.worst_case is None)
