"""OOM311 swap-not-activated. Published text: rules/OOM311.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related

RULE = "OOM311"

# What an admin does not mean: a swap area nothing starts, one systemd refuses, one a failing
# requirement drops, a repeated fstab line. A mask, noauto or a zram host-memory-limit is a
# choice written down, and is not reported.
ACCIDENTAL = {"unpulled", "refused", "dropped", "unstable", "duplicate"}


def check(ctx, opts):
    host = ctx.host
    # With no swap active at all OOM301 reports the first of these, and lists the others.
    if host.loose or not host.swap_configured or host.swap_override is not None:
        return
    for s in host.swaps:
        if s.active or s.reason not in ACCIDENTAL or s.loc is None:
            continue
        related = (Related(s.mask, "mask"),) if s.mask is not None else ()
        if s.reason == "duplicate":
            text = f"this fstab line for {s.what} is ignored: {s.note}"
        else:
            text = f"{s.what} is configured as swap but systemd does not activate it at boot: "\
                f"{s.note}"
        yield Finding(RULE, text, s.loc, subject=(s.unit or s.what,), related=related)
