"""Suppression: inline pragmas (collected by the parsers) and config path ignores.

Nothing here changes a pragma: which pragmas silenced something is returned per run, so the
same host can be checked again (with another selection) and gets the answer of that run."""

from __future__ import annotations

from fnmatch import fnmatchcase

from oomlint.base.findings import Finding, Pragma, Suppressed
from oomlint.base.ids import UNUSED_SUPPRESSION
from oomlint.base.provenance import Loc
from oomlint.catalog import resolve_selector


def apply(findings: list[Finding], pragmas: list[Pragma], path_ignores, catalog,
          display=lambda p: p) -> tuple[list[Finding], list[Suppressed], set[int]]:
    """Split findings into kept and suppressed, and give the indexes (in `pragmas`) of the
    pragmas that silenced one. A per-path glob matches the path inside the tree
    (``etc/systemd/system/*.service``) or the path as shown (``hosts/db/etc/...``)."""
    kept, dropped, used = [], [], set()
    match = _pragma_index(pragmas, catalog)
    for f in findings:
        hit = match(f)
        if hit is not None:
            used.add(hit)
            p = pragmas[hit]
            dropped.append(Suppressed(f, p.reason, p.loc))
            continue
        glob = next((g for g, ids in path_ignores
                     if f.rule in ids and (fnmatchcase(f.loc.path, g)
                                           or fnmatchcase(display(f.loc.path), g))), None)
        if glob is not None:
            dropped.append(Suppressed(f, f"per-path-ignores: {glob}"))
            continue
        kept.append(f)
    return kept, dropped, used


def _pragma_index(pragmas: list[Pragma], catalog):
    """A function giving the index of the first pragma (in `pragmas` order) that silences a
    finding: one in its file with `disable-file=`, or a `disable=` aimed at its line, naming
    its rule. Indexed by file, line and rule, each pragma's rules resolved once: matching
    every finding against every pragma was quadratic, and a file can hold a million of each."""
    resolved: dict[str, set[str]] = {}
    first: dict[tuple[str, int | None, str], int] = {}
    for i, p in enumerate(pragmas):
        line = None if p.whole_file else p.target_line
        if line is None and not p.whole_file:
            continue  # no content line follows it: it covers nothing
        for token in p.rules:
            if token not in resolved:
                resolved[token] = resolve_selector(token, catalog)
            for rule in resolved[token]:
                first.setdefault((p.loc.path, line, rule), i)

    def match(f: Finding) -> int | None:
        hits = [h for h in (first.get((f.loc.path, None, f.rule)),
                            first.get((f.loc.path, f.loc.line, f.rule))) if h is not None]
        return min(hits) if hits else None

    return match


def unused(pragmas: list[Pragma], catalog, selected: set[str], used: set[int]) -> list[Finding]:
    """OOM090 findings: pragmas that name no rule, and pragmas that silenced nothing although
    a rule they name was run. A pragma whose rules were all left out of the selection
    cannot tell (its findings were never looked for), and a ``unit=`` pragma names no rule."""
    out = []
    resolved: dict[str, set[str]] = {}
    for i, p in enumerate(pragmas):
        for token in p.rules:
            if token not in resolved:
                resolved[token] = resolve_selector(token, catalog)
        unknown = [r for r in p.rules if not resolved[r]]
        if unknown:
            out.append(Finding(UNUSED_SUPPRESSION,
                               f"suppression names unknown rule(s): {', '.join(unknown)}",
                               Loc(p.loc.path, p.loc.line)))
        elif i not in used and any(resolved[r] & selected for r in p.rules):
            out.append(Finding(UNUSED_SUPPRESSION,
                               f"suppression of {', '.join(p.rules)} matched no finding",
                               Loc(p.loc.path, p.loc.line)))
    return out
