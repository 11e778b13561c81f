"""sysctl values as systemd-sysctl 252 applies them at boot (sysctl.d(5); src/sysctl/sysctl.c).

- Files: ``*.conf`` in /etc, /run, /usr/local/lib, /usr/lib, /lib ``sysctl.d``, the same name
  masking, sorted by name, hidden names skipped (conf_files_list()). /etc/sysctl.conf is not
  read: only through a sysctl.d entry that links to it (Debian 12's systemd package ships
  ``/etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf``; procps's maintainer scripts do not
  make it; Debian 13 ships no link and says /etc/sysctl.conf is no longer honoured).
- One value per key, last wins (parse_file(): a later different value replaces the option
  and moves it to the end of the order; the same value keeps the first one and its place).
  Each key is written once, so when the kernel refuses that last value it keeps its default:
  an earlier file's value is never written. (procps ``sysctl --system`` writes every line in
  order, /etc/sysctl.conf last, and reads hidden files: it leaves the last value the kernel
  took. Recorded in tests/data/sysctl_load.yaml.)
- Glob keys (``*?[``; ``{a,b}`` alternatives within them) are expanded against the keys
  under /proc/sys, here the kernel key table shipped in data/sysctl_keys.txt (vm.* and
  kernel.*; globs of other keys are not expanded, oomlint judges none), and written, in the
  order of the options, to each match that no explicit key (nor a ``-key`` exclusion)
  names; two globs matching one key both write it, so the kernel keeps the last value it
  accepts.

Integers are read as the kernel reads them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.kernel import kernel_parse_int
from oomlint.base.package_data import package_text
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
def kernel_keys() -> tuple[tuple[str, str], ...]:
    """The keys of data/sysctl_keys.txt and the judged ones as (/proc/sys path, dotted key),
    sorted by path."""
    text = package_text("sysctl_keys.txt")
    keys = {ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")}
    keys |= JUDGED
    return tuple(sorted((k.translate(_SWAP), k) for k in keys))


PATH_MAX = 4096
MAX_BRACE_ALTERNATIVES = 256  # a key of nested braces cannot make a glob of millions


def glob_keys(pattern: str) -> list[str]:
    """The table's keys that glob(3) finds for a dotted glob key, as systemd-sysctl globs
    /proc/sys/<key> (glob_extend(): GLOB_BRACE, so ``{a,b}`` alternatives too): ``*`` and
    ``?`` never match a ``/``, ``[...]`` and ``[!...]``/``[^...]`` sets, ``\\`` escapes.
    (No key under vm/ and kernel/ starts with a ``.``, so the rule that a wildcard does not
    match a leading dot never matters here; POSIX classes such as ``[[:digit:]]`` are not
    read.)"""
    if len(pattern) > PATH_MAX:
        return []  # glob() fails with ENAMETOOLONG: nothing is written
    table = kernel_keys()
    paths = [p for p, _ in table]
    found: dict[str, None] = {}
    for alt in _braces(pattern.translate(_SWAP)):
        magic = _MAGIC.search(alt)
        prefix = alt[:magic.start()] if magic else alt
        lo = bisect_left(paths, prefix)
        hi = bisect_left(paths, prefix + "\U0010ffff")
        if lo == hi:
            continue
        if magic is None:  # no wildcard left: glob() finds the path when it exists
            if paths[lo] == alt:
                found[table[lo][1]] = None
            continue
        try:
            rx = re.compile(_glob_regex(alt))
        except re.error:
            continue  # a set glob() cannot read either (such as [z-a])
        for path, key in table[lo:hi]:
            if rx.fullmatch(path):
                found[key] = None
    return list(found)


_MAGIC = re.compile(r"[*?\[\\]")


def _glob_regex(path: str) -> str:
    out = []
    i, n = 0, len(path)
    while i < n:
        c = path[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(path[i]))
        elif c == "[":
            j = i + 1
            if j < n and path[j] in "!^":
                j += 1
            if j < n and path[j] == "]":
                j += 1
            j = path.find("]", j)
            if j < 0:
                out.append(re.escape(c))  # no closing ']': a literal '['
            else:
                body = path[i + 1:j]
                negated = body[:1] in ("!", "^")
                if negated:
                    body = body[1:]
                body = body.replace("\\", "\\\\").replace("[", "\\[").replace("^", "\\^")
                out.append(f"[^/{body}]" if negated else f"[{body}]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _braces(text: str) -> list[str]:
    """glibc's GLOB_BRACE expansion: ``a{b,c{d,e}}f`` -> abf, acdf, acef; a ``{`` without
    its ``}`` is literal. At most MAX_BRACE_ALTERNATIVES results."""
    out: list[str] = []
    todo = [text]
    while todo and len(out) < MAX_BRACE_ALTERNATIVES:
        s = todo.pop(0)
        split = _first_brace(s)
        if split is None:
            out.append(s)
            continue
        head, alternatives, tail = split
        todo[:0] = [head + a + tail for a in alternatives][:MAX_BRACE_ALTERNATIVES]
    return out


def _first_brace(s: str) -> tuple[str, list[str], str] | None:
    start = s.find("{")
    if start < 0:
        return None
    depth, parts, last = 0, [], start + 1
    for i in range(start, len(s)):
        c = s[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                parts.append(s[last:i])
                return s[:start], parts, s[i + 1:]
        elif c == "," and depth == 1:
            parts.append(s[last:i])
            last = i + 1
    return None  # glibc globs the whole pattern without brace expansion then


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

