"""Swap areas from every source a host configures them in: /etc/fstab, `.swap` units,
zram-generator.conf and /etc/dphys-swapfile, each sized as its owning program sizes it.
"""

from __future__ import annotations

import posixpath
import re
from collections import deque
from typing import TYPE_CHECKING

from oomlint.base.grammar.c import MIB
from oomlint.base.provenance import Loc, Setting
from oomlint.model.host import (
    DphysSwapfile,
    Host,
    SwapSource,
)
from oomlint.model.reader import Reader
from oomlint.model.systemd_keys import SECTIONS_BY_TYPE
from oomlint.model.systemd_manager import conf_files
from oomlint.model.systemd_units import UNIT_DIRS
from oomlint.parsers.fstab import FstabSwap, parse_fstab, path_from_unit_name, unit_name_from_path
from oomlint.parsers.shell_vars import parse_shell_vars
from oomlint.parsers.systemd_unit import parse_unit
from oomlint.parsers.zram import ExprError, eval_zram_expr, parse_ini
from oomlint.sources.tree import Tree, rel

if TYPE_CHECKING:
    from decimal import Decimal

# -- swap ---------------------------------------------------------------------------------

# systemd 252's boot targets as Debian 12 ships them (/lib/systemd/system/*.target, and the
# default.target -> graphical.target link), used for a target whose unit file is not in the
# tree: (Requires=, Wants=). sysinit.target is what pulls swap.target in.
BOOT_TARGETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "graphical.target": (("multi-user.target",), ("display-manager.service",)),
    "multi-user.target": (("basic.target",), ()),
    "basic.target": (("sysinit.target",), ("sockets.target", "timers.target", "paths.target",
                                           "slices.target", "tmp.mount")),
    "sysinit.target": ((), ("local-fs.target", "swap.target")),
}
DEFAULT_TARGET = "graphical.target"
# Unit directories above the generator's output (/run/systemd/generator): a unit file there
# overrides the unit systemd-fstab-generator writes for an fstab line; below it, it does not.
_ABOVE_GENERATOR = tuple(d for d in UNIT_DIRS[:UNIT_DIRS.index("/run/systemd/generator")])
_PULL_REQUIRES = ("Requires", "BindsTo")  # UNIT_ATOM_PULL_IN_START: a failure is fatal
_PULL_WANTS = ("Wants",)  # UNIT_ATOM_PULL_IN_START_IGNORED: a failure is ignored


def _file_size(tree: Tree, vpath: str) -> int | None:
    return tree.size(vpath) or None


class _Boot:
    """What systemd 252 pulls into the boot transaction (``systemd --test --system
    --unit=default.target``), as far as swap needs it: every unit reached from
    default.target through ``Requires=``/``BindsTo=``/``Wants=`` and ``.requires/``,
    ``.wants/`` links in every unit directory (the links systemd-fstab-generator adds to
    swap.target included). A masked unit is never started; a unit whose ``Requires=`` names
    a unit that cannot start (masked, refused, not found) keeps its job but the transaction
    stops adding its dependencies at that one (src/core/transaction.c
    ``transaction_add_job_and_dependencies``): its ``Wants=`` are never added and its other
    requirements are added or not in hash order, so they are `maybe` (recorded as unstable
    in tests/data/swap_load.yaml)."""

    def __init__(self, reader: Reader, generated: dict[str, FstabSwap]):
        self.reader, self.tree, self.host = reader, reader.tree, reader.host
        self.generated = generated
        self.dirs = [d for d in UNIT_DIRS if self.tree.lookup(d).kind == "dir"]
        self.why_failed: dict[str, str] = {}
        self.sure: set[str] = set()
        self.maybe: set[str] = set()
        # unit -> (the requirement that cannot start, the unit that requires it): why the
        # unit is only `maybe` started, or (for a Wants=) never.
        self.blocked_by: dict[str, tuple[str, str]] = {}
        self._edges: dict[str, tuple[list[str], list[str]]] = {}
        self._swap_target_pulls: set[str] | None = None

    # -- one unit ------------------------------------------------------------------------

    def find(self, name: str) -> tuple[str, str] | None:
        """(directory, kind) of the first file named `name` on the search path."""
        for d in self.dirs:
            e = self.tree.lookup(f"{d}/{name}")
            if e.kind != "missing" or e.is_link:
                return d, e.kind
        return None

    def canonical(self, name: str, depth: int = 0) -> str:
        """The unit an alias link names (``default.target -> graphical.target``)."""
        for d in self.dirs:
            e = self.tree.lookup(f"{d}/{name}")
            if e.kind == "missing" and not e.is_link and e.target == f"{d}/{name}":
                continue
            if e.kind == "devnull":
                return name
            base = posixpath.basename(e.target)
            if base != name and base.rsplit(".", 1)[-1] == name.rsplit(".", 1)[-1] \
                    and depth < 8:
                return self.canonical(base, depth + 1)
            return name
        if name == "default.target":
            return DEFAULT_TARGET
        return name

    def masked_at(self, name: str) -> str | None:
        """The mask of `name` (a link to /dev/null or an empty file, systemd's
        ``null_or_empty_path()``) when it is the first file on the search path."""
        for d in self.dirs:
            vpath = f"{d}/{name}"
            e = self.tree.lookup(vpath)
            if e.kind == "missing" and not e.is_link:
                continue
            if e.kind == "devnull" or (e.kind == "file" and self.tree.size(vpath) == 0):
                return vpath
            return None
        return None

    def swap_fragment(self, name: str) -> str | None:
        """Where a swap unit's fragment comes from: a unit directory, or "generator"."""
        found = self.find(name)
        if found is not None and (found[0] in _ABOVE_GENERATOR or name not in self.generated):
            return found[0]
        return "generator" if name in self.generated else None

    def swap_what(self, name: str) -> tuple[str, Loc | None]:
        """What= as systemd loads it: the last one in the fragment and drop-ins (an empty one
        resets it), else the generator's, else the path the unit name spells."""
        what: tuple[str, Loc | None] | None = None
        if self.swap_fragment(name) == "generator":
            g = self.generated[name]
            what = (g.what, g.loc)
        unit = self.host.units.get(name)
        files = unit.files if unit is not None else []
        if self.swap_fragment(name) == "generator" and unit is not None and unit.fragment:
            files = unit.dropins  # the tree's lower fragment is hidden by the generator's
        for f in files:
            for a in f.assignments:
                if a.section == "Swap" and a.key == "What":
                    what = (a.value, a.loc) if a.value else None
        return what or (path_from_unit_name(name), None)

    def failure(self, name: str) -> str | None:
        """Why systemd cannot start `name`, or None."""
        if name in self.why_failed:
            return self.why_failed[name]
        why = None
        mask = self.masked_at(name)
        if mask is not None:
            why = f"{name} is masked ({rel(mask)})"
        elif name.endswith(".swap"):
            if self.swap_fragment(name) is None:
                why = f"{name} has no unit file"
            else:
                what = self.swap_what(name)[0]
                if unit_name_from_path(what, ".swap") != name:
                    why = (f"{name} has What={what}, whose unit name is "
                           f"{unit_name_from_path(what, '.swap')}: systemd refuses to load it "
                           "('Value of What= and unit name do not match')")
        self.why_failed[name] = why
        return why

    def edges(self, name: str) -> tuple[list[str], list[str]]:
        """(requirements, wants) of `name`, in the order written."""
        got = self._edges.get(name)
        if got is None:
            got = self._edges[name] = self._read_edges(name)
        return got

    def _read_edges(self, name: str) -> tuple[list[str], list[str]]:
        requires: list[str] = []
        wants: list[str] = []
        unit = self.host.units.get(name)
        if unit is None or unit.fragment is None:
            req, want = BOOT_TARGETS.get(name, ((), ()))
            requires += req
            wants += want
        for f in unit.files if unit is not None else self.dropins(name):
            for a in f.assignments:
                if a.section != "Unit" or a.key not in _PULL_REQUIRES + _PULL_WANTS:
                    continue
                (requires if a.key in _PULL_REQUIRES else wants).extend(a.value.split())
        names = [name, *(unit.aliases if unit is not None else ())]
        for d in self.dirs:
            for n in names:
                requires += [x for x in self.tree.listdir(f"{d}/{n}.requires") if "." in x]
                wants += [x for x in self.tree.listdir(f"{d}/{n}.wants") if "." in x]
        if name == "swap.target":
            for g in self.generated.values():
                if not g.noauto:
                    (wants if g.nofail else requires).append(g.unit)
        return requires, wants

    def dropins(self, name: str) -> list:
        """``<name>.d/*.conf`` of a unit the unit loader did not build (model/systemd_units.py
        skips drop-in directories of names such as ``swap.target``): the first file of each
        name on the search path, in name order."""
        chosen: dict[str, str] = {}
        for d in self.dirs:
            for fn in self.tree.listdir(f"{d}/{name}.d"):
                if fn.endswith(".conf") and not fn.startswith("."):
                    chosen.setdefault(fn, f"{d}/{name}.d/{fn}")
        files = [self.reader.parse(chosen[k], "unit", parse_unit,
                                   set(SECTIONS_BY_TYPE.get(name.rsplit(".", 1)[-1], ())))
                 for k in sorted(chosen, key=lambda s: s.encode("utf-8", "surrogateescape"))]
        return [f for f in files if f is not None]

    # -- the transaction -----------------------------------------------------------------

    def walk(self) -> None:
        queue: deque[tuple[str, bool, tuple[str, str]]] = deque(
            [("default.target", True, ("", ""))])
        while queue:
            name, sure, blocker = queue.popleft()
            name = self.canonical(name)
            if name in self.sure or (name in self.maybe and not sure):
                continue
            if self.failure(name) is not None:
                continue
            if sure:
                self.sure.add(name)
                self.maybe.discard(name)
            else:
                self.maybe.add(name)
                self.blocked_by.setdefault(name, blocker)
            requires, wants = self.edges(name)
            failing = next((r for r in requires if self.failure(self.canonical(r))), None)
            why = (failing, name) if failing is not None else blocker
            queue.extend((r, sure and failing is None, why) for r in requires)
            if failing is None:
                queue.extend((w, sure, blocker) for w in wants)
            else:
                for w in wants:
                    self.blocked_by.setdefault(self.canonical(w), (failing, name))

    def why_not(self, name: str, *, noauto: bool = False) -> tuple[str, str, Loc | None]:
        """Why a swap unit is not activated at boot: (`SwapSource.reason`, the note, the
        mask that keeps it from starting)."""
        fail = self.failure(name)
        mask = self.masked_at(name)
        if mask is not None:
            return "masked", fail or "", Loc(rel(mask), 0)
        if fail is not None:
            return "refused", fail, None
        if name in self.maybe:
            b, by = self.blocked_by.get(name, ("", ""))
            return ("unstable",
                    f"{by} also requires {b}, which cannot start ({self.failure(b)}): "
                    f"systemd stops adding {by}'s requirements at the first one that "
                    "fails, in hash order, so this swap is activated on some boots only", None)
        if name in self.blocked_by:
            b, by = self.blocked_by[name]
            return ("dropped", f"{by} requires {b}, which cannot start ({self.failure(b)}): "
                    f"systemd then never adds {by}'s Wants= (a nofail swap is one)", None)
        target = self.masked_at("swap.target")
        if self._swap_target_pulls is None:
            self._swap_target_pulls = set(self.edges("swap.target")[0]) | set(
                self.edges("swap.target")[1])
        if target is not None and name in self._swap_target_pulls:
            return ("target-masked",
                    f"swap.target is masked ({rel(target)}): nothing it pulls in is started",
                    Loc(rel(target), 0))
        if noauto:
            return "noauto", "noauto: not activated at boot", None
        return ("unpulled", "nothing pulls it in at boot: no Wants=/Requires= and no link in "
                "swap.target.wants/ or another boot target's .wants/ (an [Install] section "
                "only takes effect through `systemctl enable`)", None)


def _source(kind: str, what: str, loc: Loc | None, size: int | None, unit: str,
            boot: _Boot, *, noauto: bool = False) -> SwapSource:
    if unit in boot.sure:
        return SwapSource(kind, what, loc, size, unit=unit)
    reason, note, mask = boot.why_not(unit, noauto=noauto)
    return SwapSource(kind, what, loc, size, active=False, note=note, unit=unit, mask=mask,
                      reason=reason)


def load_swap(reader: Reader) -> None:
    tree, host = reader.tree, reader.host
    fstab = reader.parse("/etc/fstab", "fstab", parse_fstab) if tree.exists("/etc/fstab") else None
    generated: dict[str, FstabSwap] = {}  # unit name -> the fstab line that made it (the first)
    lines: list[FstabSwap] = list(fstab.swaps) if fstab is not None else []
    for s in lines:
        if s.unit is not None:
            generated.setdefault(s.unit, s)
    boot = _Boot(reader, generated)
    boot.walk()
    done: set[str] = set()
    for s in lines:
        if s.unit is None:
            host.swaps.append(SwapSource("fstab", s.spec, s.loc, None, active=False,
                                         note="systemd refuses the path ('..')",
                                         reason="refused"))
            continue
        if generated[s.unit] is not s:
            first = generated[s.unit].loc.line
            host.swaps.append(SwapSource(
                "fstab", s.spec, s.loc, None, active=False, unit=s.unit,
                note=f"duplicate of line {first}: systemd-fstab-generator makes one {s.unit} "
                     "from the first line and refuses this one", reason="duplicate"))
            continue
        done.add(s.unit)
        origin = boot.swap_fragment(s.unit)
        what, what_loc = boot.swap_what(s.unit)
        loc = s.loc if origin == "generator" else (what_loc or s.loc)
        kind = "fstab" if origin == "generator" else "unit"
        size = _file_size(tree, what) if what.startswith("/") else None
        shown = s.spec if kind == "fstab" else what  # the line's own spelling (UUID=...)
        host.swaps.append(_source(kind, shown, loc, size, s.unit, boot, noauto=s.noauto))
    for name, unit in sorted(host.units.items()):
        if unit.type != "swap" or name in done or boot.swap_fragment(name) is None:
            continue
        mask = boot.masked_at(name)
        if mask is not None:
            lower = boot.dirs[boot.dirs.index(posixpath.dirname(mask)) + 1:]
            if not any(tree.size(f"{d}/{name}") for d in lower):
                continue  # a mask alone configures no swap
            host.swaps.append(_source("unit", path_from_unit_name(name), Loc(rel(mask), 0),
                                      None, name, boot))
            continue
        what, what_loc = boot.swap_what(name)
        loc = what_loc or Loc(rel(unit.fragment.path) if unit.fragment else name, 0)
        size = _file_size(tree, what) if what.startswith("/") else None
        host.swaps.append(_source("unit", what, loc, size, name, boot))
    _load_zram(tree, reader, host)
    _load_dphys(tree, reader, host)


def _load_zram(tree: Tree, reader: Reader, host: Host) -> None:
    values: dict[str, dict[str, Setting[str]]] = {}
    headers: dict[str, Loc] = {}
    for path in conf_files(tree, "zram-generator.conf"):
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
                over = ram_mib > float(limit.value)
            except ValueError:
                over = False
            if over:
                # zram-generator's Device::is_enabled(): "system has too much memory
                # (...MB), limit is ...MB, ignoring."; no device, no swap.
                host.swaps.append(SwapSource(
                    "zram", f"/dev/{dev}", limit.loc, 0, active=False,
                    note=f"{limit.key} = {limit.value} (MiB) is below the host's RAM "
                         f"({ram_mib} MiB): zram-generator creates no {dev} on a host with "
                         "more memory than that", reason="host-memory-limit"))
                continue
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


def _load_dphys(tree: Tree, reader: Reader, host: Host) -> None:
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

    asked = num("CONF_SWAPSIZE", None)
    requested = asked
    factor = host.dphys.get("CONF_SWAPFACTOR")
    ram_mib = host.ram // MIB if host.ram else None
    if requested is None and ram_mib is not None:
        # `MEMSIZE = MemTotal kB / 1024 + 10`, `CONF_SWAPSIZE = MEMSIZE × CONF_SWAPFACTOR`
        # in dc, the fraction cut off (/sbin/dphys-swapfile, setup).
        requested = int((ram_mib + 10) * _factor(factor))
    cap = num("CONF_MAXSWAP", 2048)
    size_mib = min(requested, cap) if requested is not None and cap is not None else requested
    host.dphys_swapfile = DphysSwapfile(
        requested_mib=requested,
        requested=host.dphys["CONF_SWAPSIZE"] if asked is not None else None,
        cap_mib=cap, cap=host.dphys.get("CONF_MAXSWAP"), size_mib=size_mib,
        factor=factor if asked is None and factor is not None else None,
        ram_mib=ram_mib if asked is None else None)
    loc = host.dphys["CONF_SWAPSIZE"].loc if "CONF_SWAPSIZE" in host.dphys else Loc(
        rel("/etc/dphys-swapfile"), 0)
    swapfile = host.dphys.get("CONF_SWAPFILE")
    host.swaps.append(SwapSource("dphys-swapfile", swapfile.value if swapfile else "/var/swap",
                                 loc, size_mib * MIB if size_mib is not None else None))


def _factor(setting: Setting[str] | None) -> Decimal:
    """CONF_SWAPFACTOR as dc multiplies by it: a decimal number (``1``, ``0.5``); 2 when
    unset or not a plain non-negative number."""
    from decimal import Decimal  # dphys-swapfile hosts only

    if setting is None or not re.fullmatch(r"[0-9]{1,18}(?:\.[0-9]{1,18})?|\.[0-9]{1,18}",
                                           setting.value):
        return Decimal(2)
    return Decimal(setting.value)
