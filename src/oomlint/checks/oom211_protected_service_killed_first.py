"""OOM211 protected-service-killed-first. Published text: rules/OOM211.yaml.

The predicted global OOM victim (rank 1 of analysis/kill_order.py) runs at a negative
oom_score_adj that the configuration set: the protection is outweighed by its size, and a
less protected service outlives it."""

from __future__ import annotations

from oomlint.analysis.kill_order import ranking_text
from oomlint.base.findings import Finding, Related
from oomlint.base.grammar.host import format_size

RULE = "OOM211"


def check(ctx, opts):
    k = ctx.kill_order
    if len(k.ranked) < 2:
        return
    first = k.ranked[0]
    if first.adj >= 0 or first.adj_loc is None or first.adj_origin == "program":
        return
    spared = [c for c in k.ranked[1:] if c.adj > first.adj]
    if not spared:
        return
    nxt = spared[0]
    yield Finding(
        RULE,
        f"{first.service}: oom_score_adj {first.adj} is meant to protect it, yet it is "
        f"predicted to die first in a global OOM: at worst case its largest task holds "
        f"{format_size(first.task_bytes)} ({first.footprint_pages} pages), and "
        f"{first.adj} × {k.per_point} pages per point takes off only {-first.adj_term}, so it "
        f"still outranks {nxt.service} (oom_score_adj {nxt.adj}, badness {nxt.badness}). "
        f"Predicted order: {ranking_text(k)}",
        first.adj_loc,
        subject=(first.service, "OOMScoreAdjust"),
        related=tuple(Related(c.adj_loc, f"{c.service}: oom_score_adj {c.adj}")
                      for c in spared[:3] if c.adj_loc is not None),
    )
