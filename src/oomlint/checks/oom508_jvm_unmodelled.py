"""OOM508 jvm-unmodelled. Published text: rules/OOM508.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding

RULE = "OOM508"


def check(ctx, opts):
    for u in getattr(ctx.host, "jvm_unmodelled", ()):
        yield Finding(
            RULE,
            f"{u.name}: looks like a Java service ({u.evidence}), but oomlint cannot follow "
            f"ExecStart= to the JVM: {u.reason}; its heap and non-heap memory are not sized "
            "and no JVM rule checks it",
            u.loc,
            subject=(u.name,),
        )
