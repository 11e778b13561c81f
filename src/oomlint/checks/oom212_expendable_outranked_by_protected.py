"""OOM212 expendable-outranked-by-protected. Published text: rules/OOM212.yaml.

A service the configuration marks expendable (positive oom_score_adj) is predicted to die
after a service it marks protected (negative): size inverted the intended preference."""

from __future__ import annotations

from oomlint.analysis.kill_order import describe, ranking_text
from oomlint.base.findings import Finding, Related

RULE = "OOM212"


def check(ctx, opts):
    k = ctx.kill_order
    for c in k.ranked:
        if c.adj <= 0 or c.adj_loc is None:
            continue
        before = [p for p in k.ranked if p.rank < c.rank and p.adj < 0]
        if not before:
            continue
        p = before[0]
        yield Finding(
            RULE,
            f"{c.service}: oom_score_adj {c.adj} marks it expendable, yet it is predicted to "
            f"die after {p.service}, which oom_score_adj {p.adj} protects ({describe(c)} vs "
            f"{describe(p)}): at worst case the protected service is so much larger that "
            f"the adjustment does not decide. Predicted order: {ranking_text(k)}",
            c.adj_loc,
            subject=(c.service, "OOMScoreAdjust"),
            related=(Related(p.adj_loc, f"{p.service}: oom_score_adj {p.adj}"),)
            if p.adj_loc is not None else (),
        )
