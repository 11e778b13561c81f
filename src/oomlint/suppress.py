"""Suppression: inline pragmas (collected by the parsers) and config path ignores."""

from __future__ import annotations

from fnmatch import fnmatchcase

from oomlint.catalog import resolve_selector
from oomlint.findings import Finding, Suppressed
from oomlint.parsers.pragma import Pragma
from oomlint.provenance import Loc

UNUSED_SUPPRESSION = "OOM090"


def apply(findings: list[Finding], pragmas: list[Pragma], path_ignores, catalog,
          display=lambda p: p) -> tuple[list[Finding], list[Suppressed]]:
    """Split findings into kept and suppressed. A per-path glob matches the path inside the
    tree (``etc/systemd/system/*.service``) or the path as shown (``hosts/db/etc/...``)."""
    kept, dropped = [], []
    for f in findings:
        hit = _matching_pragma(f, pragmas, catalog)
        if hit is not None:
            hit.used = True
            dropped.append(Suppressed(f, hit.reason, hit.loc))
            continue
        glob = next((g for g, ids in path_ignores
                     if f.rule in ids and (fnmatchcase(f.loc.path, g)
                                           or fnmatchcase(display(f.loc.path), g))), None)
        if glob is not None:
            dropped.append(Suppressed(f, f"per-path-ignores: {glob}"))
            continue
        kept.append(f)
    return kept, dropped


def _matching_pragma(f: Finding, pragmas: list[Pragma], catalog) -> Pragma | None:
    for p in pragmas:
        if p.loc.path != f.loc.path:
            continue
        if not (p.whole_file or p.target_line == f.loc.line):
            continue
        if any(f.rule in resolve_selector(r, catalog) for r in p.rules):
            return p
    return None


def unused(pragmas: list[Pragma], catalog) -> list[Finding]:
    """OOM090 findings: pragmas that silenced nothing or name no rule."""
    out = []
    for p in pragmas:
        unknown = [r for r in p.rules if not resolve_selector(r, catalog)]
        if unknown:
            out.append(Finding(UNUSED_SUPPRESSION,
                               f"suppression names unknown rule(s): {', '.join(unknown)}",
                               Loc(p.loc.path, p.loc.line)))
        elif not p.used:
            out.append(Finding(UNUSED_SUPPRESSION,
                               f"suppression of {', '.join(p.rules)} matched no finding",
                               Loc(p.loc.path, p.loc.line)))
    return out
