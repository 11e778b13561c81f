"""`oomlint budget` as text: per host, each service's worst case, its cap, the total against
RAM, RAM + swap and CommitLimit, and the arithmetic line by line. Host, service and unit
names and notes are escaped (report/escape.py); the service table is complete, a service's
term list ends in one ``… and N more`` line beyond `MAX_TERMS` (JSON lists them all)."""

from __future__ import annotations

from oomlint.base.grammar.host import format_size
from oomlint.report._common import display_of, term_table, where
from oomlint.report.escape import escape


def _size(n):
    return format_size(n) if n is not None else "unbounded"


def _counted(s) -> str:
    """What the host's sum counts for the service (analysis/budget.py `counted`)."""
    if s.permission:
        return "not summed (cap only)"
    if s.within is not None:
        return f"in {escape(s.within)}"
    return _size(s.counted)


# How an input finding changes what the budget counts (analysis/budget.py `unread_inputs`):
# OOM001, OOM002 and OOM006 mean the file was not read at all.
_NOT_READ = "not counted: {path} could not be read"
_UNREAD = {"OOM003": "may be miscounted: {path} is not valid UTF-8",
           "OOM004": "partly counted: {path} was only partly read",
           "OOM008": "nothing counted: nothing oomlint reads was found in {path}"}


def _unread(show, u) -> str:
    text = _UNREAD.get(u.rule, _NOT_READ).format(path=where(show, u.loc, line=False))
    text = f"{text} ({u.rule})" if u.rule == "OOM008" else f"{text} ({u.rule}: {u.message})"
    return escape(text)


def render(budgets, shown=None, **_) -> str:
    out = []
    for b in budgets:
        show = display_of(shown or {}, b.name)
        ram = format_size(b.ram) if b.ram is not None else "unknown (pass --ram)"
        swap = format_size(b.swap) if b.swap is not None else "unknown"
        out.append(f"{escape(b.name, line_start=True)}: RAM {ram}, swap {swap}")
        out.append("")
        rows = [("service", "kind", "worst case", "cap (MemoryMax)", "counted", "share of RAM")]
        for s in b.services:
            share = f"{s.counted * 100 / b.ram:.0f}%" if b.ram and s.counted else ""
            rows.append((escape(s.name), escape(s.kind), _size(s.worst_case),
                         format_size(s.limit) if s.limit is not None else "none",
                         _counted(s), share))
        if b.hugepages:
            rows.append(("hugetlb pool", "kernel", format_size(b.hugepages), "",
                         format_size(b.hugepages), ""))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            out.append("  " + "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        out.append("")
        extra = [f"+ {len(b.unbounded)} unbounded"] if b.unbounded else []
        if b.permissions:
            extra.append(f"{len(b.permissions)} cap-only not summed")
        if b.uncapped_total != b.total:
            extra.append(f"uncapped {format_size(b.uncapped_total)}")
        out.append(f"  total worst case  {format_size(b.total)}"
                   + (f" ({', '.join(extra)})" if extra else "")
                   + (" (incomplete: see the notes below)" if b.unread else ""))
        if b.ram is not None:
            out.append(f"  vs RAM            {format_size(b.ram)}  "
                       f"({b.total * 100 / b.ram:.0f}% of RAM)")
            if b.swap is not None:
                out.append(f"  vs RAM + swap     {format_size(b.ram + b.swap)}")
        if b.commit_limit is not None:
            out.append(f"  vs CommitLimit    {format_size(b.commit_limit)}  "
                       "(vm.overcommit_memory=2)")
        for u in b.unread:
            out.append(f"  note: {_unread(show, u)}")
        for s in b.services:
            if not s.terms:
                continue
            out.append("")
            out.append(f"  {escape(s.name)} ({escape(s.kind)})")
            footer = [("= worst case", _size(s.worst_case)),
                      *((f"tier {name}", format_size(value)) for name, value in s.tiers.items())]
            out += term_table(s.terms, show, indent="    ", footer=footer)
            if s.stress_terms:
                out.append("    the stress tier adds:")
                out += term_table(s.stress_terms, show, indent="    ",
                                  footer=[("= tier stress", _size(s.tiers.get("stress")))])
            for note in s.notes:
                out.append(f"    note: {escape(note)}")
        out.append("")
    return "\n".join(out)
