"""Swap areas from every source a host configures them in: /etc/fstab, `.swap` units,
zram-generator.conf and /etc/dphys-swapfile, each sized as its owning program sizes it.
"""

from __future__ import annotations

import re

from oomlint.base.grammar.c import MIB
from oomlint.base.provenance import Loc, Setting
from oomlint.model.host import (
    DphysSwapfile,
    Host,
    SwapSource,
)
from oomlint.model.reader import Reader
from oomlint.model.systemd_manager import conf_files
from oomlint.parsers.fstab import parse_fstab
from oomlint.parsers.shell_vars import parse_shell_vars
from oomlint.parsers.zram import ExprError, eval_zram_expr, parse_ini
from oomlint.sources.tree import Tree, rel

# -- swap ---------------------------------------------------------------------------------


def _file_size(tree: Tree, vpath: str) -> int | None:
    return tree.size(vpath) or None


def load_swap(reader: Reader) -> None:
    tree, host = reader.tree, reader.host
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
    if requested is None and host.ram:
        requested = (host.ram // MIB + 10) * (num("CONF_SWAPFACTOR", 2) or 2)
    cap = num("CONF_MAXSWAP", 2048)
    size_mib = min(requested, cap) if requested is not None and cap is not None else requested
    host.dphys_swapfile = DphysSwapfile(
        requested_mib=requested,
        requested=host.dphys["CONF_SWAPSIZE"] if asked is not None else None,
        cap_mib=cap, cap=host.dphys.get("CONF_MAXSWAP"), size_mib=size_mib)
    loc = host.dphys["CONF_SWAPSIZE"].loc if "CONF_SWAPSIZE" in host.dphys else Loc(
        rel("/etc/dphys-swapfile"), 0)
    swapfile = host.dphys.get("CONF_SWAPFILE")
    host.swaps.append(SwapSource("dphys-swapfile", swapfile.value if swapfile else "/var/swap",
                                 loc, size_mib * MIB if size_mib is not None else None))
