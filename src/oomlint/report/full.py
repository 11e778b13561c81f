"""Text output: ``path:line: OOM201 [warning] message``, then related lines and the
arithmetic under it, and a footer naming `oomlint rule ID` for each rule that fired.
Every path, message and note is escaped (report/escape.py); more than `MAX_RELATED` related
lines or `MAX_TERMS` terms end in one ``… and N more`` line (JSON lists them all)."""

from __future__ import annotations

from oomlint.base.grammar.host import format_size
from oomlint.report._common import (
    MAX_RELATED,
    counts_line,
    display_of,
    more,
    paint,
    term_table,
    text_where,
)
from oomlint.report.escape import escape


def _size(n):
    return format_size(n) if n is not None else "unknown"


def finding_line(f, show, color: bool = False) -> str:
    """``path:line: RULE [severity] message``: the first line of a finding in `full`, the
    only line in `concise`."""
    sev = f.severity.value
    return (f"{text_where(show, f.loc)}: {paint(f.rule, 'bold', color)} "
            f"[{paint(sev, sev, color)}] {escape(f.message)}")


def render(result, catalog, *, color: bool = False, quiet: bool = False, **_) -> str:
    out = []
    for f in result.findings:
        show = display_of(result.shown, f.host)
        out.append(finding_line(f, show, color))
        for r in f.related[:MAX_RELATED]:
            out.append(f"    {text_where(show, r.loc)}: {escape(r.note)}")
        out += more("    ", len(f.related) - MAX_RELATED)
        if f.calc is not None:
            c = f.calc
            footer = [(label, _size(value)) for label, value in
                      ((c.total_label, c.total), (c.limit_label, c.limit)) if value is not None]
            out += term_table(c.terms, show, indent="      ", cite="({})", footer=footer,
                              min_width=max(len(c.total_label), len(c.limit_label)))
    if quiet:
        return "".join(line + "\n" for line in out)
    configs = getattr(result, "configs", {}) or {}
    if configs:  # only when the hosts were checked with different configuration files
        out += ["", *(f"{escape(host)}: checked with {escape(configs[host])}"
                      for host in sorted(configs))]
    if result.findings:
        out.append("")
        out.append(counts_line(result, color))
        rules = sorted({f.rule for f in result.findings})
        names = ", ".join(f"{r} ({catalog[r].name})" if r in catalog else r for r in rules)
        out.append(f"Explain a rule with `oomlint rule ID`: {names}")
    else:
        out.append(counts_line(result, color))
    return "\n".join(out) + "\n"
