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


def _sz(n) -> str:
    return format_size(n) if n is not None else "?"


def memory_text(m: dict | None) -> str:
    """RAM, swap and commit figures of the running kernel beside the configured ones."""
    if m is None:
        return ""
    lines = ["", "Memory, as the running kernel counts it (/proc/meminfo):"]
    ram = f"  RAM {_sz(m['mem_total_bytes'])} (MemTotal)"
    if m["ram_bytes"] is not None and m["ram_bytes"] != m["mem_total_bytes"]:
        ram += f"; the budget uses {_sz(m['ram_bytes'])} ({escape(m['ram_source'] or 'given')})"
    lines.append(ram)
    if m["swap_total_bytes"] is not None:
        conf = m["swap_configured_bytes"]
        said = ("configured: none" if not m["swap_configured"] else
                "configured: size unknown" if conf is None else f"configured: {_sz(conf)}")
        swap = f"  swap {_sz(m['swap_total_bytes'])} (SwapTotal, {_sz(m['swap_free_bytes'])} " \
               f"free); {said}"
        if m["swap_used_by_audit"] is not None:
            swap += ("; the kill order below counts SwapTotal (the budget rules keep the "
                     "configured figure)")
        lines.append(swap)
    if m["commit_limit_bytes"] is not None and m["committed_as_bytes"] is not None:
        mode = m["overcommit_memory"]
        enforced = ("enforced (vm.overcommit_memory=2)" if mode == 2 else
                    f"not enforced (vm.overcommit_memory={mode})" if mode is not None
                    else "vm.overcommit_memory unknown")
        share = (f", {m['committed_as_bytes'] * 100 / m['commit_limit_bytes']:.0f}%"
                 if m["commit_limit_bytes"] else "")
        lines.append(f"  committed {_sz(m['committed_as_bytes'])} (Committed_AS) of "
                     f"CommitLimit {_sz(m['commit_limit_bytes'])}{share}: {enforced}")
    return "\n".join(lines) + "\n"


def predicted_rows(k, show=None) -> list[dict]:
    """The predicted kill order (analysis/kill_order.py `KillOrder`) as plain rows: the ranked
    candidates, then the exempt ones (-1000, rank None); `show` displays a path."""
    if k is None:
        return []
    show = show or (lambda p: p)
    rows = []
    for c in (*k.ranked, *k.exempt):
        at = c.adj_loc
        rows.append({"rank": c.rank, "service": c.service, "unit": c.unit,
                     "oom_score_adj": c.adj, "oom_score_adj_source": c.adj_source,
                     "oom_score_adj_at": f"{show(at.path)}:{at.line}" if at and at.line
                     else None, "task_bytes": c.task_bytes, "badness": c.badness,
                     "oom_score": c.oom_score, "exempt": c.exempt})
    return rows


def first_victims(predicted: list[dict], live: list[dict]) -> dict | None:
    """The predicted first victim's unit against the live one's; None when either is
    missing."""
    p = next((r for r in predicted if r["rank"] == 1), None)
    if p is None or not live:
        return None
    lv = live[0]
    return {"predicted": p["unit"] or p["service"], "live": lv["unit"] or lv["cgroup"],
            "live_pid": lv["pid"], "same": bool(p["unit"]) and p["unit"] == lv["unit"]}


def kill_order_text(predicted: list[dict], live: list[dict]) -> str:
    """The predicted order beside the live one, rank by rank."""
    if not predicted or not live:
        return ""
    head = ("rank", "predicted (configuration, worst case)", "adj", "oom_score", "|",
            "live (now)", "adj", "oom_score")
    table = [head]
    for i in range(max(len([r for r in predicted if r["rank"]]), len(live))):
        p = predicted[i] if i < len(predicted) and predicted[i]["rank"] else None
        lv = live[i] if i < len(live) else None
        table.append((
            str(i + 1),
            escape(p["unit"] or p["service"]) if p else "",
            str(p["oom_score_adj"]) if p else "", str(p["oom_score"]) if p else "", "|",
            f"{escape(lv['unit'] or lv['cgroup'] or '-')} pid {lv['pid']} "
            f"({escape(lv['comm'] or lv['program'] or '?')})" if lv else "",
            (str(lv["oom_score_adj"]) if lv["oom_score_adj"] is not None else "?")
            if lv else "", str(lv["oom_score"]) if lv else ""))
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = ["", "Kill order, predicted from the configuration beside the live one:"]
    for row in table:
        lines.append(("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths))).rstrip())
    for r in predicted:
        if r["exempt"]:
            lines.append(f"  never chosen (oom_score_adj -1000 in the configuration): "
                         f"{escape(r['unit'] or r['service'])}")
    fv = first_victims(predicted, live)
    if fv is not None:
        verdict = "the same" if fv["same"] else "they differ (see OOM711 when an oom_score_adj " \
                                                "explains it)"
        lines.append(f"  first victim: predicted {escape(fv['predicted'])}, live "
                     f"{escape(fv['live'] or '-')} (pid {fv['live_pid']}): {verdict}")
    return "\n".join(lines) + "\n"


def merge_json(findings_json: str, rows: list[dict], explanations_json: str | None,
               predicted: list[dict] | None = None, memory: dict | None = None) -> str:
    """The findings document of `oomlint check --format json` with an `audit` key: the live
    kill list, the predicted kill order beside it and the explained OOM reports."""
    doc = json.loads(findings_json)
    audit = {"kill_list": rows}
    if predicted is not None:
        audit["kill_order_predicted"] = predicted
        audit["first_victim"] = first_victims(predicted, rows)
    if memory is not None:
        audit["memory"] = memory
    if explanations_json is not None:
        audit["oom_reports"] = json.loads(explanations_json)
    doc["audit"] = audit
    return json_document(doc)
