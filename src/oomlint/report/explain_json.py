"""`oomlint explain --format json`: ``{"version": 1, "reports": [...]}``, one object per
report with the fields of the issue's schema (plus the input's `path`). A field the
report's own lines do not show is null, never taken from a neighbouring report."""

from __future__ import annotations

from oomlint.report._common import Display, where
from oomlint.report.escape import json_document


def _at(display: Display | None, loc):
    if loc is None:
        return None
    return {"path": where(display, loc, line=False) if display else loc.path, "line": loc.line}


def _report(e, display) -> dict:
    r = e.report
    t, v, lg = r.trigger, r.victim, r.largest
    c = e.config
    return {
        "path": r.path,
        "kind": r.kind,
        "cgroup": r.cgroup,
        "trigger": {
            "pid": t.pid if t else None, "name": t.name if t else None,
            "order": t.order if t else None, "gfp_mask": t.gfp_mask if t else None,
            "gfp_flags": list(t.gfp_flags) if t and t.gfp_flags is not None else None,
            "oom_score_adj": t.oom_score_adj if t else None,
        },
        "victim": {
            "pid": v.pid if v else None, "name": v.name if v else None,
            "anon_rss_bytes": e.anon_rss, "file_rss_bytes": e.file_rss,
            "shmem_rss_bytes": e.shmem_rss, "oom_score_adj": v.oom_score_adj if v else None,
        },
        "largest": {"pid": lg.pid if lg else None, "name": lg.name if lg else None,
                    "rss_bytes": e.largest_rss},
        "kernel": r.kernel,
        "line": r.line,
        "end_line": r.end_line,
        "notes": [{"id": n.id, "text": n.text,
                   "at": [{"label": label, **_at(display, loc)} for label, loc in n.at]}
                  for n in e.notes],
        "config": None if c is None else {
            "host": c.host, "unit": c.unit, "matched_by": c.matched_by,
            "memory_max_bytes": c.memory_max, "memory_max": _at(display, c.memory_max_loc),
            "cgroup_limit_bytes": c.cgroup_limit, "service_kind": c.service_kind,
            "worst_case_bytes": c.worst_case, "worst_case": _at(display, c.worst_case_loc),
            "host_worst_case_bytes": c.host_worst_case,
            "host_uncapped_worst_case_bytes": c.host_uncapped_worst_case, "ram_bytes": c.ram,
            "unbounded": list(c.unbounded),
        },
    }


def render(explanations, *, display: Display | None = None, **_) -> str:
    return json_document({"version": 1, "reports": [_report(e, display) for e in explanations]})
