"""`oomlint audit`'s own sections: the live kill list, and the kernel's OOM reports explained.
Rows come as plain dicts (model/live.py `kill_rows`); text taken from the machine is escaped."""

from __future__ import annotations

import json

from oomlint.base.grammar.host import format_size
from oomlint.report.escape import escape, json_document


def kill_list_text(rows: list[dict], skipped: int = 0) -> str:
    if not rows:
        return ""
    head = ("rank", "pid", "oom_score", "adj", "rss", "unit / cgroup", "command")
    table = [head]
    for i, r in enumerate(rows, start=1):
        table.append((str(i), str(r["pid"]), str(r["oom_score"]),
                      str(r["oom_score_adj"]) if r["oom_score_adj"] is not None else "?",
                      format_size(r["rss"]), escape(r["unit"] or r["cgroup"] or "-"),
                      escape(r["comm"] or r["program"] or "?")))
    widths = [max(len(row[i]) for row in table) for i in range(len(head) - 1)]
    lines = ["", "Live kill list (as the OOM killer ranks processes now, by /proc/PID/oom_score):"]
    for row in table:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[-1])
    if len(rows) > 1 and rows[0]["oom_score"] is not None and rows[1]["oom_score"] is not None:
        gap = rows[0]["oom_score"] - rows[1]["oom_score"]
        lines.append(f"  first victim: pid {rows[0]['pid']} ({escape(rows[0]['comm'] or '?')}), "
                     f"{gap} point{'s' if gap != 1 else ''} of oom_score ahead of the next")
    if skipped:
        lines.append(f"  ({skipped} processes not read: the audit reads at most the first ones)")
    return "\n".join(lines) + "\n"


def merge_json(findings_json: str, rows: list[dict], explanations_json: str | None) -> str:
    """The findings document of `oomlint check --format json` with an `audit` key: the live
    kill list and the explained OOM reports."""
    doc = json.loads(findings_json)
    audit = {"kill_list": rows}
    if explanations_json is not None:
        audit["oom_reports"] = json.loads(explanations_json)
    doc["audit"] = audit
    return json_document(doc)
