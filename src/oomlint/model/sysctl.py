"""sysctl values as systemd-sysctl 252 applies them at boot (sysctl.d(5); src/sysctl/sysctl.c).

- Files: ``*.conf`` in /etc, /run, /usr/local/lib, /usr/lib, /lib ``sysctl.d``, the same name
  masking, sorted by name, hidden names skipped (conf_files_list()). /etc/sysctl.conf is not
  read: only through a sysctl.d entry that links to it (Debian bookworm's procps postinst
  makes ``/etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf``; trixie's procps ships neither).
- One value per key, last wins (parse_file(): a later different value replaces the option
  and moves it to the end of the order; the same value keeps the first one and its place).
  Each key is written once, so when the kernel refuses that last value it keeps its default:
  an earlier file's value is never written. (procps ``sysctl --system`` writes every line in
  order, /etc/sysctl.conf last, and reads hidden files: it leaves the last value the kernel
  took. Recorded in tests/data/sysctl_load.yaml.)
- Glob keys (``*?[``) are expanded against the keys under /proc/sys, here the kernel key
  table shipped in data/sysctl_keys.txt (vm.* and kernel.*), and written, in the order of
  the options, to each match that no explicit key (nor a ``-key`` exclusion) names; two
  globs matching one key both write it, so the kernel keeps the last value it accepts.

Integers are read as the kernel reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from importlib import resources

from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.kernel import kernel_parse_int
from oomlint.base.provenance import Setting
from oomlint.model.host import (
    TEMPLATED,
    Ignored,
)
from oomlint.model.reader import Reader
from oomlint.parsers.sysctl import SysctlAssignment, is_glob, parse_sysctl
from oomlint.parsers.systemd_unit import Assignment
from oomlint.sources.templates import is_templated, templated_value
from oomlint.sources.tree import Tree

SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
               "/lib/sysctl.d")
SYSCTL_CONF = "/etc/sysctl.conf"

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
ULONG_MAX = 2**64 - 1
# The values the kernel accepts for the keys oomlint judges, from their ctl_table entries
# (Linux v6.1 kernel/sysctl.c vm_table unless noted; later kernels moved the entries into
# the owning files with the same handlers and bounds). proc_dointvec: a C int;
# proc_dointvec_minmax: extra1..extra2; proc_doulongvec_minmax: unsigned long, a '-' is
# EINVAL (kernel/sysctl.c __do_proc_doulongvec_minmax).
SYSCTL_INT_RANGES = {
    "vm.overcommit_memory": (0, 2),  # proc_dointvec_minmax SYSCTL_ZERO..SYSCTL_TWO
    "vm.overcommit_ratio": (INT_MIN, INT_MAX),  # overcommit_ratio_handler: proc_dointvec
    "vm.overcommit_kbytes": (0, ULONG_MAX),  # overcommit_kbytes_handler: proc_doulongvec_minmax
    "vm.swappiness": (0, 200),  # SYSCTL_ZERO..SYSCTL_TWO_HUNDRED (mm/vmscan.c since 6.8)
    "vm.panic_on_oom": (0, 2),  # mm/oom_kill.c SYSCTL_ZERO..SYSCTL_TWO
    "vm.oom_kill_allocating_task": (INT_MIN, INT_MAX),  # mm/oom_kill.c proc_dointvec
    "vm.oom_dump_tasks": (INT_MIN, INT_MAX),  # mm/oom_kill.c proc_dointvec
    "vm.nr_hugepages": (0, ULONG_MAX),  # mm/hugetlb.c hugetlb_sysctl_handler (unsigned long)
    "vm.min_free_kbytes": (0, INT_MAX),  # min_free_kbytes_sysctl_handler, extra1 SYSCTL_ZERO
    "vm.vfs_cache_pressure": (0, INT_MAX),  # proc_dointvec_minmax extra1 SYSCTL_ZERO
    "vm.watermark_scale_factor": (1, 3000),  # SYSCTL_ONE..SYSCTL_THREE_THOUSAND
    "vm.admin_reserve_kbytes": (0, ULONG_MAX),  # mm/util.c proc_doulongvec_minmax
    "vm.user_reserve_kbytes": (0, ULONG_MAX),  # mm/util.c proc_doulongvec_minmax
    "kernel.panic": (INT_MIN, INT_MAX),  # kernel/panic.c proc_dointvec
}

# The keys oomlint reasons about: always kept, however many other keys a file sets.
JUDGED = frozenset(SYSCTL_INT_RANGES)

_SWAP = str.maketrans("./", "/.")


@lru_cache(maxsize=1)
def kernel_keys() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The keys of data/sysctl_keys.txt and the judged ones: (dotted key, /proc/sys path
    components)."""
    text = resources.files("oomlint").joinpath("data/sysctl_keys.txt").read_text("utf-8")
    keys = {ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")}
    keys |= JUDGED
    return tuple((k, tuple(k.translate(_SWAP).split("/"))) for k in sorted(keys))


def glob_keys(pattern: str) -> list[str]:
    """The table's keys that glob(3) finds for a dotted glob key: each /proc/sys path
    component matched by fnmatch, a wildcard never crossing a ``/`` nor matching a
    leading ``.`` (no GLOB_PERIOD)."""
    parts = tuple(_bracket_caret(p) for p in pattern.translate(_SWAP).split("/"))
    out = []
    for key, comps in kernel_keys():
        if len(comps) == len(parts) and all(
                fnmatchcase(c, p) and (not c.startswith(".") or p.startswith("."))
                for c, p in zip(comps, parts)):
            out.append(key)
    return out


def _bracket_caret(part: str) -> str:
    # glibc fnmatch also reads "[^...]" as a negated set; Python's fnmatch only "[!...]".
    return re.sub(r"\[\^", "[!", part)


# -- files ----------------------------------------------------------------------------------


def sysctl_load_order(tree: Tree, loose: bool = False) -> list[str]:
    """The files systemd-sysctl reads, in order. Loose files (no tree around them, so no
    telling whether the host links /etc/sysctl.conf) get /etc/sysctl.conf at the place of
    ``99-sysctl.conf``, where the Debian and RHEL links put it."""
    chosen: dict[str, str] = {}
    for d in SYSCTL_DIRS:
        for fn in tree.listdir(d):
            if fn.endswith(".conf") and not fn.startswith(".") and fn not in chosen:
                chosen[fn] = f"{d}/{fn}"
    if loose and "99-sysctl.conf" not in chosen and tree.lookup(SYSCTL_CONF).kind != "missing":
        chosen["99-sysctl.conf"] = SYSCTL_CONF
    return [chosen[k] for k in sorted(chosen, key=lambda s: s.encode("utf-8", "surrogateescape"))]


def sysctl_conf_unlinked(tree: Tree, order: list[str]) -> bool:
    """/etc/sysctl.conf exists and no file systemd-sysctl reads is (a link to) it."""
    if tree.lookup(SYSCTL_CONF).kind == "missing":
        return False
    conf = tree.lookup(SYSCTL_CONF).target
    return all(tree.lookup(p).target != conf for p in order)


def sysctl_files(tree: Tree) -> list[str]:
    """Every sysctl file oomlint reads: those systemd-sysctl reads, and an /etc/sysctl.conf
    it does not read (OOM310 judges that one)."""
    order = sysctl_load_order(tree)
    return order + [SYSCTL_CONF] if sysctl_conf_unlinked(tree, order) else order


# -- values ---------------------------------------------------------------------------------

_ZEROES = {"vm.overcommit_ratio": "vm.overcommit_kbytes",
           "vm.overcommit_kbytes": "vm.overcommit_ratio"}


@dataclass
class _Option:
    """One entry of systemd-sysctl's option map: the assignment in force for a key and the
    earlier ones of other values it replaced (oldest first, as a Setting chain)."""

    a: SysctlAssignment
    earlier: Setting[str] | None
    dropped: int = 0


def load_sysctl(reader: Reader) -> None:
    tree, host = reader.tree, reader.host
    order = sysctl_load_order(tree, host.loose)
    options: dict[str, _Option] = {}  # insertion order = systemd-sysctl's write order
    for path in order:
        f = reader.parse(path, "sysctl", parse_sysctl, JUDGED)
        if f is None:
            continue
        for a in f.assignments:
            old = options.get(a.key)
            if old is None:
                options[a.key] = _Option(a, None)
                continue
            earlier = Setting(a.key, old.a.value, old.a.value, old.a.loc).overriding(
                old.earlier).plus_dropped(old.dropped)
            if old.a.exclude != a.exclude or old.a.value != a.value:
                del options[a.key]  # a new value goes to the end of the write order
            # The same value keeps its place (systemd-sysctl keeps the first option); the
            # repeat is recorded as overriding it, so a finding shows every line to change.
            options[a.key] = _Option(a, earlier)
        for key, count in f.dropped.items():  # repeats the parser counted but did not keep
            if key in options:
                options[key].dropped += count
    if not host.loose and sysctl_conf_unlinked(tree, order):
        _not_applied(reader)

    explicit = {k for k in options if not is_glob(k)}
    for key, opt in options.items():
        if opt.a.exclude:
            continue  # "-key": only there to keep globs off the key
        if is_glob(key):
            for k in glob_keys(key):
                if k not in explicit:
                    _write(host, k, opt.a, None, 0)
        else:
            _write(host, key, opt.a, opt.earlier, opt.dropped)


def _write(host, key: str, a: SysctlAssignment, earlier: Setting[str] | None,
           dropped: int) -> None:
    """systemd-sysctl writes `a`'s value to `key`; the kernel takes it or keeps the value it
    had (its default, or what an earlier glob wrote)."""
    prev = host.sysctl.get(key)
    value: object = a.value
    if is_templated(a.value):
        if key in SYSCTL_INT_RANGES:
            host.problems.append(templated_value(a.raw_key, a.value, a.loc))
        value = TEMPLATED
    elif key in SYSCTL_INT_RANGES:
        lo, hi = SYSCTL_INT_RANGES[key]
        try:
            value = kernel_parse_int(a.value)
            if not lo <= value <= hi:
                raise GrammarError(f"{value} is outside {_range(lo, hi)}")
        except GrammarError as exc:
            hint = ""
            if earlier is not None:
                hint = (f"systemd-sysctl writes only the last assignment of a key, so the "
                        f"earlier {key} = {earlier.raw} ({earlier.loc}) is not applied either")
            host.sysctl_ignored.append(
                Ignored(Assignment("", key, a.value, a.loc), str(exc), hint))
            return
    setting = Setting(key, a.value, value, a.loc).overriding(earlier or prev)
    host.sysctl[key] = setting.plus_dropped(dropped)
    other = _ZEROES.get(key)
    if other in host.sysctl and isinstance(value, int):
        # mm/util.c: writing one of the pair sets the other to 0.
        host.sysctl[other] = Setting(other, f"0 (reset by writing {key})", 0,
                                     a.loc).overriding(host.sysctl[other])


def _range(lo: int, hi: int) -> str:
    if hi in (INT_MAX, ULONG_MAX):
        return f">= {lo}" if lo in (0, 1) else f"{lo}..{hi}"
    return f"{lo}..{hi}"


def _not_applied(reader: Reader) -> None:
    """Record the assignments of an /etc/sysctl.conf that systemd-sysctl does not read."""
    f = reader.parse(SYSCTL_CONF, "sysctl", parse_sysctl, JUDGED)
    if f is None:
        return
    reader.host.sysctl_not_applied = [
        Setting(a.key, a.value, a.value, a.loc) for a in f.assignments if not a.exclude]

