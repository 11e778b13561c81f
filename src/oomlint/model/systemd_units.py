"""systemd units, loaded the way systemd 252 loads them.

The unit search path in priority order and masking (a /dev/null link or a 0-byte file; a
fragment of only comments, blanks or a byte-order mark sets nothing and is no mask),
aliases, drop-ins in unit_file_find_dropin_paths() order (the unit's own name, template and
dash prefixes in every directory, then its aliases', then ``service.d/``; the first of a
basename wins; survivors in byte order; hidden and backup names skipped), template
instances, ``Slice=`` with unit_name_printf() specifiers and slice name checks, slices and
their own drop-ins; every effective value a typed `Setting` with the assignments it
overrode. What systemd logs and ignores becomes an `Ignored` record. tests/test_units_load.py
compares the result with what `systemd --test` recorded (tests/data/units_load.yaml).
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.systemd import (
    HostSpecifier,
    SpecifierError,
    hidden_or_backup_file,
    slice_name_valid,
    systemd_parse_int,
    systemd_parse_memory_limit,
    systemd_parse_permyriad,
    systemd_parse_timespan,
    unit_name_kind,
    unit_name_printf,
)
from oomlint.base.provenance import Chain, Setting
from oomlint.base.redact import shown
from oomlint.model.host import (
    MEMORY_KEYS,
    TEMPLATED,
    Host,
    Ignored,
    Unit,
)
from oomlint.model.reader import Reader
from oomlint.model.systemd_keys import SECTIONS_BY_TYPE, UNIT_TYPES, is_known
from oomlint.parsers.systemd_unit import Assignment, UnitFile, parse_unit
from oomlint.sources.templates import is_templated, templated_value
from oomlint.sources.tree import Tree, rel

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
RELEVANT = set(MEMORY_KEYS) | {"OOMScoreAdjust", "OOMPolicy", "Delegate", "Restart",
                               "RestartSec", "Slice",
                               "StartLimitIntervalSec", "StartLimitInterval", "StartLimitBurst",
                               "Type"}
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


def _pg_start_auto(tree, path: str) -> bool:
    """postgresql-common's postgresql-generator makes postgresql@VER-CLUSTER.service wanted
    only for a cluster whose start.conf says ``auto`` (or has none); ``manual`` and
    ``disabled`` clusters (Patroni's, pg_createcluster_patroni) are not started by it."""
    if tree.lookup(path).kind != "file":
        return True
    from oomlint.base.findings import Problems

    got = tree.read_text(path, Problems())
    if got is None:
        return True
    words = [ln.split("#", 1)[0].strip() for ln in got[1].splitlines()]
    return [w for w in words if w] in ([], ["auto"])


def load_units(reader: Reader) -> None:
    tree, host = reader.tree, reader.host
    dirs = _load_dirs(tree)
    dir_targets = {tree.lookup(d).target: d for d in dirs}
    first: dict[str, str] = {}
    dropin_names: set[str] = set()
    # "<name>.d" -> the load directories whose listing holds it: the only ones to list
    dropin_dirs: dict[str, set[str]] = {}
    instances: set[str] = set()
    for d in dirs:
        for n in tree.listdir(d):
            if n.endswith(".d"):
                dropin_names.add(n[:-2])
                dropin_dirs.setdefault(n, set()).add(d)
            elif n.endswith((".wants", ".requires", ".upholds")):
                for m in tree.listdir(f"{d}/{n}"):
                    if hidden_or_backup_file(m):
                        continue  # conf_files_list() skips them
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
                not _is_prefix_name(n):
            names.add(n)  # drop-ins for a unit whose file is not in the tree
    if "postgresql@.service" in fragments:
        for ver in tree.listdir("/etc/postgresql"):
            for cluster in tree.listdir(f"/etc/postgresql/{ver}"):
                if tree.lookup(f"/etc/postgresql/{ver}/{cluster}/postgresql.conf").kind == "file" \
                        and _pg_start_auto(tree, f"/etc/postgresql/{ver}/{cluster}/start.conf"):
                    instances.add(f"postgresql@{ver}-{cluster}.service")
    for inst in instances:
        tmpl = _template_of(inst)
        if tmpl and (tmpl in fragments or inst in fragments):
            names.add(inst)
    # Templates with known instances are checked through their instances.
    instantiated = {_template_of(i) for i in instances if i in names}
    def parse_dropins(n: str, alias_names: tuple[str, ...], sections) -> list[UnitFile]:
        got = (reader.parse(dp, "unit", parse_unit, sections)
               for dp in _dropin_paths(tree, dirs, dropin_dirs, n, alias_names))
        return [f for f in got if f is not None]

    aliases_of: dict[str, list[str]] = {}  # unit -> the names that are links to it
    for a, t in aliases.items():
        aliases_of.setdefault(t, []).append(a)

    def make(n: str) -> Unit:
        alias_names = tuple(sorted(aliases_of.get(n, ())))
        unit = Unit(n, None, masked=n in masked, aliases=alias_names, template=_template_of(n))
        frag_path = fragments.get(n) or (fragments.get(unit.template) if unit.template else None)
        sections = _sections(_unit_type(n) or "")
        if unit.masked or (frag_path and tree.size(frag_path) == 0):
            # null_or_empty(): a /dev/null link or a 0-byte file masks the unit; a file of
            # comments, blank lines or a byte-order mark is a fragment that sets nothing (its
            # drop-ins apply). systemd 252 still names the masked fragment and reads the
            # drop-ins (its dump lists them) but never starts the unit: no settings resolved.
            unit.masked = True
            unit.fragment = UnitFile(rel(frag_path or f"{first[n]}/{n}"))
            unit.dropins = parse_dropins(n, alias_names, sections)
            return unit
        if unit.type == "slice" and not slice_name_valid(n):
            # slice_verify(): "Slice name ... is not valid. Refusing." The unit fails to
            # load (load state "error"): no settings, no parent slice.
            unit.load_error = ("the slice name is not valid (a leading, trailing or double "
                               "dash, or an instance): systemd refuses to load it")
            return unit
        if frag_path:
            unit.fragment = reader.parse(frag_path, "unit", parse_unit, sections)
        unit.dropins = parse_dropins(n, alias_names, sections)
        _resolve_unit(unit, host)
        return unit

    for n in sorted(names):
        if n in instantiated and n not in masked:
            continue
        if tree.files_refused and n in fragments:
            continue  # the host's file budget ran out (OOM004): its file was not read
        host.units[n] = make(n)
    # Slices that are only named (Slice=, or a parent in the name) still get their prefix
    # and type-level drop-ins (`apps-.slice.d/`, `slice.d/`), as systemd loads them.
    pending = sorted({s for u in host.units.values() for s in u.slice_chain if "%" not in s}
                     - set(host.units))
    while pending:
        s = pending.pop(0)
        if s in host.units:
            continue
        host.units[s] = make(s)
        pending += [p for p in host.units[s].slice_chain if p not in host.units]


@lru_cache(maxsize=32)  # one per unit type (UNIT_TYPES, or "")
def _sections(utype: str) -> frozenset[str]:
    """The sections a unit of type `utype` reads (the others' contents are ignored)."""
    return frozenset(SECTIONS_BY_TYPE.get(utype, ()))


def _is_prefix_name(name: str) -> bool:
    """``app-.service`` names a prefix drop-in directory (for every ``app-*.service``)."""
    stem = name.rsplit(".", 1)[0]
    return stem.endswith("-") and stem != "-"


def _template_of(name: str) -> str | None:
    if "@" not in name:
        return None
    prefix, rest = name.split("@", 1)
    return f"{prefix}@.{rest.rsplit('.', 1)[1]}" if "." in rest else None


def _dropin_dirnames(name: str) -> list[str]:
    """unit_file_find_dirs(): the names whose ``<name>.d/`` directories hold drop-ins for
    `name`, in systemd's order: the name, its template (and the template's prefixes), then
    each dash prefix (``a-b-.service``, ``a-.service``; for an instance ``a-@i.service`` and
    its template ``a-@.service``), each searched the same way."""
    return list(_dirnames(name))


@lru_cache(maxsize=4096)  # pure, asked for every unit of every host: once per name and run
def _dirnames(name: str) -> tuple[str, ...]:
    out: list[str] = []
    _find_dirs(name, out)
    seen: set[str] = set()
    return tuple(f"{n}.d" for n in out if not (n in seen or seen.add(n)))


def _find_dirs(name: str, out: list[str]) -> None:
    out.append(name)
    stem, _, utype = name.rpartition(".")
    prefix, at, instance = stem.partition("@")
    if at and instance:  # an instance: also its template
        _find_dirs(f"{prefix}@.{utype}", out)
    chopped = False
    while True:
        dash = prefix.rfind("-")
        if dash <= 0:  # no dash, or only a leading one
            return
        if dash + 1 < len(prefix) or chopped:
            prefix = prefix[: dash + 1]
            break
        prefix = prefix[:dash]  # a trailing dash: chop it off once and look again
        chopped = True
    _find_dirs(f"{prefix}@{instance}.{utype}" if at and instance else f"{prefix}.{utype}", out)


def _dropin_paths(tree: Tree, dirs: list[str], present: dict[str, set[str]], name: str,
                  aliases: tuple[str, ...]) -> list[str]:
    """unit_file_find_dropin_paths(): the directories of the unit's own name (with its
    template and prefix names) in every load-path directory (highest priority first), then
    those of each alias the same way, then the type-level ``service.d/`` in every one; of
    files with the same basename the first found wins (conf_files_list_strv()), survivors
    sorted by basename in byte order. Hidden and backup names are skipped, and only
    ``*.conf`` files count. `present`: the directory names the load directories hold (and
    which hold them): no other is listed."""
    utype = name.rsplit(".", 1)[1]
    groups = [_dirnames(name), *(_dirnames(a) for a in aliases), (f"{utype}.d",)]
    chosen: dict[str, str] = {}
    for names in groups:
        names = [dn for dn in names if dn in present]
        if not names:
            continue
        for d in dirs:
            for dn in names:
                if d not in present[dn]:  # not in the listing of `d`: nothing to read
                    continue
                for fn in tree.listdir(f"{d}/{dn}"):
                    if fn.endswith(".conf") and fn not in chosen and \
                            not hidden_or_backup_file(fn):
                        chosen[fn] = f"{d}/{dn}/{fn}"
    return [chosen[k] for k in sorted(chosen, key=lambda s: s.encode("utf-8", "surrogateescape"))]


@lru_cache(maxsize=4096)  # pure: nearly every service asks for system.slice's
def _slice_parents(slice_name: str) -> tuple[str, ...]:
    """``a-b.slice`` -> (``a-b.slice``, ``a.slice``, ``-.slice``). A slice name systemd
    refuses (``-x.slice``, ``a--b.slice``, ``a-.slice``) has no parents: it fails to load,
    and its units sit in it alone."""
    if slice_name == "-.slice" or not slice_name_valid(slice_name):
        return (slice_name,)
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
    utype = unit.type
    sections = SECTIONS_BY_TYPE.get(utype, ())
    how_of = _HOW.get(utype)
    if how_of is None:
        how_of = _HOW[utype] = {}
    settings = unit.settings
    for f in unit.files:
        if not f.loaded:
            continue
        for a in f.assignments:
            sk = a[:2]
            how = how_of.get(sk)
            if how is None:
                how = how_of[sk] = _how(sections, *sk)
            if how is _PLAIN:  # `_apply` of a directive whose value is its text, inline
                raw = a.value
                value = None if raw == "" else TEMPLATED if "{" in raw and is_templated(raw) \
                    else raw
                key = a.key
                prev = settings.get(key)
                new = Setting(key, raw, value, a.loc)
                settings[key] = new if prev is None else new.overriding(prev)
            elif how is _SPECIAL:
                _apply(unit, a, host)
            # else: systemd ignores unknown keys and other unit types' sections
        for (section, key), count in f.dropped.items():  # repeats the parser only counted
            key = SAME_FIELD.get(key, key)
            if section in sections and key in unit.settings:
                unit.settings[key] = unit.settings[key].plus_dropped(count)
    if unit.type == "service":
        slice_setting = unit.get("Slice")
        if slice_setting is not None and slice_setting.value is not TEMPLATED and \
                "%" in slice_setting.value:
            # A template's (or a host-dependent %H ...): kept as written, no slice unit and
            # no parents; each instance expands it to its own slice.
            unit.slice_chain = (slice_setting.value,)
            return
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
# What `_resolve_unit` does with an assignment, by unit type and (section, key), decided once
# per run: _IGNORED (another type's section, or a key systemd does not know), _PLAIN (a
# directive whose value is its text: no conversion, no special case in `_apply`) or
# _SPECIAL (`_apply`).
_IGNORED, _PLAIN, _SPECIAL = "ignored", "plain", "special"
_HOW: dict[str, dict[tuple[str, str], str]] = {}


def _how(sections, section: str, key: str) -> str:
    if section not in sections or not is_known(section, key):
        return _IGNORED
    return _SPECIAL if key in _SPECIAL_KEYS else _PLAIN


def _apply(unit: Unit, a: Assignment, host: Host) -> None:
    key, raw = SAME_FIELD.get(a.key, a.key), a.value
    prev = unit.settings.get(key)
    if key in LIST_KEYS:
        kept = () if raw == "" or prev is None or prev.value is None else prev.value
        values = kept if isinstance(kept, Chain) else Chain(kept)  # O(1) per entry
        unit.settings[key] = Setting(key, raw, values.plus(raw) if raw else values,
                                     a.loc).overriding(prev)
        return
    templated = "{" in raw and is_templated(raw)  # no "{", no expression: no call
    if key == "Slice" and not templated:
        _apply_slice(unit, a, prev)
        return
    if key == "Delegate" and raw == "":
        # config_parse_delegate(): the empty value resets the controllers and turns
        # delegation on (systemd 252: "Delegate=" after "Delegate=no" delegates).
        unit.settings[key] = Setting(key, raw, True, a.loc).overriding(prev)
        return
    if raw == "":
        if key in ("OOMPolicy", "Restart"):  # systemd 252 refuses the empty value here
            unit.ignored.append(Ignored(a, "the empty value is not accepted"))
            return
        unit.settings[key] = Setting(key, raw, None, a.loc).overriding(prev)
        return
    if templated:
        if key in RELEVANT:
            host.problems.append(templated_value(a.key, a.value, a.loc))
        unit.settings[key] = Setting(key, raw, TEMPLATED, a.loc).overriding(prev)
        return
    if key == "Type" and a.section != "Service":
        unit.settings[key] = Setting(key, raw, raw, a.loc).overriding(prev)
        return
    if key not in _CONVERTED:  # most directives: the value is the text
        unit.settings[key] = Setting(key, raw, raw, a.loc).overriding(prev)
        return
    try:
        value = _convert(key, raw)
    except GrammarError as exc:
        unit.ignored.append(Ignored(a, str(exc)))
        return
    unit.settings[key] = Setting(key, raw, value, a.loc).overriding(prev)


@lru_cache(maxsize=8192)  # pure and immutable (a GrammarError is raised each time)
def _convert(key: str, raw: str):
    """The typed value of `key` (one of `_CONVERTED`) from its text."""
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
            hint = f" (values are case-sensitive: '{lowered}')" if lowered in CHOICES[key] else ""
            raise GrammarError(
                f"'{raw}' is not one of {', '.join(sorted(CHOICES[key]))}{hint}"
            )
        return raw
    if key in TIME_KEYS:
        return systemd_parse_timespan(raw)
    if key in INT_KEYS:
        if not re.fullmatch(r"[0-9]+", raw):
            raise GrammarError(f"'{raw}' is not a non-negative integer")
        if len(raw.lstrip("0")) > 10 or int(raw) > 2**32 - 1:  # safe_atou(): ERANGE
            raise GrammarError(f"'{raw[:40]}' is out of range")
        return int(raw)
    if key == "RemainAfterExit":
        if raw.lower() not in BOOLEANS:
            raise GrammarError(f"'{raw}' is not a boolean")
        return BOOLEANS[raw.lower()]
    if key == "Delegate":
        # parse_boolean(), else a list of controllers: delegation is on either way (an
        # unknown controller name is logged and skipped).
        return BOOLEANS.get(raw.lower(), True)
    return raw


# The keys `_convert` gives a value other than the text (any other key's value is its text).
_CONVERTED = frozenset(MEMORY_KEYS) | {"OOMScoreAdjust", "ManagedOOMMemoryPressureLimit",
                                      "RemainAfterExit", "Delegate"} | set(CHOICES) | \
    TIME_KEYS | INT_KEYS
# The keys `_apply` treats otherwise than as a text value (None when empty, TEMPLATED when
# templated): any other known directive is resolved inline by `_resolve_unit`.
_SPECIAL_KEYS = _CONVERTED | set(SAME_FIELD) | LIST_KEYS | RELEVANT | {
    "Slice", "Delegate", "OOMPolicy", "Restart", "Type"}


def _apply_slice(unit: Unit, a: Assignment, prev: Setting | None) -> None:
    """config_parse_unit_slice(): specifiers expanded by unit_name_printf(), then the name
    must be a valid plain ``.slice`` unit name; otherwise systemd logs and ignores the line
    and the earlier value stays (the empty value too). A template's value keeps its
    specifiers: each instance expands them with its own name."""
    raw = a.value
    if unit_name_kind(unit.name) == "template" and "%" in raw:
        unit.settings["Slice"] = Setting("Slice", raw, raw, a.loc).overriding(prev)
        return
    try:
        name = unit_name_printf(unit.name, raw)
    except HostSpecifier:
        # %H, %m ...: the running host's values; which slice it names is not known.
        unit.settings["Slice"] = Setting("Slice", raw, raw, a.loc).overriding(prev)
        return
    except SpecifierError as exc:
        unit.ignored.append(Ignored(a, f"{exc}: systemd fails to resolve the specifiers"))
        return
    kind = unit_name_kind(name)
    if not name:
        reason = "the empty value names no slice"
    elif kind is None:
        reason = f"'{shown(name)}' is not a valid unit name"
    elif not name.endswith(".slice"):
        reason = f"'{shown(name)}' is not a slice"
    elif kind != "plain":
        reason = f"'{shown(name)}': a slice cannot be a template or an instance"
    else:
        unit.settings["Slice"] = Setting("Slice", raw, name, a.loc).overriding(prev)
        return
    unit.ignored.append(Ignored(a, reason))
