"""OOM507 jvm-flag-refused. Published text: rules/OOM507.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.checks._common import refused_text, word

RULE = "OOM507"


def check(ctx, opts):
    host = ctx.host
    seen = set()
    for j in host.jvms:
        for loc, written, reason in j.config.refused:
            if (loc, written) in seen:
                continue
            seen.add((loc, written))
            what, why = refused_text(written, reason, word)
            yield Finding(RULE, f"{j.name}: {what + ': ' if what else ''}{why}; the service "
                          "cannot start, so it stays down or restarts in a loop", loc,
                          subject=(j.name, what) if what else (j.name,))
