"""Helpers for the budget rules: the calculation shown under a finding."""

from __future__ import annotations

from oomlint.budget import HostBudget, ServiceBudget
from oomlint.findings import Calc, Term


def host_calc(b: HostBudget, limit: int | None, limit_label: str) -> Calc:
    terms = [Term(f"{s.name} ({s.kind})", s.worst_case,
                  s.limit_loc if s.kind in ("unit", "slice") else (s.loc if s.loc.line else None))
             for s in b.services if s.worst_case is not None]
    if b.hugepages:
        terms.append(Term("hugetlb pool (vm.nr_hugepages)", b.hugepages, b.hugepages_loc))
    return Calc(tuple(terms), total=b.total, total_label="worst-case total", limit=limit,
                limit_label=limit_label)


def service_calc(s: ServiceBudget, limit: int | None, limit_label: str) -> Calc:
    return Calc(s.terms, total=s.worst_case, total_label="worst case", limit=limit,
                limit_label=limit_label)


def unbounded_note(b: HostBudget) -> str:
    names = [s.name for s in b.unbounded]
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    one = len(names) == 1
    return f"; {shown} {'has' if one else 'have'} no cap and {'is' if one else 'are'} not counted"


def biggest_loc(s: ServiceBudget):
    """The line of the largest term that has one: the first place to look."""
    if s.focus is not None:
        return s.focus
    located = [t for t in s.terms if t.loc is not None and t.bytes]
    return max(located, key=lambda t: t.bytes).loc if located else s.loc
