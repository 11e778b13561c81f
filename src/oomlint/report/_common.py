"""What every formatter shares: the one place a tree-relative location is shown as the
user sees it, and the term table that shows a calculation line by line."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from oomlint.base.findings import Term
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Loc

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


def term_table(terms: Sequence[Term], display: Display, *, indent: str, cite: str = "{}",
               footer: Sequence[tuple[str, str]] = (), min_width: int = 0) -> list[str]:
    """One line per term: label, size right-aligned in 12 columns, then where it was set
    (``cite`` formats it: ``({})`` in findings, ``{}`` in the budget). Then the `footer`
    rows (label, value already formatted). Labels are padded to the longest term label, or
    to `min_width` when that is wider."""
    width = max([len(t.label) for t in terms] + [min_width])
    rows = [(t.label, format_size(t.bytes) if t.bytes is not None else "",
             "  " + cite.format(where(display, t.loc)) if t.loc and t.loc.line else "")
            for t in terms]
    rows += [(label, value, "") for label, value in footer]
    return [f"{indent}{label:<{width}}  {value:>12}{src}" for label, value, src in rows]
