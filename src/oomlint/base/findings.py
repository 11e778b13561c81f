"""What a check reports: a `Finding`, with the arithmetic behind it when there is some."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from oomlint.base.provenance import Loc, Related
from oomlint.base.redact import shown


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
    catalogue's (or the configured) severity. `subject` is what the finding is about, stable
    when lines move or the message is reworded: the unit and setting (``("app.service",
    "OOMScoreAdjust")``), the sysctl (``("vm.overcommit_memory",)``), or nothing for a
    host-level finding or an input problem (OOM0xx)."""

    rule: str
    message: str
    loc: Loc
    subject: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    calc: Calc | None = None
    severity: Severity | None = None
    host: str = ""
    name: str = ""

    def sort_key(self, shown_path: str | None = None) -> tuple:
        """(host, path, line, rule, message); `shown_path` orders by the path as shown."""
        path = self.loc.path if shown_path is None else shown_path
        return (self.host, path, self.loc.line, self.rule, self.message)


def identity(f: Finding, host_id: str | None = None) -> tuple[str, ...]:
    """What a finding is about, as baselines match it: rule, host id, tree-relative path and
    subject; not the line, not the message. `host_id` is the host as the run's anchor names
    it (its directory relative to the configuration file's, or the current, directory:
    engine `Result.host_ids`), so that the shown host name, which depends on where oomlint
    was started, does not change it; without one, the shown host name."""
    return (f.rule, f.host if host_id is None else host_id, f.loc.path, *f.subject)


def fingerprint(f: Finding, host_id: str | None = None) -> str:
    """A finding's identity for baselines and SARIF partialFingerprints: `identity` hashed
    to 16 hex digits."""
    import hashlib  # only JSON, SARIF and baselines fingerprint: not imported by every run

    text = "\0".join(identity(f, host_id))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


@dataclass(frozen=True)
class Suppressed:
    """A finding silenced by a pragma or config, kept for JSON/SARIF with its reason."""

    finding: Finding
    justification: str = ""
    source: Loc | None = None


@dataclass
class Pragma:
    """One suppression comment: which rules, why, where, and the line it covers
    (0 for a whole-file pragma; None while the next content line is not yet known)."""

    rules: tuple[str, ...]
    reason: str
    loc: Loc
    target_line: int | None
    whole_file: bool = False
    unit: str | None = None  # `oomlint: unit=NAME`: the service this file configures


@dataclass
class Problems:
    """Input problems collected while reading (OOM0xx), as findings."""

    items: list[Finding] = field(default_factory=list)

    def add(self, rule: str, loc: Loc, message: str) -> None:
        self.items.append(Finding(rule, message, loc))


def internal_error(what: str, exc: Exception, consequence: str = "") -> Finding:
    """OOM099 for an exception inside oomlint (a model step or a check): where it failed,
    without reading source files; the engine makes it exit code 2. The exception's text is
    clipped and masked: it may quote the input (``invalid literal for int(): '...'``)."""
    import traceback  # only for a failing step: not imported by every run

    from oomlint.base.ids import INTERNAL_ERROR

    tb = traceback.StackSummary.extract(traceback.walk_tb(exc.__traceback__),
                                        lookup_lines=False)[-1]
    return Finding(INTERNAL_ERROR, f"{what} failed: {type(exc).__name__}: {shown(str(exc))} "
                   f"({tb.filename.rsplit('/', 1)[-1]}:{tb.lineno}); "
                   f"{consequence + '; ' if consequence else ''}please report this", Loc(".", 0))
