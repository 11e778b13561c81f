"""OOM215 worker-not-expendable. Published text: rules/OOM215.yaml.

Batch, worker or queue-consumer services run on the host (by unit name, Description=, or a
Type=oneshot service a timer starts), and no service is marked expendable with a positive
oom_score_adj: the kernel picks by size alone, and the work that could be retried later is
not preferred over the service that answers users."""

from __future__ import annotations

import re

from oomlint.analysis.kill_order import ranking_text
from oomlint.base.findings import Finding, Related

RULE = "OOM215"

WORDS = re.compile(r"(?<![a-z])(worker|workers|batch|queue|consumer|consumers|jobs?|celery|"
                   r"sidekiq|resque|rq|cron ?job)(?![a-z])", re.IGNORECASE)


def _timer_targets(host) -> dict[str, str]:
    """service name -> the timer that starts it (systemd.timer(5): Unit=, else the timer's
    own name with .service)."""
    out = {}
    for name, u in sorted(host.units.items()):
        if u.type != "timer" or u.masked:
            continue
        s = u.get("Unit")
        target = str(s.value) if s is not None else name[:-len(".timer")] + ".service"
        out.setdefault(target, name)
    return out


def _why(svc, timers) -> str | None:
    stem = svc.name.rsplit(".", 1)[0]
    if WORDS.search(stem.replace("-", " ").replace("_", " ").replace("@", " ")):
        return "its name"
    d = svc.get("Description")
    if d is not None and isinstance(d.value, str) and WORDS.search(d.value):
        return "its Description="
    t = svc.get("Type")
    if t is not None and t.value == "oneshot" and svc.name in timers:
        return f"a Type=oneshot job started by {timers[svc.name]}"
    return None


def check(ctx, opts):
    host, k = ctx.host, ctx.kill_order
    if any(c.adj is not None and c.adj > 0 for c in k.candidates):
        return
    for svc in host.services:
        s = svc.get("OOMScoreAdjust")
        if s is not None and isinstance(s.value, int) and s.value > 0:
            return
    timers = _timer_targets(host)
    # The administrator's services: a distribution's own timers (apt-daily, logrotate,
    # fstrim, man-db) are housekeeping on every host, not the site's retryable work.
    workers = [(svc, why) for svc in host.services if svc.fragment is not None
               and svc.admin_owned for why in [_why(svc, timers)] if why]
    if not workers:
        return
    svc, why = workers[0]
    names = ", ".join(f"{w.name} ({y})" for w, y in workers[:4])
    names += f" and {len(workers) - 4} more" if len(workers) > 4 else ""
    order = f" Predicted order: {ranking_text(k)}." if k.ranked else ""
    yield Finding(
        RULE,
        f"no service is marked expendable (OOMScoreAdjust= above 0) while batch or worker "
        f"services run: {names}; the kernel chooses by size alone, so a retryable job is not "
        f"preferred over the services that answer users.{order}",
        svc.service_header(),
        subject=(svc.name, "OOMScoreAdjust"),
        related=tuple(Related(w.service_header(), f"{w.name}: matched by {y}")
                      for w, y in workers[1:4]),
    )
