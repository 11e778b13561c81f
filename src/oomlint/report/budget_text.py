"""`oomlint budget` as text: per host, each service's worst case, its cap, the total against
RAM, RAM + swap and CommitLimit, and the arithmetic line by line. Host, service and unit
names and notes are escaped (report/escape.py); the service table is complete, a service's
term list ends in one ``… and N more`` line beyond `MAX_TERMS` (JSON lists them all)."""

from __future__ import annotations

from oomlint.base.grammar.host import format_size
from oomlint.report._common import display_of, term_table, text_where, where
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


def _adj_where(show, c) -> str:
    """Where a candidate's oom_score_adj was set: file:line, or "default 0"."""
    if c.adj_loc is not None and c.adj_loc.line:
        return f"{c.adj_source} {text_where(show, c.adj_loc)}"
    return c.adj_source


def kill_order_lines(k, show) -> list[str]:
    """The predicted kill order of one host (analysis/kill_order.py), as a table."""
    if k is None:
        return []
    out = []
    size = format_size(k.page_size)
    if k.totalpages is None:
        out.append("  kill order (global OOM at worst case): not ranked, RAM unknown "
                   "(pass --ram)")
    else:
        out.append(f"  kill order (global OOM at worst case): totalpages {k.totalpages} "
                   f"(RAM + swap in {size} pages), 1 oom_score_adj point = {k.per_point} pages")
    rows = [("rank", "service", "task", "pages", "adj", "adj term", "badness", "oom_score",
             "oom_score_adj set by")]
    for c in k.candidates:
        task = format_size(c.task_bytes) if c.task_bytes is not None else "unknown size"
        pages = str(c.footprint_pages) if c.footprint_pages is not None else ""
        adj = str(c.adj) if c.adj is not None else "?"
        if c.rank is not None:
            row = (str(c.rank), escape(c.service), task, pages, adj, f"{c.adj_term:+d}",
                   str(c.badness), str(c.oom_score))
        elif c.exempt:
            row = ("-", escape(c.service), task, pages, adj, "", "never", "0")
        else:
            row = ("?", escape(c.service), task, pages, adj, "", "unknown", "")
        rows.append((*row, _adj_where(show, c)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.append("    " + "  ".join(cell.ljust(w) if i in (1, 8) else cell.rjust(w)
                                      if i else cell.ljust(w)
                                      for i, (cell, w) in enumerate(zip(r, widths))).rstrip())
    tasks = [c for c in k.candidates if c.task_bytes is not None and not c.unknown]
    if tasks:
        out.append("    the task ranked (the kernel scores each process; assumed):")
    for c in tasks:
        out.append(f"      {escape(c.service)}: {escape(c.task)}")
    for c in k.candidates:
        if c.adj_note:
            out.append(f"    {escape(c.service)}: {escape(c.adj_note)}")
    if k.contained:
        out.append("    contained by their own cap (their own growth ends in a cgroup OOM, "
                   "they die alone; still ranked above at the cap):")
        for c in k.contained:
            if c.within is not None:
                out.append(f"      {escape(c.service)}: shares {escape(c.within)}'s MemoryMax "
                           f"{format_size(c.limit)}")
            else:
                out.append(f"      {escape(c.service)}: worst case {_size(c.worst_case)} "
                           f"reaches MemoryMax {format_size(c.limit)}")
    for c in k.unknown:
        at = k.overtakes_at(c)
        why = "no worst case and no cap" if c.adj is not None else "oom_score_adj templated"
        tail = (f": killed before #1 {escape(k.ranked[0].service)} once its largest task "
                f"holds more than {at} pages ({format_size(at * k.page_size)})"
                if at is not None else "")
        out.append(f"    unknown size, not ranked: {escape(c.service)} ({why}){tail}")
    if k.totalpages is not None and not k.ranked:
        out.append("    nothing is left to kill: a global OOM panics the kernel "
                   "(\"Out of memory and no killable processes...\")")
    for n in k.notes:
        out.append(f"    note: {escape(n)}")
    return out


def render(budgets, shown=None, kill_orders=None, **_) -> str:
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
        ko = (kill_orders or {}).get(b.name)
        if ko is not None:
            out.append("")
            out += kill_order_lines(ko, show)
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
