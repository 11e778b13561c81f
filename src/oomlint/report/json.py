"""JSON output: a stable, versioned contract for CI.

{"version": 1, "findings": [{"rule", "name", "severity", "host", "path", "line", "message",
"related": [{"path", "line", "note"}], "calc"?}], "suppressed": [...]}
"""

from __future__ import annotations

import json

from oomlint.base.findings import Finding

VERSION = 1


def finding_dict(f: Finding) -> dict:
    d = {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.value if f.severity else None,
        "host": f.host,
        "path": f.loc.path,
        "line": f.loc.line,
        "message": f.message,
        "related": [{"path": r.loc.path, "line": r.loc.line, "note": r.note} for r in f.related],
    }
    if f.calc is not None:
        c = f.calc
        d["calc"] = {
            "terms": [{"label": t.label, "bytes": t.bytes,
                       "path": t.loc.path if t.loc else None,
                       "line": t.loc.line if t.loc else None} for t in c.terms],
            "total_label": c.total_label, "total_bytes": c.total,
            "limit_label": c.limit_label, "limit_bytes": c.limit,
        }
    return d


def render(result, catalog, **_) -> str:
    doc = {
        "version": VERSION,
        "findings": [finding_dict(f) for f in result.findings],
        "suppressed": [
            {**finding_dict(s.finding), "justification": s.justification,
             "suppressed_at": ({"path": s.source.path, "line": s.source.line}
                               if s.source else None)}
            for s in result.suppressed
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
