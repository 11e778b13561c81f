"""Text output: ``path:line: OOM201 [warning] message``, then related lines and the
arithmetic under it, and a footer naming `oomlint rule ID` for each rule that fired.
Every path, message and note is escaped (report/escape.py); more than `MAX_RELATED` related
lines or `MAX_TERMS` terms end in one ``… and N more`` line (JSON lists them all)."""

from __future__ import annotations

from oomlint.base.grammar.host import format_size
from oomlint.report._common import MAX_RELATED, display_of, more, term_table, text_where
from oomlint.report.escape import escape


def _size(n):
    return format_size(n) if n is not None else "unknown"


def render(result, catalog, **_) -> str:
    out = []
    for f in result.findings:
        show = display_of(result.shown, f.host)
        out.append(f"{text_where(show, f.loc)}: {f.rule} [{f.severity.value}] "
                   f"{escape(f.message)}")
        for r in f.related[:MAX_RELATED]:
            out.append(f"    {text_where(show, r.loc)}: {escape(r.note)}")
        out += more("    ", len(f.related) - MAX_RELATED)
        if f.calc is not None:
            c = f.calc
            footer = [(label, _size(value)) for label, value in
                      ((c.total_label, c.total), (c.limit_label, c.limit)) if value is not None]
            out += term_table(c.terms, show, indent="      ", cite="({})", footer=footer,
                              min_width=max(len(c.total_label), len(c.limit_label)))
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
