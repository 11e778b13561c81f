"""JSON output: a stable, versioned contract for CI.

{"version": 1, "findings": [{"rule", "name", "severity", "host", "path", "line", "message",
"subject", "fingerprint", "related": [{"path", "line", "note"}], "calc"?}], "suppressed": [...]}

`subject` is what the finding is about (a unit and setting, a sysctl; [] for host-level
findings and input problems); `fingerprint` identifies the finding across runs from rule,
host, tree-relative path and subject, so a moved line or a reworded message keeps it.
"""

from __future__ import annotations

from oomlint.base.findings import Finding, fingerprint
from oomlint.report._common import Display, display_of, where
from oomlint.report.escape import json_document

VERSION = 1


def finding_dict(f: Finding, show: Display, host_id: str | None = None) -> dict:
    d = {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.value if f.severity else None,
        "host": f.host,
        "path": where(show, f.loc, line=False),
        "line": f.loc.line,
        "message": f.message,
        "subject": list(f.subject),
        "fingerprint": fingerprint(f, host_id),
        "related": [{"path": where(show, r.loc, line=False), "line": r.loc.line, "note": r.note}
                    for r in f.related],
    }
    if f.calc is not None:
        c = f.calc
        d["calc"] = {
            "terms": [{"label": t.label, "bytes": t.bytes,
                       "path": where(show, t.loc, line=False) if t.loc else None,
                       "line": t.loc.line if t.loc else None} for t in c.terms],
            "total_label": c.total_label, "total_bytes": c.total,
            "limit_label": c.limit_label, "limit_bytes": c.limit,
        }
    return d


def render(result, catalog, **_) -> str:
    def show(f: Finding) -> Display:
        return display_of(result.shown, f.host)

    ids = getattr(result, "host_ids", {}) or {}
    doc = {
        "version": VERSION,
        "findings": [finding_dict(f, show(f), ids.get(f.host)) for f in result.findings],
        "suppressed": [
            {**finding_dict(s.finding, show(s.finding), ids.get(s.finding.host)),
             "justification": s.justification,
             "suppressed_at": ({"path": where(show(s.finding), s.source, line=False),
                                "line": s.source.line} if s.source else None)}
            for s in result.suppressed
        ],
    }
    configs = getattr(result, "configs", {}) or {}
    if configs:  # only when the hosts were checked with different configuration files
        doc["hosts"] = [{"host": h, "config": configs[h]} for h in sorted(configs)]
    if getattr(result, "baseline_used", False):  # only then: other documents stay as they were
        doc["baseline"] = {
            "baselined": len(result.baselined),
            "stale": [{"rule": e.rule, "host": e.host, "path": e.path,
                       "subject": list(e.subject), "count": e.count} for e in result.stale],
        }
    return json_document(doc)
