"""sysctl values in systemd-sysctl's order (sysctl.d(5)): files sorted by name across
directories, the same name masking, /etc/sysctl.conf at the position of 99-sysctl.conf;
integers read as the kernel reads them.
"""

from __future__ import annotations

from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.kernel import kernel_parse_int
from oomlint.base.provenance import Setting
from oomlint.model.host import (
    TEMPLATED,
    Ignored,
)
from oomlint.model.reader import Reader
from oomlint.parsers.sysctl import parse_sysctl
from oomlint.parsers.systemd_unit import Assignment
from oomlint.sources.templates import is_templated, templated_value
from oomlint.sources.tree import Tree

SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
               "/lib/sysctl.d")
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


# The keys oomlint reasons about: always kept, however many other keys a file sets.
JUDGED = frozenset(SYSCTL_INT_RANGES)


def load_sysctl(reader: Reader) -> None:
    tree, host = reader.tree, reader.host
    for path in sysctl_files(tree):
        f = reader.parse(path, "sysctl", parse_sysctl, JUDGED)
        if f is None:
            continue
        for a in f.assignments:
            prev = host.sysctl.get(a.key)
            value: object = a.value
            if is_templated(a.value):
                if a.key in SYSCTL_INT_RANGES:
                    host.problems.append(templated_value(a.raw_key, a.value, a.loc))
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
        for key, count in f.dropped.items():  # repeats the parser counted but did not keep
            if key in host.sysctl:
                host.sysctl[key] = host.sysctl[key].plus_dropped(count)
