"""`oomlint budget --format json`: the budget records as a versioned document."""

from __future__ import annotations

from oomlint.report._common import display_of, where
from oomlint.report.escape import json_document


def kill_order_json(k, show) -> list[dict] | None:
    """The predicted kill order (analysis/kill_order.py): ranked entries first, then the
    exempt (-1000) ones and those of unknown size (`rank` null)."""
    if k is None:
        return None
    return [{
        "service": c.service, "kind": c.kind, "unit": c.unit, "rank": c.rank,
        "badness": c.badness, "oom_score": c.oom_score,
        "footprint_pages": c.footprint_pages, "adj_term": c.adj_term,
        "worst_case_bytes": c.worst_case, "task_bytes": c.task_bytes, "task": c.task,
        "limit_bytes": c.limit, "oom_score_adj": c.adj,
        "adj_source": (f"{c.adj_source} {where(show, c.adj_loc)}"
                       if c.adj_loc is not None and c.adj_loc.line else c.adj_source),
        "adj_path": where(show, c.adj_loc, line=False) if c.adj_loc is not None else None,
        "adj_line": c.adj_loc.line if c.adj_loc is not None else None,
        "adj_note": c.adj_note or None,
        "contained": c.contained, "within": c.within, "unknown": c.unknown,
        "exempt": c.exempt,
    } for c in k.candidates]


def render(budgets, shown=None, kill_orders=None, **_) -> str:
    hosts = []
    for b in budgets:
        show = display_of(shown or {}, b.name)
        ko = (kill_orders or {}).get(b.name)
        hosts.append({
            "name": b.name, "ram_bytes": b.ram, "swap_bytes": b.swap,
            "commit_limit_bytes": b.commit_limit, "hugepages_bytes": b.hugepages,
            "services": [{
                "name": s.name, "kind": s.kind, "unit": s.unit,
                "worst_case_bytes": s.worst_case,
                "counted_bytes": s.counted,
                "permission": s.permission,
                "within": s.within,
                "tiers": {k: v for k, v in s.tiers.items()},
                "limit_bytes": s.limit,
                "limit": ({"path": where(show, s.limit_loc, line=False),
                           "line": s.limit_loc.line} if s.limit_loc else None),
                "settings": s.settings,
                "terms": [{"label": t.label, "bytes": t.bytes,
                           "path": where(show, t.loc, line=False) if t.loc else None,
                           "line": t.loc.line if t.loc else None} for t in s.terms],
                "notes": list(s.notes),
                **({"stress_terms": [{"label": t.label, "bytes": t.bytes,
                                      "path": where(show, t.loc, line=False) if t.loc else None,
                                      "line": t.loc.line if t.loc else None}
                                     for t in s.stress_terms]} if s.stress_terms else {}),
            } for s in b.services],
            "total_worst_case_bytes": b.total,
            "uncapped_total_worst_case_bytes": b.uncapped_total,
            "unbounded": [s.name for s in b.unbounded],
            "not_summed": [s.name for s in b.permissions],
            "kill_order": kill_order_json(ko, show),
            "kill_order_totalpages": ko.totalpages if ko is not None else None,
            "kill_order_page_size": ko.page_size if ko is not None else None,
            "kill_order_notes": list(ko.notes) if ko is not None else [],
            # Only when an input could not be read: ordinary documents stay as they were.
            **({"unread_inputs": [{"path": where(show, u.loc, line=False), "rule": u.rule,
                                   "message": u.message} for u in b.unread]}
               if b.unread else {}),
        })
    return json_document({"version": 1, "hosts": hosts})
