"""Suppression: inline pragmas (collected by the parsers) and config path ignores."""

from __future__ import annotations

from fnmatch import fnmatchcase

from oomlint.base.findings import Finding, Pragma, Suppressed
from oomlint.base.ids import UNUSED_SUPPRESSION
from oomlint.base.provenance import Loc
from oomlint.catalog import resolve_selector


def apply(findings: list[Finding], pragmas: list[Pragma], path_ignores, catalog,
          display=lambda p: p) -> tuple[list[Finding], list[Suppressed]]:
    """Split findings into kept and suppressed. A per-path glob matches the path inside the
    tree (``etc/systemd/system/*.service``) or the path as shown (``hosts/db/etc/...``)."""
    kept, dropped = [], []
    match = _pragma_index(pragmas, catalog)
    for f in findings:
        hit = match(f)
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


def _pragma_index(pragmas: list[Pragma], catalog):
    """A function giving the first pragma (in `pragmas` order) that silences a finding: one
    in its file with `disable-file=`, or a `disable=` aimed at its line, naming its rule.
    Indexed by file, line and rule, each pragma's rules resolved once: matching every
    finding against every pragma was quadratic, and a file can hold a million of each."""
    resolved: dict[str, set[str]] = {}
    first: dict[tuple[str, int | None, str], tuple[int, Pragma]] = {}
    for i, p in enumerate(pragmas):
        line = None if p.whole_file else p.target_line
        if line is None and not p.whole_file:
            continue  # no content line follows it: it covers nothing
        for token in p.rules:
            if token not in resolved:
                resolved[token] = resolve_selector(token, catalog)
            for rule in resolved[token]:
                first.setdefault((p.loc.path, line, rule), (i, p))

    def match(f: Finding) -> Pragma | None:
        hits = [h for h in (first.get((f.loc.path, None, f.rule)),
                            first.get((f.loc.path, f.loc.line, f.rule))) if h is not None]
        return min(hits, key=lambda h: h[0])[1] if hits else None

    return match


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
