"""Which swap systemd activates at boot, against the real programs.

Every tree under tests/data/swap_load/ was run through systemd 252's
systemd-fstab-generator and ``systemd --test --system --unit=default.target`` by
tests/data/record_swap_load.py; tests/data/swap_load.yaml holds the ``.swap`` units that got
a start job. oomlint's model of each tree must activate exactly those (and size them from
the tree's files), say why each other one is not activated, and read each fstab line the
way the generator did.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oomlint.base.findings import Problems
from oomlint.model.build import build_host
from oomlint.parsers.fstab import (
    parse_fstab,
    path_from_unit_name,
    udev_node,
    unit_name_from_path,
)
from oomlint.sources.tree import Tree

DATA = Path(__file__).parent / "data"
CASES = DATA / "swap_load"
RECORDED = yaml.safe_load((DATA / "swap_load.yaml").read_text())["cases"]


def _started(rec: dict) -> list[str]:
    """What systemd starts on every boot: for a case recorded as unstable (the
    transaction's hash order decides), the units started in every run."""
    if rec.get("unstable"):
        return sorted(set.intersection(*(set(s) for s in rec["started_seen"])))
    return rec["started"]


def test_every_case_is_recorded():
    assert sorted(p.name for p in CASES.iterdir()) == sorted(RECORDED)


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_active_swap_matches_systemd(case):
    rec = RECORDED[case]
    host = build_host(Tree(root=CASES / case), ".")
    active = [s for s in host.swaps if s.active]
    assert sorted(s.unit for s in active) == _started(rec)
    whats = [udev_node(s.what) for s in active]  # an fstab source keeps its line's UUID=
    # The device or file systemd swaps on, as the manager's dump shows What=.
    assert whats == [rec["units"][s.unit]["What"] for s in active]
    sizes = [(CASES / case / w.lstrip("/")).stat().st_size
             if (CASES / case / w.lstrip("/")).is_file() else None for w in whats]
    assert host.swap_bytes == (None if None in sizes else sum(sizes))
    for s in host.swaps:
        if not s.active and s.kind in ("fstab", "unit"):
            assert s.note, f"{s.unit}: inactive without a reason"


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_fstab_read_as_the_generator_reads_it(case):
    """The swap lines oomlint's fstab parser finds make the units the generator wrote (one
    per unit name: later duplicates are refused), with its What= and its swap.target links
    (none for noauto, .wants/ for nofail, .requires/ otherwise)."""
    rec = RECORDED[case]
    fstab = CASES / case / "etc" / "fstab"
    text = fstab.read_bytes().decode("utf-8") if fstab.exists() else ""
    firsts: dict[str, object] = {}
    for s in parse_fstab(text, "etc/fstab", Problems()).swaps:
        firsts.setdefault(s.unit, s)
    generated = rec["generator"]["units"]
    assert sorted(firsts) == sorted(generated)
    links = rec["generator"]["links"]
    for unit, s in firsts.items():
        what = next(line[5:] for line in generated[unit].splitlines()
                    if line.startswith("What="))
        assert s.what == what
        linked = sorted(k.split("/")[0] for k in links if k.split("/")[-1] == unit)
        want = [] if s.noauto else ["swap.target.wants" if s.nofail else "swap.target.requires"]
        assert linked == want


def test_unstable_case_is_reported_as_unstable():
    rec = RECORDED["c8-masked-unit-devnull-other-required"]
    assert rec.get("unstable"), "re-record: this case depended on hash order when recorded"
    host = build_host(Tree(root=CASES / "c8-masked-unit-devnull-other-required"), ".")
    other = next(s for s in host.swaps if s.unit == "swapfile.swap")
    assert not other.active and "some boots only" in other.note


@pytest.mark.parametrize("path, unit", [
    ("/swapfile", "swapfile.swap"),
    ("/dev/sdb-2", "dev-sdb\\x2d2.swap"),
    ("//dev//sdb2/", "dev-sdb2.swap"),
    ("/./x", "x.swap"),
    ("/.hidden", "\\x2ehidden.swap"),
    ("/swap file", "swap\\x20file.swap"),
    ("/b\\s", "b\\x5cs.swap"),
    ("/", "-.swap"),
    ("/a/../b", None),
    ("/caf\u00e9", "caf\\xc3\\xa9.swap"),
])
def test_unit_names(path, unit):
    assert unit_name_from_path(path, ".swap") == unit
    if unit is not None and path not in ("/./x", "//dev//sdb2/"):
        assert path_from_unit_name(unit) == path
