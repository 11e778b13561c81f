"""OOM701 oom-kills-since-boot. Published text: rules/OOM701.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Loc, Related
from oomlint.checks.oom7_live import live_of

RULE = "OOM701"


def _summary(e) -> str:
    r = e.report
    v = r.victim
    who = f"pid {v.pid} ({v.name})" if v is not None and v.pid is not None else "no victim named"
    scope = {"global": "global OOM", "cgroup": "cgroup OOM"}.get(r.kind, "OOM")
    text = f"{scope}: killed {who}"
    if e.unit:
        text += f" of {e.unit}"
    if e.anon_rss is not None:
        text += f", anon-rss {format_size(e.anon_rss)}"
    link = e.config
    if link is not None and link.unit and link.unit != e.unit:
        text += f"; on this host a process of {link.unit}"
    if link is not None and link.memory_max is not None:
        text += f", its MemoryMax {format_size(link.memory_max)}"
    if link is not None and link.worst_case is not None:
        text += f", worst case {format_size(link.worst_case)}"
    return text


def check(ctx, opts):
    live = live_of(ctx)
    if live is None:
        return
    from oomlint.analysis.explain import explain_reports  # only on a live host

    counter = live.vmstat.values.get("oom_kill")
    reports = live.oom_reports
    if (counter is None or counter.value <= 0) and not reports:
        return
    try:
        budget = ctx.budget
    except Exception:  # the reports are still explained, without the budget
        budget = None
    explanations = explain_reports(reports, ctx.host, budget) if reports else []
    related = tuple(Related(Loc(e.report.path, e.report.line), _summary(e))
                    for e in explanations)
    if counter is not None and counter.value > 0:
        n = counter.value
        text = f"the kernel has OOM-killed {n} process{'es' if n != 1 else ''} since boot " \
            "(oom_kill in /proc/vmstat)"
        loc = counter.loc
    else:
        text = "the kernel log holds OOM kills"
        loc = Loc(reports[0].path, reports[0].line)
    if reports:
        text += f"; {len(reports)} report{'s' if len(reports) != 1 else ''} still in " \
            f"{live.kernel_log}, each explained after the findings (JSON: audit.oom_reports)"
    elif live.kernel_log is not None:
        text += f"; no report of them is left in {live.kernel_log} (rotated): look in older " \
            "logs (journalctl -k, /var/log/kern.log*)"
    else:
        text += "; the kernel log was not read: give it with --kernel-log"
    yield Finding(RULE, text, loc, subject=("oom_kill",), related=related)
