"""`--format concise`: one line per finding, ``path:line: OOM201 [warning] message`` (the
first line of `full`, without related lines or arithmetic), then the counts line; and
`--statistics`: one line per rule that fired, with how many times. Paths and messages are
escaped (report/escape.py) and no line begins with text from input."""

from __future__ import annotations

from collections import Counter

from oomlint.report._common import counts_line, display_of, paint
from oomlint.report.full import finding_line


def render(result, catalog, *, color: bool = False, quiet: bool = False, **_) -> str:
    out = [finding_line(f, display_of(result.shown, f.host), color) for f in result.findings]
    if not quiet:
        out.append(counts_line(result, color))
    return "".join(line + "\n" for line in out)


def render_statistics(result, catalog, *, color: bool = False, quiet: bool = False, **_) -> str:
    """Per rule that fired: count, id, name and severity, most frequent first (then by id)."""
    counts = Counter(f.rule for f in result.findings)
    severity = {f.rule: f.severity.value for f in result.findings}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    width = max((len(str(n)) for n in counts.values()), default=1)
    out = []
    for rule, n in rows:
        name = catalog[rule].name if rule in catalog else ""
        sev = severity[rule]
        out.append(f"{n:>{width}}  {paint(rule, 'bold', color)}  {name}  "
                   f"[{paint(sev, sev, color)}]".rstrip())
    if not quiet:
        out.append(counts_line(result, color))
    return "".join(line + "\n" for line in out)
