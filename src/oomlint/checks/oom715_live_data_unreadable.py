"""OOM715 live-data-unreadable. Published text: rules/OOM715.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Loc
from oomlint.base.redact import shown
from oomlint.checks.oom7_live import live_of

RULE = "OOM715"


def check(ctx, opts):
    live = live_of(ctx)
    if live is None:
        return
    for what, why in sorted(live.unreadable.items()):
        yield Finding(RULE, f"{what}: not read ({why}): the audit went on without it",
                      Loc(what, 0), subject=(what,))
    for loc, text in live.bad_lines:
        yield Finding(RULE, f"line not in the kernel's format, skipped: {shown(text)}", loc,
                      subject=(loc.path,))
