"""What every formatter shares: the one place a tree-relative location is shown as the
user sees it, the term table that shows a calculation line by line, and the caps on long
lists in text output (JSON stays complete). Text formatters show every string taken from
input through `escape` (report/escape.py), once, here or where they print it."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from oomlint.base.findings import Term
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Loc
from oomlint.report.escape import escape

MAX_RELATED = 20  # related lines shown under a finding in text
MAX_TERMS = 30  # term rows of one table in text

Display = Callable[[str], str]  # a host's tree-relative path -> the path shown for it


def _as_is(path: str) -> str:
    return path


def display_of(shown: Mapping[str, Display], host: str) -> Display:
    """How the paths of `host` are shown (as they are when the run did not say)."""
    return shown.get(host, _as_is)


def where(display: Display, loc: Loc, *, line: bool = True) -> str:
    """A location as shown: the host's display of its tree path, then ``:line`` when it has
    one (and `line` is asked for). The only place a shown path is made."""
    path = display(loc.path)
    return f"{path}:{loc.line}" if line and loc.line else path


def text_where(display: Display, loc: Loc) -> str:
    """`where` as text output shows it: escaped, and safe to begin a line with."""
    return escape(where(display, loc), line_start=True)


def more(indent: str, hidden: int) -> list[str]:
    """The line that stands for `hidden` rows a text list leaves out."""
    return [f"{indent}… and {hidden} more"] if hidden > 0 else []


def term_table(terms: Sequence[Term], display: Display, *, indent: str, cite: str = "{}",
               footer: Sequence[tuple[str, str]] = (), min_width: int = 0) -> list[str]:
    """One line per term: label, size right-aligned in 12 columns, then where it was set
    (``cite`` formats it: ``({})`` in findings, ``{}`` in the budget). Then the `footer`
    rows (label, value already formatted). Labels (escaped) are padded to the longest label
    shown, or to `min_width` when that is wider. Beyond `MAX_TERMS` terms one line says how
    many more there are, before the footer."""
    shown = terms[:MAX_TERMS]
    labels = [escape(t.label) for t in shown]
    width = max([len(label) for label in labels] + [min_width])
    rows = [(label, format_size(t.bytes) if t.bytes is not None else "",
             "  " + cite.format(text_where(display, t.loc)) if t.loc and t.loc.line else "")
            for label, t in zip(labels, shown)]
    lines = [f"{indent}{label:<{width}}  {value:>12}{src}" for label, value, src in rows]
    lines += more(indent, len(terms) - len(shown))
    return lines + [f"{indent}{escape(label):<{width}}  {value:>12}" for label, value in footer]


# Colour for text formats, on our own tokens only (never on text from input): the CLI turns
# it on for a terminal unless NO_COLOR is set, or with --color=always.
_STYLES = {"error": "1;31", "warning": "1;33", "info": "1;36", "bold": "1", "dim": "2"}


def paint(text: str, style: str, color: bool) -> str:
    """`text` in the SGR `style` when `color`, else as it is."""
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m" if color else text


def counts_line(result, color: bool = False) -> str:
    """The closing line of a text report: how many findings by severity, then how many were
    suppressed, baselined, and how many baseline entries matched nothing (stale)."""
    findings = result.findings
    stale = len(getattr(result, "stale", ()))
    extra = [f"{n} {what}" for n, what in
             ((len(result.suppressed), "suppressed"),
              (len(getattr(result, "baselined", ())), "baselined"),
              (stale, "stale baseline entry" if stale == 1 else "stale baseline entries")) if n]
    if not findings:
        return "No findings." + (f" {', '.join(extra)}." if extra else "")
    counts = {s: sum(1 for f in findings if f.severity.value == s)
              for s in ("error", "warning", "info")}
    parts = ", ".join(f"{n} {paint(s, s, color)}" for s, n in counts.items() if n)
    total = len(findings)
    return (f"{total} finding{'s' if total != 1 else ''} ({parts})"
            + (f", {', '.join(extra)}" if extra else ""))
