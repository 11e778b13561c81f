"""What a check reports: a `Finding`, with the arithmetic behind it when there is some."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from oomlint.provenance import Loc, Related


class Severity(str, Enum):
    """The one severity scale. SARIF levels are mapped from it in report/sarif.py only."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Term:
    """One line of the arithmetic: a labelled value in bytes and where it came from."""

    label: str
    bytes: int | None
    loc: Loc | None = None


@dataclass(frozen=True)
class Calc:
    """The arithmetic behind a finding: terms, their total, and what it is compared with."""

    terms: tuple[Term, ...]
    total: int | None = None
    total_label: str = "total"
    limit: int | None = None
    limit_label: str = "limit"


@dataclass(frozen=True)
class Finding:
    """One problem. Checks create findings with ``severity=None``; the engine stamps the
    catalogue's (or the configured) severity."""

    rule: str
    message: str
    loc: Loc
    related: tuple[Related, ...] = ()
    calc: Calc | None = None
    severity: Severity | None = None
    host: str = ""
    name: str = ""

    def sort_key(self) -> tuple:
        return (self.host, self.loc.path, self.loc.line, self.rule, self.message)


@dataclass(frozen=True)
class Suppressed:
    """A finding silenced by a pragma or config, kept for JSON/SARIF with its reason."""

    finding: Finding
    justification: str = ""
    source: Loc | None = None


@dataclass
class Problems:
    """Input problems collected while reading (OOM0xx), as findings."""

    items: list[Finding] = field(default_factory=list)

    def add(self, rule: str, loc: Loc, message: str) -> None:
        self.items.append(Finding(rule, message, loc))
