"""OOM310 sysctl-conf-not-applied. Published text: rules/OOM310.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related
from oomlint.base.redact import shown
from oomlint.model.sysctl import JUDGED

RULE = "OOM310"
SHOWN = 3  # assignments named in the message
RELATED = 20  # assignments listed as related locations


def check(ctx, opts):
    host = ctx.host
    lost = host.sysctl_not_applied  # empty for loose files: no telling whether a link exists
    if not lost:
        return
    judged = [s for s in lost if s.key in JUDGED]
    first = (judged or lost)[0]
    named = ", ".join(shown(f"{s.key} = {s.raw}") for s in (judged or lost)[:SHOWN])
    more = len(judged or lost) - SHOWN
    what = (f"its memory settings ({named}{f' and {more} more' if more > 0 else ''})" if judged
            else f"its {len(lost)} assignment{'s' if len(lost) != 1 else ''} ({named}"
                 f"{f' and {more} more' if more > 0 else ''})")
    yield Finding(
        RULE,
        f"/etc/sysctl.conf is not applied at boot on this host: systemd-sysctl reads only the "
        f"sysctl.d directories and no file there links to /etc/sysctl.conf, so {what} are not "
        f"in effect after a reboot (`sysctl --system` applies them, which can hide this until "
        f"then); move them to a file in /etc/sysctl.d/",
        first.loc, subject=("/etc/sysctl.conf",),
        related=tuple(Related(s.loc, f"not applied: {shown(f'{s.key} = {s.raw}')}")
                      for s in lost[:RELATED] if s is not first))
