"""What a kernel OOM report says, in plain words, and — when the host's configuration is
known — what that configuration predicted about it.

`explain_reports(reports, host=None, budget=None)` is pure: the parsed reports
(base/oom.py, from parsers/kernel_oom.py), optionally the `Host` model and its
`host_budget`, in; one `Explanation` per report out. The readings follow the kernel
(mm/oom_kill.c: the trigger is the task whose allocation failed, the victim the task with
the highest badness, ``oom_score_adj`` -1000 exempt; ``order`` is log2 of the pages asked
for in one contiguous block, -1 the SysRq-f path ``moom_callback``; mm/page_alloc.c: below
the ``min`` watermark only reclaim or the OOM killer can help) and the article's reading of
the report (the largest task is the one to hunt when it is not the victim).
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from oomlint.analysis.budget import HostBudget, ServiceBudget, biggest_loc
from oomlint.base.grammar.c import KIB
from oomlint.base.grammar.host import format_size
from oomlint.base.oom import OomReport
from oomlint.base.provenance import Loc
from oomlint.model.host import Host, Unit

MYSQL_COMMS = {"mysqld", "mariadbd", "mysqld_safe", "mariadbd-safe"}
PG_COMMS = {"postgres", "postmaster"}


@dataclass(frozen=True)
class Note:
    """One plain-words statement. `at` names configuration lines (label, Loc in the host's
    tree) the statement points at; the formatter shows them with the host's paths."""

    id: str
    text: str
    at: tuple[tuple[str, Loc], ...] = ()


@dataclass(frozen=True)
class ConfigLink:
    """The report tied to a unit of the host's model, and what the configuration says."""

    host: str
    unit: str | None
    matched_by: str | None  # "cgroup" | "task cgroup" | "command" | None
    memory_max: int | None
    memory_max_loc: Loc | None
    cgroup_limit: int | None  # the limit the report shows (memcg block), bytes
    worst_case: int | None
    worst_case_loc: Loc | None
    service_kind: str | None
    host_worst_case: int | None  # with each service's cap (budget.total)
    host_uncapped_worst_case: int | None  # every footprint uncapped
    ram: int | None
    unbounded: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    report: OomReport
    notes: tuple[Note, ...]
    unit: str | None  # the systemd unit the cgroup names
    container: str | None  # the container or pod the cgroup names
    config: ConfigLink | None
    anon_rss: int | None  # bytes
    file_rss: int | None
    shmem_rss: int | None
    largest_rss: int | None


def _kb(n: int | None) -> int | None:
    return n * KIB if n is not None else None


def _size_kb(n: int | None) -> str:
    return format_size(n * KIB) if n is not None else "unknown"


# ---- cgroup paths -------------------------------------------------------------------------

_UNIT_NAME = re.compile(r"[A-Za-z0-9:_.@\\-]+\.(?:service|scope|slice)")
_POD = re.compile(r"pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})")
_CONTAINER = re.compile(r"(?:docker|cri-containerd|crio|libpod)-([0-9a-f]{12,64})\.scope$"
                        r"|^([0-9a-f]{64})$")


def cgroup_owner(path: str | None) -> tuple[str | None, str | None]:
    """(systemd unit, container or pod) a cgroup path names: ``/system.slice/x.service`` is
    x.service; ``kubepods…/pod<uid>…`` a Kubernetes pod; ``docker-<id>.scope`` or
    ``/docker/<id>`` a Docker container; ``/lxc/<name>`` an LXC container."""
    if not path:
        return None, None
    parts = [p for p in path.split("/") if p]
    unit = None
    for p in reversed(parts):
        if _UNIT_NAME.fullmatch(p) and not p.endswith(".slice"):
            unit = p
            break
    container = None
    pod = _POD.search(path)
    ids = [m.group(1) or m.group(2) for p in parts if (m := _CONTAINER.search(p))]
    if "docker" in parts[:-1] and parts[-1:] and re.fullmatch(r"[0-9a-f]{12,64}", parts[-1]):
        ids.append(parts[-1])
    if pod:
        container = f"Kubernetes pod {pod.group(1).replace('_', '-')}"
        if ids:
            container += f", container {ids[-1][:12]}"
    elif ids:
        container = f"container {ids[-1][:12]}"
        if any(p.startswith("docker") for p in parts):
            container = "Docker " + container
    if parts and parts[0] in ("lxc", "lxc.payload") and len(parts) > 1:
        container = f"LXC container {parts[1]}" + (f" ({container})" if container else "")
    elif parts and parts[0].startswith("lxc.payload."):
        container = f"LXC container {parts[0][len('lxc.payload.'):]}"
    if unit is None and parts and not container:
        last = parts[-1]
        if last.endswith(".slice"):
            unit = last
    return unit, container


# ---- the report on its own ------------------------------------------------------------------


def _report_notes(r: OomReport, unit: str | None, container: str | None) -> list[Note]:
    notes: list[Note] = []
    add = notes.append
    owner = ", ".join(x for x in (f"systemd unit {unit}" if unit else None, container) if x)
    if r.sysrq:
        add(Note("sysrq", "A manual OOM kill (SysRq-f, or echo f > /proc/sysrq-trigger): the "
                          "kernel ran the OOM killer on request (order=-1), not because memory "
                          "ran out."))
    elif r.kind == "global":
        add(Note("global", "Global OOM: the whole machine ran out of memory (no cgroup limit "
                           "was involved); the box is too small for what ran on it, or "
                           "something grew without bound."))
    elif r.kind == "cgroup":
        where = f"cgroup {r.cgroup}" if r.cgroup else "a cgroup (the report does not say which)"
        limit = ""
        if r.memcg is not None:
            limit = (f" (usage {_size_kb(r.memcg.usage_kb)} against its limit "
                     f"{_size_kb(r.memcg.limit_kb)}"
                     + (f", limit hit {r.memcg.failcnt} times" if r.memcg.failcnt else "") + ")")
        add(Note("cgroup", f"Cgroup OOM: {where}{' — ' + owner if owner else ''} hit its own "
                           f"memory limit{limit}. The rest of the machine may have had memory to "
                           "spare: the fix is the limit or the service, not the box."))
    else:
        add(Note("kind-unknown", "Global or cgroup OOM: this fragment does not say (no "
                                 "summary, kill line, Mem-Info or memcg block)."))
    t = r.trigger
    if t is not None:
        flags = "|".join(t.gfp_flags) if t.gfp_flags else None
        what = f"pid {t.pid} ({t.name})" if t.pid is not None else f"{t.name}"
        ask = ""
        if t.order is not None and t.order >= 0:
            pages = 1 << min(t.order, 30)
            ask = (f" asked for an order-{t.order} allocation ({pages} contiguous "
                   f"page{'s' if pages != 1 else ''}"
                   + (f", {flags}" + (" — decoded by oomlint for this kernel era"
                                      if t.gfp_flags_decoded else "") if flags else "") + ")")
        same = r.victim is not None and r.victim.pid is not None and r.victim.pid == t.pid
        if t.order == -1 or r.sysrq:
            add(Note("trigger", f"Invoked by {what}, the worker that ran the SysRq-f request."))
        else:
            add(Note("trigger", f"Triggered by {what}, which{ask or ' asked for memory'} that could "
                                "not be served. The trigger is usually not the cause: it is "
                                "whoever asked for the page that broke the camel's back"
                                + ("; here it was also the victim." if same else ".")))
        if t.order == -1 or r.sysrq:
            pass
        elif t.order == 0:
            add(Note("order-0", "order=0: a single page, the most basic request; that even "
                                "this could not be met means memory was really exhausted."))
        elif t.order is not None and t.order > 0:
            add(Note("order-high", f"order={t.order}: a contiguous block of "
                                   f"{format_size((1 << min(t.order, 30)) * r.page_kb * KIB)}. "
                                   "This can be fragmentation, not exhaustion: free memory may "
                                   "exist, but not in one unbroken block that large."))
        if t.oom_adj is not None and t.oom_score_adj is None:
            add(Note("oom-adj", f"oom_adj={t.oom_adj} is the old -17..15 scale of 2.6 "
                                "kernels, not oom_score_adj."))
    v = r.victim
    if v is not None and v.pid is not None:
        parts = [f"anon-rss {_size_kb(v.anon_rss_kb)}" if v.anon_rss_kb is not None else None,
                 f"file-rss {_size_kb(v.file_rss_kb)}" if v.file_rss_kb is not None else None,
                 f"shmem-rss {_size_kb(v.shmem_rss_kb)}" if v.shmem_rss_kb is not None else None,
                 f"oom_score_adj {v.oom_score_adj}" if v.oom_score_adj is not None else None]
        shown = ", ".join(p for p in parts if p)
        verb = "Killed" if v.source == "kill line" else "Chosen to be killed (the summary line)"
        add(Note("victim", f"{verb} pid {v.pid} ({v.name})" + (f": {shown}." if shown else ".")
                 + (" anon-rss is the part of it that nothing but a kill could free."
                    if v.anon_rss_kb else "")))
        if v.chosen_pid is not None:
            add(Note("sacrifice-child", f"The kernel chose pid {v.chosen_pid} ({v.chosen_name}) "
                                        "and, with \"or sacrifice child\", killed its child pid "
                                        f"{v.pid} ({v.name}) instead: the chosen parent lives on."))
        if v.oom_score_adj is not None and v.oom_score_adj > 0:
            add(Note("victim-expendable", f"The victim's oom_score_adj was {v.oom_score_adj} > 0: "
                                          "something marked it expendable (first to die). It was "
                                          "not necessarily the biggest user; working as intended."))
        elif v.oom_score_adj is not None and v.oom_score_adj < 0:
            add(Note("victim-protected", f"The victim's oom_score_adj was {v.oom_score_adj} < 0: "
                                         "it was protected, and still killed: nothing more "
                                         "killable was big enough."))
    elif v is not None and v.chosen_pid is not None:
        add(Note("victim-unknown", f"The kernel chose pid {v.chosen_pid} ({v.chosen_name}); the "
                                   "line naming the task it killed is not in this fragment."))
    if r.no_killable:
        lg0 = r.largest
        exempt = (f" The largest task, {lg0.name} (pid {lg0.pid}, rss "
                  f"{format_size(lg0.rss * r.page_kb * KIB)}), was exempt (oom_score_adj "
                  f"{lg0.oom_score_adj}).") if lg0 is not None and lg0.oom_score_adj is not None \
            and lg0.oom_score_adj <= -1000 else ""
        add(Note("no-killable", "Out of memory and no killable processes: every candidate was "
                                "exempt (oom_score_adj -1000) or unkillable, so nothing was "
                                "killed" + (" and the kernel panicked." if r.panic else ".")
                 + exempt))
    elif r.panic:
        add(Note("panic", "The kernel panicked instead of (or after) killing: vm.panic_on_oom "
                          "is set; with kernel.panic=0 the box hangs until someone resets it."))
    if r.group_kill:
        add(Note("group-kill", "memory.oom.group was set: the whole cgroup was killed together"
                               + (f" ({r.extra_kills + 1} processes)." if r.extra_kills else ".")))
    lg = r.largest
    if lg is not None:
        lg_rss = lg.rss * r.page_kb * KIB
        if v is not None and v.pid is not None and lg.pid not in (v.pid, v.chosen_pid):
            exempt = lg.oom_score_adj is not None and lg.oom_score_adj <= -1000
            add(Note("largest-not-victim",
                     f"The largest task in the table is pid {lg.pid} ({lg.name}) with rss "
                     f"{format_size(lg_rss)}, not the victim"
                     + (f" ({v.name}, {format_size(_rss_of(r, v.pid))})" if _rss_of(r, v.pid)
                        else "")
                     + (": it is exempt (oom_score_adj -1000), so the kernel killed the "
                        "next-biggest instead. " if exempt else ". ")
                     + "The kernel kills the biggest killable user; the real culprit may be "
                       "that fat row that did not die. Hunt that one."))
        elif v is not None and v.pid is not None and lg.pid == v.pid and r.tasks > 1:
            add(Note("largest-is-victim", f"The victim was the largest task in the table (rss "
                                          f"{format_size(lg_rss)} of {r.tasks} tasks): either it is "
                                          "sized too big for "
                                          + ("its limit" if r.kind == "cgroup" else "the box")
                                          + ", or it leaks."))
    for z in r.zones:
        zone = f"zone {z.name}" + (f" (node {z.node})" if z.node is not None else "")
        if z.free_kb <= z.min_kb * 1.1:
            add(Note("watermark", f"{zone[:1].upper() + zone[1:]}: free {_size_kb(z.free_kb)} against the "
                                  f"min watermark {_size_kb(z.min_kb)}: pinned at the floor, "
                                  "nothing left to reclaim."))
        elif t is not None and t.order is not None and t.order > 0:
            add(Note("watermark", f"{zone[:1].upper() + zone[1:]}: free {_size_kb(z.free_kb)} is above "
                                  f"the min watermark {_size_kb(z.min_kb)}: memory was free, "
                                  "but not in a block large enough (fragmentation)."))
        else:
            add(Note("watermark", f"{zone[:1].upper() + zone[1:]}: free {_size_kb(z.free_kb)}, "
                                  f"above its min watermark {_size_kb(z.min_kb)}."))
    if t is not None and t.order is not None and t.order > 0 and r.buddy:
        need = (1 << min(t.order, 30)) * r.page_kb
        for zone, blocks in r.buddy:
            big = sum(count for size, count in blocks if size >= need)
            small = sum(count * size for size, count in blocks if size < need)
            if big == 0 and small:
                add(Note("fragmented", f"Zone {zone}: {format_size(small * KIB)} free in blocks "
                                       f"smaller than {format_size(need * KIB)}, and no free "
                                       "block that large: the request failed on fragmentation, "
                                       "not on a shortage."))
    if r.swap_total_kb is not None:
        if r.swap_total_kb == 0:
            add(Note("swap", "No swap at all (Total swap = 0kB): anonymous memory had nowhere "
                             "to go, so the OOM killer came without the slowdown that warns of "
                             "it."))
        else:
            free = r.swap_free_kb
            state = ("full" if free is not None and free * 20 <= r.swap_total_kb else
                     "not full")
            add(Note("swap", f"Swap: {_size_kb(free)} free of {_size_kb(r.swap_total_kb)} ("
                             f"{state})."
                             + (" Swap was used up before the kill." if state == "full" else
                                " Swap still had room: what filled memory could not be swapped "
                                "(shmem, mlock, or a cgroup swap limit) or it filled too fast.")))
    anon = _sum(r, "active_anon", "inactive_anon")
    file = _sum(r, "active_file", "inactive_file")
    if anon is not None and file is not None:
        a, f = anon * r.page_kb * KIB, file * r.page_kb * KIB
        if a >= 4 * f:
            add(Note("anon-vs-file", f"Anonymous memory {format_size(a)} against file cache "
                                     f"{format_size(f)}: almost all memory was program data "
                                     "(heaps, stacks) that cannot be dropped, only swapped; not "
                                     "cache."))
        else:
            add(Note("anon-vs-file", f"Anonymous memory {format_size(a)} against file cache "
                                     f"{format_size(f)}: much of memory was file cache, which "
                                     "is normally droppable; what could not be reclaimed was "
                                     "dirty, under writeback, shmem or locked."))
    elif v is not None and v.anon_rss_kb is not None and v.file_rss_kb is not None and \
            v.anon_rss_kb > 4 * (v.file_rss_kb + (v.shmem_rss_kb or 0)):
        add(Note("anon-vs-file", "The victim's memory was almost all anonymous: program "
                                     "data, not droppable cache."))
    missing = [name for name, absent in (("trigger line", r.trigger is None),
                                         ("kill line", not r.no_killable and (
                                             r.victim is None or r.victim.source != "kill line")),
                                         ("task table", r.task_columns is None and not r.tasks))
               if absent]
    if missing:
        add(Note("partial", "Partial report: no " + ", no ".join(missing) + " in the log; "
                            "what it does not say is left unknown."))
    if r.truncated:
        add(Note("truncated", "The report was longer than oomlint keeps of one report (lines, task "
                              "rows or zones); the rest was not read."))
    if r.page_kb != 4:
        add(Note("page-size", f"Pages are {r.page_kb} KiB on this machine (the victim's row "
                              "against its kill line says so); table sizes use that."))
    return notes


def _sum(r: OomReport, *keys: str) -> int | None:
    vals = [r.meminfo_value(k) for k in keys]
    return sum(vals) if all(x is not None for x in vals) else None


def _rss_of(r: OomReport, pid: int) -> int | None:
    v = r.victim
    if v is not None and v.pid == pid and v.anon_rss_kb is not None:
        return (v.anon_rss_kb + (v.file_rss_kb or 0) + (v.shmem_rss_kb or 0)) * KIB
    return None


def _repeats(reports: Sequence[OomReport]) -> dict[int, Note]:
    """The same process killed in several reports of one host: a leak or a restart loop."""
    by: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(reports):
        if r.victim is not None and r.victim.name and r.victim.pid is not None:
            by[(r.host, r.victim.name)].append(i)
    out: dict[int, Note] = {}
    for (_, name), idx in by.items():
        pids = {reports[i].victim.pid for i in idx}
        if len(pids) < 2:  # one kill (the same report in two logs, or one pid chosen twice)
            continue
        where = ", ".join(f"{reports[i].path}:{reports[i].victim.line}" for i in idx[:10])
        more = f" and {len(idx) - 10} more" if len(idx) > 10 else ""
        text = (f"{name} was killed in {len(idx)} reports ({where}{more}), "
                + "as a different pid each time: it was restarted and grew back into the wall. " +
                "A leak or a restart loop: cap it or fix the leak; restarting it unchanged just "
                "schedules the next kill.")
        for i in idx:
            out[i] = Note("repeated", text)
    return out


# ---- the report against the host's configuration ----------------------------------------------


def _comm_matches(unit: Unit, comm: str) -> bool:
    argv = unit.exec_argv()
    return bool(argv) and posixpath.basename(argv[0])[:15] == comm[:15]


def _unit_for(r: OomReport, host: Host) -> tuple[Unit | None, str | None, list[str]]:
    """The unit the report is about: the cgroup that hit its limit, else the victim's own
    cgroup, else the service whose ExecStart= runs the victim's command."""
    for path, how in ((r.cgroup, "cgroup"), (r.task_memcg, "task cgroup")):
        unit, _ = cgroup_owner(path)
        if unit and unit in host.units:
            return host.units[unit], how, []
    comm = r.victim.name if r.victim is not None and r.victim.name else None
    return _unit_for_comm(host, comm)


def _unit_for_comm(host: Host, comm: str | None) -> tuple[Unit | None, str | None, list[str]]:
    if comm is None:
        return None, None, []
    found = [u for u in host.services if u.fragment is not None and _comm_matches(u, comm)]
    if not found and comm in MYSQL_COMMS | PG_COMMS:
        kind = "mysql" if comm in MYSQL_COMMS else "postgresql"
        found = [db.unit for db in host.databases if db.unit is not None
                 and getattr(db.config, "kind", None) == kind]
    if not found and comm == "java":
        found = [j.unit for j in host.jvms]
    names = sorted({u.name for u in found})
    if len(names) == 1:
        return found[0], "command", []
    return None, None, names


def _service(budget: HostBudget | None, unit: Unit) -> ServiceBudget | None:
    if budget is None:
        return None
    for s in budget.services:
        if s.unit == unit.name or s.name == unit.name:
            return s
    return None


def _config_notes(r: OomReport, host: Host, budget: HostBudget | None,
                  ) -> tuple[ConfigLink, list[Note]]:
    notes: list[Note] = []
    add = notes.append
    unit, how, ambiguous = _unit_for(r, host)
    v = r.victim
    anon = _kb(v.anon_rss_kb) if v is not None else None
    cg_limit = r.memcg.limit_kb * KIB if r.memcg is not None else None
    cap = host.memory_cap(unit) if unit is not None else None
    svc = _service(budget, unit) if unit is not None else None
    if unit is None:
        if ambiguous:
            add(Note("config-unit", f"The victim's command {v.name} is run by several units of "
                                    f"this host: {', '.join(ambiguous)}; the report cannot say "
                                    "which."))
        elif v is not None and v.name:
            add(Note("config-unit", f"No unit of this host runs {v.name} (by its cgroup or its "
                                    "command): the configuration has nothing to say about it."))
    else:
        via = {"cgroup": f"the cgroup {r.cgroup} is {unit.name}",
               "task cgroup": f"the victim's cgroup {r.task_memcg} is {unit.name}",
               "command": f"{v.name} is the command of {unit.name}"
               + (" (its ExecStart= runs it)" if _comm_matches(unit, v.name) else
                  " (the database server it runs)")}[how]
        add(Note("config-unit", f"On this host {via}."))
        header = unit.service_header()
        if r.kind == "cgroup":
            if cap is not None and cg_limit is not None:
                if abs(cap.bytes - cg_limit) <= max(cap.bytes, cg_limit) // 100:
                    add(Note("config-memory-max",
                             f"The report's cgroup limit {format_size(cg_limit)} is the unit's "
                             f"MemoryMax ({format_size(cap.bytes)}): the limit worked as "
                             "configured. Either the service needs more than it (raise it) or it "
                             "does more than the limit allows (shrink its work).",
                             (("MemoryMax", cap.loc),)))
                else:
                    add(Note("config-memory-max",
                             f"The report's cgroup limit {format_size(cg_limit)} is not the "
                             f"configured MemoryMax {format_size(cap.bytes)}: the host ran "
                             "another configuration (systemctl set-property, a drop-in not in "
                             "this tree, or an older version).", (("MemoryMax", cap.loc),)))
            elif cap is not None:
                add(Note("config-memory-max", f"The unit's MemoryMax is {format_size(cap.bytes)}.",
                         (("MemoryMax", cap.loc),)))
            elif cg_limit is not None:
                add(Note("config-memory-max",
                         f"The configuration sets no MemoryMax on {unit.name} or its slices, yet "
                         f"the report shows a limit of {format_size(cg_limit)}: it was set "
                         "outside these files (systemctl set-property, a container runtime).",
                         (("[Service]", header),)))
        else:
            if cap is not None and anon is not None and anon > cap.bytes:
                add(Note("config-memory-max",
                         f"MemoryMax {format_size(cap.bytes)} should have stopped {unit.name} "
                         f"inside its own cgroup, yet the victim had {format_size(anon)} of "
                         "anon-rss: that limit was not in force when this report was written "
                         "(added since, or not applied).", (("MemoryMax", cap.loc),)))
            elif cap is not None:
                add(Note("config-memory-max",
                         f"MemoryMax {format_size(cap.bytes)} on {unit.name} was not reached"
                         + (f" (the victim had {format_size(anon)} anon-rss)" if anon else "")
                         + ": the machine ran out first"
                         + (", because what this host's services may use adds up to more than "
                            "its RAM." if budget is not None and budget.ram and (
                                budget.total > budget.ram or budget.unbounded) else "."),
                         (("MemoryMax", cap.loc),)))
            else:
                add(Note("config-memory-max",
                         f"No MemoryMax caps {unit.name} (neither the unit nor its slices): "
                         "nothing stopped it growing until the whole machine ran out. A "
                         "MemoryMax= in its [Service] section would make this a contained "
                         "cgroup OOM.", (("[Service]", header),)))
    if svc is not None and svc.kind not in ("unit", "slice"):  # there it is the MemoryMax
        located = sorted((t for t in svc.terms if t.loc is not None and t.bytes),
                         key=lambda t: -(t.bytes or 0))[:5]
        at = tuple((f"{t.label} = {format_size(t.bytes)}", t.loc) for t in located)
        if svc.worst_case is None:
            add(Note("config-worst-case", f"{svc.name}: its configured worst case is "
                                          "unbounded.", at))
        elif anon is not None and anon > svc.worst_case:
            add(Note("config-worst-case",
                     f"{svc.name}: anon-rss {format_size(anon)} at death is above its computed "
                     f"worst case {format_size(svc.worst_case)}: memory these files do not "
                     "account for (a leak, or settings from elsewhere).", at))
        else:
            focus = biggest_loc(svc)
            lead = next((t for t in svc.terms if t.loc == focus), None)
            add(Note("config-worst-case",
                     f"{svc.name}: the configuration allows it {format_size(svc.worst_case)} in "
                     f"the worst case ({svc.kind})"
                     + (f", {format_size(anon)} of it resident at death" if anon else "")
                     + (f"; the line that drives it: {lead.label}" if lead else "")
                     + ". Size it to the box: the lines below are what to change.", at))
    lg = r.largest
    if lg is not None and v is not None and lg.pid not in (v.pid, v.chosen_pid):
        big, _, _ = _unit_for_comm(host, lg.name)
        if big is not None:
            adj = big.get("OOMScoreAdjust")
            text = (f"The largest task, {lg.name} (pid {lg.pid}), is {big.name}"
                    + (f": OOMScoreAdjust={adj.raw} there made it "
                       + ("immune" if str(adj.raw).strip() == "-1000" else "less likely to be "
                          "chosen") + f", so the kernel killed {v.name} instead." if adj else "."))
            add(Note("config-largest", text, (("OOMScoreAdjust", adj.loc),) if adj else (
                ("[Service]", big.service_header()),)))
    if budget is not None and r.kind != "cgroup":
        if budget.ram:
            over = budget.total > budget.ram
            raw = budget.uncapped_total
            over_raw = raw > budget.ram
            unb = [s.name for s in budget.unbounded]
            add(Note("config-host-budget",
                     f"The host's services add up to {format_size(budget.total)} in the worst "
                     f"case against {format_size(budget.ram)} of RAM "
                     f"({budget.total * 100 // budget.ram}%)"
                     + (f", {format_size(raw)} ({raw * 100 // budget.ram}%) if their caps are "
                        "not in force" if raw != budget.total else "")
                     + (f", plus {len(unb)} with no cap ({', '.join(unb)})" if unb else "")
                     + (": the configuration predicted this OOM." if over or unb else
                        ": it fits only while every cap holds." if over_raw else
                        ": on paper it fits; something outside the configuration grew.")))
        else:
            add(Note("config-host-budget", "The host's RAM is unknown (give --ram or ram= in "
                                           ".oomlint.toml), so its budget cannot be compared."))
    if unit is not None and v is not None:
        notes += _adj_notes(r, host, unit)
    notes += _swap_notes(r, host)
    link = ConfigLink(
        host=host.name, unit=unit.name if unit is not None else None, matched_by=how,
        memory_max=cap.bytes if cap is not None else None,
        memory_max_loc=cap.loc if cap is not None else None, cgroup_limit=cg_limit,
        worst_case=svc.worst_case if svc is not None else None,
        worst_case_loc=biggest_loc(svc) if svc is not None else None,
        service_kind=svc.kind if svc is not None else None,
        host_worst_case=budget.total if budget is not None else None,
        host_uncapped_worst_case=budget.uncapped_total if budget is not None else None,
        ram=host.ram, unbounded=tuple(s.name for s in budget.unbounded) if budget else ())
    return link, notes


def _adj_notes(r: OomReport, host: Host, unit: Unit) -> list[Note]:
    """The victim's oom_score_adj in the report against what its unit gives its processes
    (OOMScoreAdjust=, else system.conf DefaultOOMScoreAdjust=, else 0; systemd.exec(5))."""
    v = r.victim
    if v is None or v.oom_score_adj is None:
        return []
    s = unit.get("OOMScoreAdjust")
    if s is not None:
        if not isinstance(s.value, int):
            return []  # templated: which value an instance gets is not in the files
        conf, said, at = s.value, f"OOMScoreAdjust={s.value}", (("OOMScoreAdjust", s.loc),)
    else:
        m = host.manager.get("DefaultOOMScoreAdjust")
        try:
            conf = int(str(m.value).strip()) if m is not None else 0
        except ValueError:
            return []
        said = (f"no OOMScoreAdjust=, so system.conf's DefaultOOMScoreAdjust={conf}"
                if m is not None else "no OOMScoreAdjust= (the default 0)")
        at = (("DefaultOOMScoreAdjust", m.loc),) if m is not None else (
            ("[Service]", unit.service_header()),)
    if conf == v.oom_score_adj:
        return []
    why = ("PostgreSQL resets its backends' value to PG_OOM_ADJUST_VALUE when "
           "PG_OOM_ADJUST_FILE is set (Debian's pg_ctlcluster sets it)" if v.name in PG_COMMS
           else "the unit was not restarted since the line changed, or something wrote "
                "/proc/PID/oom_score_adj: by hand, a wrapper, the program itself")
    return [Note("config-oom-score-adj",
                 f"{v.name} (pid {v.pid}) was killed with oom_score_adj {v.oom_score_adj}, but "
                 f"{unit.name} gives its processes {said}: the process ran with a value its "
                 f"unit does not set ({why}). The kernel ranked it by the running value.", at)]


def _swap_notes(r: OomReport, host: Host) -> list[Note]:
    """The report's swap total (mm/swap_state.c ``Total swap``) against the swap this host's
    configuration sets up."""
    if r.swap_total_kb is None or host.loose:
        return []
    total = r.swap_total_kb * KIB
    active = [s for s in host.swaps if s.active]
    at = tuple((f"swap {s.what}", s.loc) for s in active[:3] if s.loc is not None)
    if total and not host.swap_configured:
        inactive = [s for s in host.swaps if not s.active]
        return [Note("config-swap",
                     f"The report shows {format_size(total)} of swap, but this host's "
                     "configuration sets up none"
                     + (f" that is activated at boot ({inactive[0].what}: {inactive[0].note})"
                        if inactive else " (no swap line in /etc/fstab, no .swap unit, no zram "
                                         "device, no dphys-swapfile)")
                     + ": it was enabled by hand (swapon) or by something outside these files, "
                       "and is gone after a reboot.",
                     tuple((f"swap {s.what}", s.loc) for s in inactive[:1] if s.loc))]
    if not total and host.swap_configured:
        conf = host.swap_bytes
        return [Note("config-swap",
                     "The report shows no swap (Total swap = 0kB), but this host's configuration "
                     "sets up " + (f"{format_size(conf)} of swap" if conf else "swap")
                     + ": it was not active when the OOM happened (swapoff, a failed activation "
                       "at boot, or an older configuration).", at)]
    conf = host.swap_bytes
    if total and conf and abs(conf - total) > max(conf, total) // 20:
        return [Note("config-swap",
                     f"The report shows {format_size(total)} of swap, the configuration sets up "
                     f"{format_size(conf)}: the host ran with other swap than these files "
                     "describe.", at)]
    return []


def explain_reports(reports: Sequence[OomReport], host: Host | None = None,
                    budget: HostBudget | None = None) -> list[Explanation]:
    """One explanation per report, in order; `host` (and its `budget`) tie each report to
    that host's configuration."""
    repeats = _repeats(reports)
    out = []
    for i, r in enumerate(reports):
        unit, container = cgroup_owner(r.cgroup) if r.kind == "cgroup" else (None, None)
        notes = _report_notes(r, unit, container)
        if i in repeats:
            notes.append(repeats[i])
        config = None
        if host is not None:
            config, more = _config_notes(r, host, budget)
            notes += more
        v = r.victim
        out.append(Explanation(
            report=r, notes=tuple(notes), unit=unit, container=container, config=config,
            anon_rss=_kb(v.anon_rss_kb) if v else None, file_rss=_kb(v.file_rss_kb) if v else None,
            shmem_rss=_kb(v.shmem_rss_kb) if v else None,
            largest_rss=r.largest.rss * r.page_kb * KIB if r.largest is not None else None))
    return out
