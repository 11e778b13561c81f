"""`oomlint budget` as text: per host, each service's worst case, its cap, the total against
RAM, RAM + swap and CommitLimit, and the arithmetic line by line."""

from __future__ import annotations

from oomlint.base.grammar.host import format_size


def _size(n):
    return format_size(n) if n is not None else "unbounded"


def render(budgets, **_) -> str:
    out = []
    for b in budgets:
        ram = format_size(b.ram) if b.ram is not None else "unknown (pass --ram)"
        swap = format_size(b.swap) if b.swap is not None else "unknown"
        out.append(f"{b.name}: RAM {ram}, swap {swap}")
        out.append("")
        rows = [("service", "kind", "worst case", "cap (MemoryMax)", "share of RAM")]
        for s in b.services:
            share = f"{s.worst_case * 100 / b.ram:.0f}%" if b.ram and s.worst_case else ""
            rows.append((s.name, s.kind, _size(s.worst_case),
                         format_size(s.limit) if s.limit is not None else "none", share))
        if b.hugepages:
            rows.append(("hugetlb pool", "kernel", format_size(b.hugepages), "", ""))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for r in rows:
            out.append("  " + "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                        for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        out.append("")
        out.append(f"  total worst case  {format_size(b.total)}"
                   + (f" (+ {len(b.unbounded)} unbounded)" if b.unbounded else ""))
        if b.ram is not None:
            out.append(f"  vs RAM            {format_size(b.ram)}  "
                       f"({b.total * 100 / b.ram:.0f}% of RAM)")
            if b.swap is not None:
                out.append(f"  vs RAM + swap     {format_size(b.ram + b.swap)}")
        if b.commit_limit is not None:
            out.append(f"  vs CommitLimit    {format_size(b.commit_limit)}  "
                       "(vm.overcommit_memory=2)")
        for s in b.services:
            if not s.terms:
                continue
            out.append("")
            out.append(f"  {s.name} ({s.kind})")
            width = max(len(t.label) for t in s.terms)
            for t in s.terms:
                src = f"  {t.loc.path}:{t.loc.line}" if t.loc and t.loc.line else ""
                value = format_size(t.bytes) if t.bytes is not None else ""
                out.append(f"    {t.label:<{width}}  {value:>12}{src}")
            out.append(f"    {'= worst case':<{width}}  {_size(s.worst_case):>12}")
            for name, value in s.tiers.items():
                out.append(f"    {'tier ' + name:<{width}}  {format_size(value):>12}")
            for note in s.notes:
                out.append(f"    note: {note}")
        out.append("")
    return "\n".join(out)
