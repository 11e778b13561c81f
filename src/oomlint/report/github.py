"""`--format github`: GitHub Actions workflow commands, one annotation per finding:

    ::warning file=PATH,line=N,title=OOM201 unkillable-service::MESSAGE

error -> ``::error``, warning -> ``::warning``, info -> ``::notice``; ``line=`` only when the
finding has a line. The message carries the arithmetic as further lines (``%0A``). Every
value from input is escaped once (report/escape.py: `github_property` for ``file=`` and
``title=``, `github_data` for the message), so nothing in a path or message can end the
command or start another; each line of the output begins with ``::``, never with input."""

from __future__ import annotations

from oomlint.base.grammar.host import format_size
from oomlint.report._common import MAX_TERMS, display_of, where
from oomlint.report.escape import github_lines, github_property

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _lines(f, show) -> list[str]:
    lines = [f.message]
    if f.calc is not None:
        c = f.calc
        for t in c.terms[:MAX_TERMS]:
            size = format_size(t.bytes) if t.bytes is not None else ""
            src = f" ({where(show, t.loc)})" if t.loc and t.loc.line else ""
            lines.append(f"  {t.label}{': ' + size if size else ''}{src}")
        if len(c.terms) > MAX_TERMS:
            lines.append(f"  … and {len(c.terms) - MAX_TERMS} more")
        for label, value in ((c.total_label, c.total), (c.limit_label, c.limit)):
            if value is not None:
                lines.append(f"  {label}: {format_size(value)}")
    return lines


def render(result, catalog, **_) -> str:
    out = []
    for f in result.findings:
        show = display_of(result.shown, f.host)
        props = [f"file={github_property(where(show, f.loc, line=False))}"]
        if f.loc.line:
            props.append(f"line={f.loc.line}")
        title = f"{f.rule} {f.name}" if f.name else f.rule
        props.append(f"title={github_property(title)}")
        level = COMMAND[f.severity.value] if f.severity else "error"
        out.append(f"::{level} {','.join(props)}::{github_lines(_lines(f, show))}\n")
    return "".join(out)
