"""Text output: ``path:line: OOM201 [warning] message``, then related lines and the
arithmetic under it, and a footer naming `oomlint rule ID` for each rule that fired."""

from __future__ import annotations

from oomlint.base.grammar.host import format_size


def _size(n):
    return format_size(n) if n is not None else "unknown"


def render(result, catalog, **_) -> str:
    out = []
    for f in result.findings:
        where = f"{f.loc.path}:{f.loc.line}" if f.loc.line else f.loc.path
        out.append(f"{where}: {f.rule} [{f.severity.value}] {f.message}")
        for r in f.related:
            rwhere = f"{r.loc.path}:{r.loc.line}" if r.loc.line else r.loc.path
            out.append(f"    {rwhere}: {r.note}")
        if f.calc is not None:
            c = f.calc
            width = max([len(t.label) for t in c.terms] + [len(c.total_label), len(c.limit_label)])
            for t in c.terms:
                src = f"  ({t.loc.path}:{t.loc.line})" if t.loc and t.loc.line else ""
                value = _size(t.bytes) if t.bytes is not None else ""
                out.append(f"      {t.label:<{width}}  {value:>12}{src}")
            if c.total is not None:
                out.append(f"      {c.total_label:<{width}}  {_size(c.total):>12}")
            if c.limit is not None:
                out.append(f"      {c.limit_label:<{width}}  {_size(c.limit):>12}")
    counts = {s: sum(1 for f in result.findings if f.severity.value == s)
              for s in ("error", "warning", "info")}
    total = len(result.findings)
    if total:
        out.append("")
        parts = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        out.append(f"{total} finding{'s' if total != 1 else ''} ({parts})"
                   + (f", {len(result.suppressed)} suppressed" if result.suppressed else ""))
        rules = sorted({f.rule for f in result.findings})
        names = ", ".join(f"{r} ({catalog[r].name})" if r in catalog else r for r in rules)
        out.append(f"Explain a rule with `oomlint rule ID`: {names}")
    else:
        out.append("No findings." + (f" {len(result.suppressed)} suppressed."
                                      if result.suppressed else ""))
    return "\n".join(out) + "\n"
