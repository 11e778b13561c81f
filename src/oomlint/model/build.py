"""Build a `Host` from a `Tree`, reading files the way systemd, systemd-sysctl, the fstab
generator, zram-generator and dphys-swapfile read them.

Precedence is resolved here, once: unit search path and masking, aliases, drop-ins merged
across directories, slices; sysctl.d ordering; swap sources. Every effective value is a
`Setting` carrying its line and the assignments it overrode.
"""

from __future__ import annotations

import os
import posixpath
import re
import traceback

from oomlint.findings import Problems
from oomlint.model.host import (
    MEMORY_KEYS,
    TEMPLATED,
    DatabaseInstance,
    Host,
    Ignored,
    JvmInstance,
    SwapSource,
    Unit,
)
from oomlint.model.systemd_keys import SECTIONS_BY_TYPE, UNIT_TYPES, is_known
from oomlint.parsers.source import LINK_LOOP, Tree, rel
from oomlint.parsers.swap import (
    ExprError,
    eval_zram_expr,
    parse_fstab,
    parse_ini,
    parse_shell_vars,
)
from oomlint.parsers.sysctl import parse_sysctl
from oomlint.parsers.systemd import Assignment, is_templated, parse_unit
from oomlint.parsers.systemd_exec import expand_exec, split_environment
from oomlint.provenance import Chain, Loc, Setting
from oomlint.units import (
    MIB,
    GrammarError,
    MemoryLimit,
    kernel_parse_int,
    systemd_parse_int,
    systemd_parse_memory_limit,
    systemd_parse_permyriad,
    systemd_parse_timespan,
)

TEMPLATED_VALUE = "OOM007"
INTERNAL_ERROR = "OOM099"

# systemd-analyze unit-paths on Debian 12 (systemd 252), highest priority first.
UNIT_DIRS = (
    "/etc/systemd/system.control",
    "/run/systemd/system.control",
    "/run/systemd/transient",
    "/run/systemd/generator.early",
    "/etc/systemd/system",
    "/etc/systemd/system.attached",
    "/run/systemd/system",
    "/run/systemd/system.attached",
    "/run/systemd/generator",
    "/usr/local/lib/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/run/systemd/generator.late",
)
SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
               "/lib/sysctl.d")
CONF_ROOTS = ("/etc/systemd", "/run/systemd", "/usr/local/lib/systemd", "/usr/lib/systemd",
              "/lib/systemd")

SERVICE_TYPES = {"simple", "exec", "forking", "oneshot", "dbus", "notify", "notify-reload", "idle"}
RESTART_VALUES = {"no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort",
                  "always"}
CHOICES = {
    "OOMPolicy": {"continue", "stop", "kill"},
    "ManagedOOMSwap": {"auto", "kill"},
    "ManagedOOMMemoryPressure": {"auto", "kill"},
    "ManagedOOMPreference": {"none", "avoid", "omit"},
    "Restart": RESTART_VALUES,
    "Type": SERVICE_TYPES,
}
BOOLEANS = {"1": True, "yes": True, "y": True, "true": True, "t": True, "on": True,
            "0": False, "no": False, "n": False, "false": False, "f": False, "off": False}
LIST_KEYS = {"ExecStart", "Environment", "EnvironmentFile"}
TIME_KEYS = {"RestartSec", "StartLimitIntervalSec"}
INT_KEYS = {"StartLimitBurst"}
# Directives whose templated values matter to oomlint's rules (reported as OOM007).
RELEVANT = set(MEMORY_KEYS) | {"OOMScoreAdjust", "OOMPolicy", "Restart", "RestartSec", "Slice",
                               "StartLimitIntervalSec", "StartLimitInterval", "StartLimitBurst",
                               "Type"}

SYSCTL_INT_RANGES = {
    "vm.overcommit_memory": (0, 2),
    "vm.overcommit_ratio": (None, None),
    "vm.overcommit_kbytes": (0, None),
    "vm.swappiness": (0, 200),
    "vm.panic_on_oom": (0, 2),
    "vm.oom_kill_allocating_task": (None, None),
    "vm.oom_dump_tasks": (None, None),
    "vm.nr_hugepages": (0, None),
    "vm.min_free_kbytes": (0, None),
    "vm.vfs_cache_pressure": (0, None),
    "vm.watermark_scale_factor": (1, 3000),
    "vm.admin_reserve_kbytes": (0, None),
    "vm.user_reserve_kbytes": (0, None),
    "kernel.panic": (None, None),
}


class _Reader:
    """Reads and parses each file once (links and /lib==/usr/lib make repeats common)."""

    def __init__(self, tree: Tree, host: Host, problems: Problems):
        self.tree = tree
        self.host = host
        self.problems = problems
        self.cache: dict[tuple[str, str], object] = {}

    def parse(self, vpath: str, kind: str, parser, *args):
        entry = self.tree.lookup(vpath)
        key = (entry.target, kind)
        if key in self.cache:
            return self.cache[key]
        got = self.tree.read_text(vpath, self.problems)
        result = None
        if got is not None:
            shown, text = got
            result = parser(text, shown, self.problems, *args)
            self.host.pragmas.extend(getattr(result, "pragmas", []))
        self.cache[key] = result
        return result


def build_host(tree: Tree, name: str, *, loose: bool = False, ram: int | None = None,
               ram_source: str = "", swap: int | None = None,
               db_flavors: dict[str, str] | None = None) -> Host:
    host = Host(name=name, loose=loose, ram=ram, ram_source=ram_source, swap_override=swap,
                db_flavors=dict(db_flavors or {}))
    problems = Problems()
    reader = _Reader(tree, host, problems)
    steps = (
        ("systemd units", lambda: _load_units(tree, reader, host)),
        ("system.conf", lambda: _load_manager(tree, reader, host)),
        ("sysctl", lambda: _load_sysctl(tree, reader, host)),
        ("swap", lambda: _load_swap(tree, reader, host)),
        ("databases", lambda: _load_databases(tree, reader, host, problems)),
        ("JVM services", lambda: _load_jvms(tree, host, problems)),
    )
    for what, step in steps:
        try:
            step()
        except Exception as exc:  # a reader bug must not hide the rest of the host
            problems.items.append(_internal_error(f"reading {what}", exc))
    for link in tree.loops:  # loops met only while looking up (directories, probes)
        if link not in tree.reported_loops:
            problems.add(LINK_LOOP, Loc(rel(link)), "symbolic link loop: too many levels of links")
    host.problems = [*problems.items, *host.problems]
    return host


def _internal_error(what: str, exc: Exception):
    """OOM099 for a failure while building the model; the engine makes it exit code 2."""
    from oomlint.findings import Finding

    tb = traceback.StackSummary.extract(traceback.walk_tb(exc.__traceback__),
                                        lookup_lines=False)[-1]
    return Finding(INTERNAL_ERROR, f"{what} failed: {type(exc).__name__}: {exc} "
                   f"({tb.filename.rsplit('/', 1)[-1]}:{tb.lineno}); the rest of the host "
                   "was still checked; please report this", Loc(".", 0))


# -- systemd units ----------------------------------------------------------------------


def _unit_type(name: str) -> str | None:
    if "." not in name:
        return None
    t = name.rsplit(".", 1)[1]
    return t if t in UNIT_TYPES else None


def _load_dirs(tree: Tree) -> list[str]:
    dirs, seen = [], set()
    for d in UNIT_DIRS:
        e = tree.lookup(d)
        if e.kind == "dir" and e.target not in seen:
            seen.add(e.target)
            dirs.append(d)
    return dirs


def _load_units(tree: Tree, reader: _Reader, host: Host) -> None:
    dirs = _load_dirs(tree)
    dir_targets = {tree.lookup(d).target: d for d in dirs}
    first: dict[str, str] = {}
    dropin_names: set[str] = set()
    instances: set[str] = set()
    for d in dirs:
        for n in tree.listdir(d):
            if n.endswith(".d"):
                dropin_names.add(n[:-2])
            elif n.endswith((".wants", ".requires", ".upholds")):
                for m in tree.listdir(f"{d}/{n}"):
                    if "@" in m and not m.split("@", 1)[1].startswith("."):
                        instances.add(m)
            elif _unit_type(n):
                first.setdefault(n, d)
    aliases: dict[str, str] = {}
    masked: set[str] = set()
    fragments: dict[str, str] = {}
    for n, d in sorted(first.items()):
        vpath = f"{d}/{n}"
        entry = tree.lookup(vpath)
        if entry.kind == "devnull":
            masked.add(n)
            continue
        if entry.is_link and entry.kind == "file":
            target_dir = posixpath.dirname(entry.target)
            base = posixpath.basename(entry.target)
            if base != n and target_dir in dir_targets and _unit_type(base) == _unit_type(n):
                aliases[n] = base
                continue
        fragments[n] = vpath
    names = set(fragments) | masked
    for n in dropin_names:
        if _unit_type(n) and "@" in n and not n.split("@", 1)[1].startswith("."):
            instances.add(n)
        elif _unit_type(n) and n not in aliases and n not in names and \
                n.rsplit(".", 1)[0] not in UNIT_TYPES and not _is_prefix_name(n):
            names.add(n)  # drop-ins for a unit whose file is not in the tree
    if "postgresql@.service" in fragments:
        for ver in tree.listdir("/etc/postgresql"):
            for cluster in tree.listdir(f"/etc/postgresql/{ver}"):
                if tree.lookup(f"/etc/postgresql/{ver}/{cluster}/postgresql.conf").kind == "file":
                    instances.add(f"postgresql@{ver}-{cluster}.service")
    for inst in instances:
        tmpl = _template_of(inst)
        if tmpl and (tmpl in fragments or inst in fragments):
            names.add(inst)
    # Templates with known instances are checked through their instances.
    instantiated = {_template_of(i) for i in instances if i in names}
    def make(n: str) -> Unit:
        alias_names = tuple(sorted(a for a, t in aliases.items() if t == n))
        unit = Unit(n, None, masked=n in masked, aliases=alias_names, template=_template_of(n))
        if unit.masked:
            return unit
        frag_path = fragments.get(n) or (fragments.get(unit.template) if unit.template else None)
        sections = set(SECTIONS_BY_TYPE.get(_unit_type(n) or "", ()))
        if frag_path:
            unit.fragment = reader.parse(frag_path, "unit", parse_unit, sections)
            if unit.fragment is not None and not unit.fragment.assignments and not \
                    unit.fragment.sections and tree.lookup(frag_path).kind == "file":
                unit.masked = True  # an empty unit file masks the unit
        for dp in _dropin_paths(tree, dirs, n, alias_names, unit.template):
            f = reader.parse(dp, "unit", parse_unit, sections)
            if f is not None:
                unit.dropins.append(f)
        _resolve_unit(unit, host)
        return unit

    for n in sorted(names):
        if n in instantiated and n not in masked:
            continue
        host.units[n] = make(n)
    # Slices that are only named (Slice=, or a parent in the name) still get their prefix
    # and type-level drop-ins (`apps-.slice.d/`, `slice.d/`), as systemd loads them.
    pending = sorted({s for u in host.units.values() for s in u.slice_chain} - set(host.units))
    while pending:
        s = pending.pop(0)
        if s in host.units:
            continue
        host.units[s] = make(s)
        pending += [p for p in host.units[s].slice_chain if p not in host.units]


def _is_prefix_name(name: str) -> bool:
    """``app-.service`` names a prefix drop-in directory (for every ``app-*.service``)."""
    stem = name.rsplit(".", 1)[0]
    return stem.endswith("-") and stem != "-"


def _template_of(name: str) -> str | None:
    if "@" not in name:
        return None
    prefix, rest = name.split("@", 1)
    return f"{prefix}@.{rest.rsplit('.', 1)[1]}" if "." in rest else None


def _dropin_dirnames(name: str, template: str | None) -> list[str]:
    stem, _, utype = name.rpartition(".")
    out = [f"{name}.d"]
    if template and template != name:
        out.append(f"{template}.d")
    base = stem.split("@", 1)[0]
    for i in range(len(base) - 1, 0, -1):
        if base[i] == "-" and i < len(base) - 1:
            out.append(f"{base[: i + 1]}.{utype}.d")
    seen, uniq = set(), []
    for d in out:
        if d not in seen:
            seen.add(d)
            uniq.append(d)
    return uniq


def _dropin_paths(tree: Tree, dirs: list[str], name: str, aliases: tuple[str, ...],
                  template: str | None) -> list[str]:
    """Drop-in files in the order systemd applies them: candidates from every load-path
    directory (highest priority first; within one, the most specific name first, then
    aliases, then the type-level `service.d/`), first of each basename wins, survivors
    sorted by basename in byte order."""
    utype = name.rsplit(".", 1)[1]
    names = _dropin_dirnames(name, template)
    for a in aliases:
        names += [d for d in _dropin_dirnames(a, _template_of(a)) if d not in names]
    names.append(f"{utype}.d")
    chosen: dict[str, str] = {}
    for d in dirs:
        for dn in names:
            for fn in tree.listdir(f"{d}/{dn}"):
                if fn.endswith(".conf") and fn not in chosen:
                    chosen[fn] = f"{d}/{dn}/{fn}"
    return [chosen[k] for k in sorted(chosen, key=lambda s: s.encode("utf-8", "surrogateescape"))]


def _slice_parents(slice_name: str) -> tuple[str, ...]:
    """``a-b.slice`` -> (``a-b.slice``, ``a.slice``, ``-.slice``)."""
    if slice_name == "-.slice":
        return ("-.slice",)
    stem = slice_name[: -len(".slice")]
    chain = [slice_name]
    while "-" in stem:
        stem = stem.rsplit("-", 1)[0]
        chain.append(f"{stem}.slice")
    chain.append("-.slice")
    return tuple(chain)


def _escape_prefix(prefix: str) -> str:
    return "".join(c if c.isalnum() or c in ":_." else f"\\x{ord(c):02x}" for c in prefix)


def _resolve_unit(unit: Unit, host: Host) -> None:
    """Walk the fragment and drop-ins in order and keep the effective value of every
    directive oomlint reasons about, as systemd would."""
    sections = SECTIONS_BY_TYPE.get(unit.type, ())
    for f in unit.files:
        if not f.loaded:
            continue
        for a in f.assignments:
            if a.section not in sections or not is_known(a.section, a.key):
                continue  # systemd ignores unknown keys and other unit types' sections
            _apply(unit, a, host)
    if unit.type == "service":
        slice_setting = unit.get("Slice")
        if slice_setting is not None and slice_setting.value is not TEMPLATED:
            sl = slice_setting.value
        elif unit.template:
            sl = f"system-{_escape_prefix(unit.name.split('@', 1)[0])}.slice"
        else:
            sl = "system.slice"
        unit.slice_chain = _slice_parents(sl)
    elif unit.type == "slice":
        unit.slice_chain = _slice_parents(unit.name)[1:]


SAME_FIELD = {"StartLimitInterval": "StartLimitIntervalSec"}


def _apply(unit: Unit, a: Assignment, host: Host) -> None:
    key, raw = SAME_FIELD.get(a.key, a.key), a.value
    prev = unit.settings.get(key)
    if key in LIST_KEYS:
        kept = () if raw == "" or prev is None or prev.value is None else prev.value
        values = kept if isinstance(kept, Chain) else Chain(kept)  # O(1) per entry
        unit.settings[key] = Setting(key, raw, values.plus(raw) if raw else values,
                                     a.loc).overriding(prev)
        return
    if raw == "":
        if key in ("OOMPolicy", "Restart"):  # systemd 252 refuses the empty value here
            unit.ignored.append(Ignored(a, "the empty value is not accepted"))
            return
        unit.settings[key] = Setting(key, raw, None, a.loc).overriding(prev)
        return
    if is_templated(raw):
        if key in RELEVANT:
            host.problems.append(_templated(a))
        unit.settings[key] = Setting(key, raw, TEMPLATED, a.loc).overriding(prev)
        return
    if key == "Type" and a.section != "Service":
        unit.settings[key] = Setting(key, raw, raw, a.loc).overriding(prev)
        return
    try:
        value = _convert(key, raw)
    except GrammarError as exc:
        unit.ignored.append(Ignored(a, str(exc)))
        return
    unit.settings[key] = Setting(key, raw, value, a.loc).overriding(prev)


def _templated(a: Assignment):
    from oomlint.findings import Finding

    return Finding(TEMPLATED_VALUE, f"{a.key}={a.value}: a template expression cannot be "
                   "evaluated; the setting is treated as unknown", a.loc)


def _convert(key: str, raw: str):
    if key in MEMORY_KEYS:
        return systemd_parse_memory_limit(key, raw)
    if key == "OOMScoreAdjust":
        v = systemd_parse_int(raw)
        if not -1000 <= v <= 1000:
            raise GrammarError(f"{v} is outside -1000..1000")
        return v
    if key == "ManagedOOMMemoryPressureLimit":
        return systemd_parse_permyriad(raw)
    if key in CHOICES:
        if raw not in CHOICES[key]:
            lowered = raw.lower()
            hint = f" (values are case-sensitive: {lowered!r})" if lowered in CHOICES[key] else ""
            raise GrammarError(
                f"{raw!r} is not one of {', '.join(sorted(CHOICES[key]))}{hint}"
            )
        return raw
    if key in TIME_KEYS:
        return systemd_parse_timespan(raw)
    if key in INT_KEYS:
        if not re.fullmatch(r"[0-9]+", raw):
            raise GrammarError(f"{raw!r} is not a non-negative integer")
        if len(raw.lstrip("0")) > 10 or int(raw) > 2**32 - 1:  # safe_atou(): ERANGE
            raise GrammarError(f"{raw[:40]!r} is out of range")
        return int(raw)
    if key == "RemainAfterExit":
        if raw.lower() not in BOOLEANS:
            raise GrammarError(f"{raw!r} is not a boolean")
        return BOOLEANS[raw.lower()]
    if key == "Slice":
        if not raw.endswith(".slice"):
            raise GrammarError(f"{raw!r} is not a slice name")
        return raw
    return raw


# -- system.conf --------------------------------------------------------------------------


def _conf_files(tree: Tree, main_name: str, roots=CONF_ROOTS) -> list[str]:
    """A systemd-style configuration: the main file (first found, /etc first) and then
    `<main>.d/*.conf` from every root, same basename masking, sorted by basename."""
    out = []
    for r in roots:
        p = f"{r}/{main_name}"
        if tree.lookup(p).kind != "missing":  # what cannot be read is reported when read
            out.append(p)
            break
    chosen: dict[str, str] = {}
    for r in roots:
        for fn in tree.listdir(f"{r}/{main_name}.d"):
            if fn.endswith(".conf") and fn not in chosen:
                chosen[fn] = f"{r}/{main_name}.d/{fn}"
    out += [chosen[k] for k in sorted(chosen)]
    return out


def _load_manager(tree: Tree, reader: _Reader, host: Host) -> None:
    for path in _conf_files(tree, "system.conf"):
        f = reader.parse(path, "unit", parse_unit, {"Manager"})
        if f is None:
            continue
        host.manager_files.append(f)
        for a in f.assignments:
            if a.section == "Manager" and is_known("Manager", a.key):
                prev = host.manager.get(a.key)
                host.manager[a.key] = Setting(a.key, a.value, a.value, a.loc).overriding(prev)


# -- sysctl -------------------------------------------------------------------------------


def sysctl_files(tree: Tree) -> list[str]:
    chosen: dict[str, str] = {}
    for d in SYSCTL_DIRS:
        for fn in tree.listdir(d):
            if fn.endswith(".conf") and fn not in chosen:
                chosen[fn] = f"{d}/{fn}"
    # Debian and RHEL ship 99-sysctl.conf -> ../sysctl.conf; a tree that carries only
    # /etc/sysctl.conf gets it at that position, as the packaged link would place it.
    if "99-sysctl.conf" not in chosen and tree.lookup("/etc/sysctl.conf").kind != "missing":
        chosen["99-sysctl.conf"] = "/etc/sysctl.conf"
    return [chosen[k] for k in sorted(chosen, key=lambda s: s.encode("utf-8", "surrogateescape"))]


_ZEROES = {"vm.overcommit_ratio": "vm.overcommit_kbytes",
           "vm.overcommit_kbytes": "vm.overcommit_ratio"}


def _load_sysctl(tree: Tree, reader: _Reader, host: Host) -> None:
    for path in sysctl_files(tree):
        f = reader.parse(path, "sysctl", parse_sysctl)
        if f is None:
            continue
        for a in f.assignments:
            prev = host.sysctl.get(a.key)
            value: object = a.value
            if is_templated(a.value):
                if a.key in SYSCTL_INT_RANGES:
                    host.problems.append(_templated(Assignment("", a.raw_key, a.value, a.loc)))
                value = TEMPLATED
            elif a.key in SYSCTL_INT_RANGES:
                lo, hi = SYSCTL_INT_RANGES[a.key]
                try:
                    value = kernel_parse_int(a.value)
                    if (lo is not None and value < lo) or (hi is not None and value > hi):
                        rng = f"{lo}..{hi}" if hi is not None else f">= {lo}"
                        raise GrammarError(f"{value} is outside {rng}")
                except GrammarError as exc:
                    host.sysctl_ignored.append(
                        Ignored(Assignment("", a.key, a.value, a.loc), str(exc))
                    )
                    continue
            host.sysctl[a.key] = Setting(a.key, a.value, value, a.loc).overriding(prev)
            other = _ZEROES.get(a.key)
            if other in host.sysctl and isinstance(value, int):
                # mm/util.c: writing one of the pair sets the other to 0.
                host.sysctl[other] = Setting(other, f"0 (reset by writing {a.key})", 0,
                                             a.loc).overriding(host.sysctl[other])


# -- swap ---------------------------------------------------------------------------------


def _file_size(tree: Tree, vpath: str) -> int | None:
    e = tree.lookup(vpath)
    if e.kind != "file" or e.real is None:
        return None
    try:
        return os.stat(e.real).st_size or None
    except OSError:
        return None


def _load_swap(tree: Tree, reader: _Reader, host: Host) -> None:
    fstab = reader.parse("/etc/fstab", "fstab", parse_fstab) if tree.exists("/etc/fstab") else None
    fstab_specs = set()
    if fstab is not None:
        for s in fstab.swaps:
            size = _file_size(tree, s.spec) if s.spec.startswith("/") else None
            fstab_specs.add(s.spec)
            host.swaps.append(SwapSource("fstab", s.spec, s.loc, size, active=not s.noauto,
                                         note="noauto: not activated at boot" if s.noauto else ""))
    for unit in list(host.units.values()):
        if unit.type != "swap" or unit.masked or unit.fragment is None:
            continue
        what = next((a for f in unit.files for a in f.assignments
                     if a.section == "Swap" and a.key == "What"), None)
        if what is None or what.value in fstab_specs:
            continue
        size = _file_size(tree, what.value) if what.value.startswith("/") else None
        host.swaps.append(SwapSource("unit", what.value, what.loc, size))
    _load_zram(tree, reader, host)
    _load_dphys(tree, reader, host)


def _load_zram(tree: Tree, reader: _Reader, host: Host) -> None:
    values: dict[str, dict[str, Setting[str]]] = {}
    headers: dict[str, Loc] = {}
    for path in _conf_files(tree, "zram-generator.conf"):
        f = reader.parse(path, "ini", parse_ini)
        if f is None:
            continue
        for sec, loc in f.sections.items():
            if re.fullmatch(r"zram[0-9]+", sec):
                headers.setdefault(sec, loc)
                values.setdefault(sec, {})
        for v in f.values:
            if v.section in values:
                prev = values[v.section].get(v.key)
                values[v.section][v.key] = Setting(v.key, v.value, v.value, v.loc).overriding(prev)
    ram_mib = host.ram // MIB if host.ram else None
    # By device number, compared as digit strings: int() refuses more than 4300 digits.
    for dev in sorted(values, key=lambda s: (len(s[4:].lstrip("0")), s[4:].lstrip("0"), s)):
        kv = values[dev]
        if "mount-point" in kv:
            continue  # a zram filesystem, not swap
        limit = kv.get("host-memory-limit") or kv.get("memory-limit")
        if limit is not None and limit.value != "none" and ram_mib is not None:
            try:
                if ram_mib > float(limit.value):
                    continue
            except ValueError:
                pass
        if "zram-fraction" in kv or "max-zram-size" in kv:
            frac = kv.get("zram-fraction")
            cap = kv.get("max-zram-size")
            expr = f"min(ram * {frac.value if frac else 0.5}, {cap.value if cap else 4096})"
            loc = (frac or cap).loc
        elif "zram-size" in kv:
            expr, loc = kv["zram-size"].value, kv["zram-size"].loc
        else:
            expr, loc = "min(ram / 2, 4096)", headers[dev]
        try:
            mib = eval_zram_expr(expr, ram_mib)
            size: int | None = int(mib * MIB)
            if size <= 0:
                continue
        except ExprError:
            size = None
        except (OverflowError, ValueError):
            size = None
        host.swaps.append(SwapSource("zram", f"/dev/{dev}", loc, size,
                                     note=f"zram-size = {expr} (MiB); compressed in RAM"))


def _load_dphys(tree: Tree, reader: _Reader, host: Host) -> None:
    if not tree.exists("/etc/dphys-swapfile"):
        return
    f = reader.parse("/etc/dphys-swapfile", "shell", parse_shell_vars)
    if f is None:
        return
    for name, var in f.vars.items():
        host.dphys[name] = Setting(name, var.value, var.value, var.loc)

    def num(name: str, default: int | None) -> int | None:
        s = host.dphys.get(name)
        if s is None:
            return default
        if s.value == "":
            return None if name == "CONF_MAXSWAP" else default
        # dphys-swapfile compares the value with `[ N -gt M ]`: ASCII digits within 64 bits.
        return int(s.value) if re.fullmatch(r"[0-9]{1,18}", s.value) else default

    size_mib = num("CONF_SWAPSIZE", None)
    if size_mib is None and host.ram:
        size_mib = (host.ram // MIB + 10) * (num("CONF_SWAPFACTOR", 2) or 2)
    cap = num("CONF_MAXSWAP", 2048)
    if size_mib is not None and cap is not None:
        size_mib = min(size_mib, cap)
    loc = host.dphys["CONF_SWAPSIZE"].loc if "CONF_SWAPSIZE" in host.dphys else Loc(
        rel("/etc/dphys-swapfile"), 0)
    swapfile = host.dphys.get("CONF_SWAPFILE")
    host.swaps.append(SwapSource("dphys-swapfile", swapfile.value if swapfile else "/var/swap",
                                 loc, size_mib * MIB if size_mib is not None else None))


# -- databases ----------------------------------------------------------------------------

MYSQL_BINARIES = {"mysqld", "mariadbd", "mysqld_safe", "mariadbd-safe", "mysqld-safe"}
MYSQL_UNITS = ("mariadb.service", "mysql.service", "mysqld.service")
PG_BINARIES = {"postgres", "postmaster", "pg_ctl", "pg_ctlcluster"}


def _environment(unit: Unit) -> dict[str, str]:
    """The unit's Environment= assignments, later ones winning (systemd.exec(5))."""
    env: dict[str, str] = {}
    s = unit.settings.get("Environment")
    for value in (s.value or ()) if s is not None else ():
        env.update(split_environment(value))
    return env


def _exec_argv(unit: Unit) -> list[str]:
    """The last ExecStart= command line as systemd runs it: prefixes stripped from the
    executable, $VAR and ${VAR} expanded from Environment=."""
    s = unit.settings.get("ExecStart")
    if s is None or not s.value:
        return []
    return expand_exec(s.value[-1], _environment(unit))


def _flag(argv: list[str], *names: str) -> str | None:
    value = None
    for i, w in enumerate(argv):
        for n in names:
            if w.startswith(n + "="):
                value = w.split("=", 1)[1]
            elif w == n and i + 1 < len(argv):
                value = argv[i + 1]
    return value


def _load_databases(tree: Tree, reader: _Reader, host: Host, problems: Problems) -> None:
    from oomlint.model.databases import load_mysql, load_postgresql

    used: set[str] = set()
    # MySQL / MariaDB: units that run the server, else the distribution's default files.
    mysql_units = [u for u in host.services if u.fragment is not None and (
        u.name in MYSQL_UNITS or u.template in ("mariadb@.service", "mysqld@.service") or
        any(posixpath.basename(w) in MYSQL_BINARIES for w in _exec_argv(u)[:1]))]
    mariadb = tree.exists("/etc/mysql/mariadb.cnf") or tree.exists("/etc/mysql/mariadb.conf.d") \
        or any("mariadb" in u.name or "mariadbd" in " ".join(_exec_argv(u)) for u in mysql_units)
    flavor = host.db_flavors.get("mysql") or ("mariadb-10.11" if mariadb else "mysql-8.0")
    for unit in mysql_units or [None]:
        argv = _exec_argv(unit) if unit else []
        defaults_file = _flag(argv, "--defaults-file")
        start = [defaults_file] if defaults_file else ["/etc/my.cnf", "/etc/mysql/my.cnf"]
        extra = _flag(argv, "--defaults-extra-file")
        if extra and not defaults_file:
            start.append(extra)
        if not any(tree.exists(p) for p in start):
            continue
        cfg = load_mysql(tree, start, flavor, problems)
        if cfg is None or not cfg.files:
            continue
        unit = _linked_unit(host, cfg) or unit
        key = ",".join(cfg.files)
        if key in used:
            continue
        used.add(key)
        host.pragmas.extend(cfg.pragmas)
        name = unit.name if unit else f"mysqld ({cfg.files[0]})"
        host.databases.append(DatabaseInstance(name, cfg, unit, Loc(cfg.files[0], 0)))
    # PostgreSQL: Debian clusters /etc/postgresql/VER/CLUSTER, then units naming a data dir.
    for ver in tree.listdir("/etc/postgresql"):
        for cluster in tree.listdir(f"/etc/postgresql/{ver}"):
            conf = f"/etc/postgresql/{ver}/{cluster}/postgresql.conf"
            kind = tree.lookup(conf).kind
            if kind != "file":
                if kind in ("dir", "loop", "other"):
                    tree.read_text(conf, problems)  # reports why it cannot be read
                continue
            unit = host.units.get(f"postgresql@{ver}-{cluster}.service") or \
                host.units.get("postgresql@.service")
            _add_pg(tree, host, problems, conf, ver, unit, load_postgresql,
                    f"/var/lib/postgresql/{ver}/{cluster}")
    for unit in host.services:
        argv = _exec_argv(unit)
        if unit.fragment is None or not argv or posixpath.basename(argv[0]) not in PG_BINARIES:
            continue
        data = _flag(argv, "-D", "--pgdata") or _environment(unit).get("PGDATA")
        conf_opt = next((w.split("=", 1)[1] for w in argv if w.startswith("config_file=")), None)
        conf = conf_opt or (f"{data}/postgresql.conf" if data else None)
        if conf and tree.lookup(conf).kind == "file" and not any(
                d.config.files and d.config.files[0] == rel(conf) for d in host.databases):
            _add_pg(tree, host, problems, conf, None, unit, load_postgresql, data)


def _linked_unit(host: Host, cfg) -> Unit | None:
    """The unit a configuration names with ``# oomlint: unit=NAME`` (last one wins)."""
    names = [p.unit for p in cfg.pragmas if p.unit]
    return host.units.get(names[-1]) if names else None


def _add_pg(tree, host, problems, conf, ver, unit, load_postgresql, data_dir):
    flavor = host.db_flavors.get("postgresql") or (f"postgresql-{ver}" if ver else "postgresql-15")
    # postgres reads postgresql.auto.conf from data_directory (a setting of the main file,
    # else the -D directory); read the main file once to learn it.
    first = load_postgresql(tree, conf, flavor, Problems())
    if first is not None and first.get("data_directory"):
        data_dir = first.get("data_directory")
    auto = f"{data_dir}/postgresql.auto.conf" if data_dir else None
    if auto and tree.lookup(auto).kind != "file":
        auto = None
    cfg = load_postgresql(tree, conf, flavor, problems, auto_conf_path=auto)
    if cfg is None:
        return
    unit = _linked_unit(host, cfg) or unit
    host.pragmas.extend(cfg.pragmas)
    name = unit.name if unit is not None and unit.template != unit.name else (
        f"postgresql@{conf.split('/')[3]}-{conf.split('/')[4]}.service" if ver else
        f"postgres ({rel(conf)})")
    host.databases.append(DatabaseInstance(name, cfg, unit, Loc(rel(conf), 0)))


# -- JVMs ---------------------------------------------------------------------------------


def _own_limit(host: Host, unit: Unit) -> int | None:
    s = unit.get("MemoryMax")
    if s is None or not isinstance(s.value, MemoryLimit):
        return None
    return s.value.resolve(host.ram)


def _load_jvms(tree: Tree, host: Host, problems: Problems) -> None:
    """Every service whose ExecStart= starts a JVM (directly or through a known launcher).
    With UseContainerSupport (JDK 11.0.16+/15+ on cgroup v2) the JVM sizes its heap from
    the cgroup limit it runs under, i.e. the unit's binding MemoryMax; else from RAM."""
    from oomlint.model.budget import binding_limit
    from oomlint.model.jvm import load_jvm

    jdk = int(host.db_flavors.get("jdk", 17))
    for unit in host.services:
        if unit.fragment is None or "ExecStart" not in unit.settings:
            continue
        limit, limit_loc, owner = binding_limit(host, unit)
        # JDK 11-23 read their own cgroup's memory.max only; limits on parent slices are
        # seen from JDK 24 (JDK-8322420).
        own = limit if owner is unit else _own_limit(host, unit)
        visible = own if own is not None and jdk >= 11 else host.ram
        if jdk >= 24 and limit is not None:
            visible = limit
        cfg = load_jvm(tree, unit.settings, None, problems, jdk, visible, name=unit.name,
                       host_ram=host.ram,
                       ram_note="the unit's MemoryMax" if visible is not None and
                       visible != host.ram else "RAM")
        if cfg is None:
            continue
        support = cfg.flags.get("UseContainerSupport")
        if visible is not None and visible != host.ram and support is not None and \
                support.value is False:
            # -XX:-UseContainerSupport: the JVM ignores the cgroup and sizes from RAM
            visible = host.ram
            cfg = load_jvm(tree, unit.settings, None, Problems(), jdk, visible, name=unit.name,
                           host_ram=host.ram, ram_note="RAM (-XX:-UseContainerSupport)")
        host.pragmas.extend(cfg.pragmas)
        host.jvms.append(JvmInstance(unit.name, cfg, unit, visible, limit, limit_loc))
