"""OOM214 unkillable-biggest-consumer. Published text: rules/OOM214.yaml.

The largest known footprint on the host belongs to a service at oom_score_adj -1000: the
kernel must kill every other candidate before memory can come back, and it never reaches
the consumer."""

from __future__ import annotations

from oomlint.analysis.kill_order import ranking_text
from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size

RULE = "OOM214"


def check(ctx, opts):
    k = ctx.kill_order
    if k.totalpages is None:
        return
    sized = [c for c in k.candidates if c.task_bytes is not None and c.adj is not None]
    if not sized:
        return
    biggest = max(sized, key=lambda c: (c.task_bytes, c.exempt))
    if not biggest.exempt or biggest.adj_loc is None:
        return
    if any(c.task_bytes == biggest.task_bytes and not c.exempt for c in sized):
        return
    others = k.ranked
    if not others:
        return  # no other sized candidate: OOM201 (and OOM213) say what there is to say
    freed = sum(c.task_bytes for c in others)
    n = "the 1 other candidate" if len(others) == 1 else f"all {len(others)} other candidates"
    order = f"the kernel must first kill {n}, {format_size(freed)} together ({ranking_text(k)})"
    unknown = (f"; and {len(k.unknown)} of unknown size ("
               f"{', '.join(c.service for c in k.unknown[:4])})" if k.unknown else "")
    yield Finding(
        RULE,
        f"{biggest.service}: the biggest consumer on the host ({format_size(biggest.task_bytes)}"
        f" at worst case) runs at oom_score_adj -1000 and is never chosen: {order}{unknown}",
        biggest.adj_loc,
        subject=(biggest.service, "OOMScoreAdjust"),
    )
