"""`oomlint explain` as text: each kernel OOM report found, its facts on a few labelled
lines, then what it means in plain words, then (with ``--root``) what the host's
configuration predicted, with the lines to change. Everything taken from the log or the
tree (paths, process names, cgroup paths) is escaped (report/escape.py); an output line
begins with an escaped path, a label or blanks, never with input text, and no input line
is echoed."""

from __future__ import annotations

import textwrap

from oomlint.base.grammar.host import format_size
from oomlint.report._common import Display, text_where
from oomlint.report.escape import escape


def _pid_name(pid, name) -> str:
    bits = [f"pid {pid}" if pid is not None else None, escape(name) if name else None]
    return " ".join(b for b in bits if b) or "unknown"


def _facts(e) -> list[str]:
    r = e.report
    out = []
    t = r.trigger
    if t is not None:
        bits = [_pid_name(t.pid, t.name)]
        if t.order is not None:
            bits.append(f"order {t.order}")
        if t.gfp_mask is not None:
            flags = "|".join(t.gfp_flags) if t.gfp_flags else None
            bits.append(f"gfp_mask {escape(t.gfp_mask)}" + (f" ({escape(flags)})" if flags else ""))
        if t.oom_score_adj is not None:
            bits.append(f"oom_score_adj {t.oom_score_adj}")
        out.append("  trigger  " + ", ".join(bits))
    v = r.victim
    if v is not None and v.pid is not None:
        bits = [_pid_name(v.pid, v.name)]
        for label, value in (("anon-rss", e.anon_rss), ("file-rss", e.file_rss),
                             ("shmem-rss", e.shmem_rss)):
            if value is not None:
                bits.append(f"{label} {format_size(value)}")
        if v.oom_score_adj is not None:
            bits.append(f"oom_score_adj {v.oom_score_adj}")
        out.append("  victim   " + ", ".join(bits))
    lg = r.largest
    if lg is not None:
        out.append(f"  largest  {_pid_name(lg.pid, lg.name)}, rss {format_size(e.largest_rss)} "
                   f"(of {r.tasks} task{'s' if r.tasks != 1 else ''} in the table)")
    if r.cgroup:
        owner = ", ".join(x for x in (f"systemd unit {e.unit}" if e.unit else None, e.container)
                          if x)
        out.append(f"  cgroup   {escape(r.cgroup)}" + (f" ({escape(owner)})" if owner else ""))
    return out


WIDTH = 100  # notes are wrapped to this many columns


def _notes(notes, display: Display | None) -> list[str]:
    out = []
    for n in notes:
        out += textwrap.wrap(escape(n.text), WIDTH, initial_indent="  - ",
                             subsequent_indent="    ", break_long_words=False,
                             break_on_hyphens=False)
        width = max((len(escape(label)) for label, _ in n.at), default=0)
        for label, loc in n.at:
            where = text_where(display, loc) if display is not None else escape(loc.path)
            out.append(f"      {escape(label):<{width}}  {where}")
    return out


def render(explanations, *, display: Display | None = None, **_) -> str:
    out: list[str] = []
    for e in explanations:
        r = e.report
        kind = {"global": "global OOM", "cgroup": "cgroup OOM"}.get(r.kind, "OOM (kind unknown)")
        head = f"{escape(r.path, line_start=True)}:{r.line}-{r.end_line}: {kind}"
        if r.host:
            head += f" on host {escape(r.host)}"
        if r.kernel:
            head += f", kernel {escape(r.kernel)}"
        out.append(head)
        out += _facts(e)
        mine = [n for n in e.notes if not n.id.startswith("config-")]
        config = [n for n in e.notes if n.id.startswith("config-")]
        out += _notes(mine, display)
        if e.config is not None:
            out.append(f"  what the configuration of {escape(e.config.host)} says:")
            out += _notes(config, display)
        out.append("")
    n = len(explanations)
    out.append(f"{n} OOM report{'s' if n != 1 else ''} found" if n else "No OOM report found.")
    return "\n".join(out) + "\n"
