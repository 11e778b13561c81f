"""OOM654 redis-noeviction. Published text: rules/OOM654.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding

RULE = "OOM654"


def check(ctx, opts):
    for r in ctx.host.redis:
        cfg = r.config
        mm = cfg.maxmemory_bytes
        if not mm or cfg.policy_name != "noeviction":
            continue
        loc = cfg.policy.loc if cfg.policy is not None else cfg.maxmemory.loc
        yield Finding(
            RULE,
            f"{r.name}: maxmemory-policy noeviction" + ("" if cfg.policy is not None else
                                                        " (the default)") +
            ": once maxmemory is reached, writes fail with \"OOM command not allowed\" "
            "instead of evicting keys",
            loc, subject=(r.name, "maxmemory-policy"))
