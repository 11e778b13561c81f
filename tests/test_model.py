"""Precedence as the real programs apply it: unit search path, masking, aliases, drop-ins,
slices, sysctl ordering, swap sources."""

from __future__ import annotations

import os

from oomlint.base.grammar.c import GIB, MIB
from oomlint.model.build import build_host
from oomlint.sources.tree import Tree

SVC = "[Unit]\nDescription=x\n\n[Service]\nExecStart=/bin/x\n"


def host_of(tree_root, **kw):
    return build_host(Tree(root=tree_root), ".", **kw)


def test_etc_unit_replaces_vendor_unit_whole(tree):
    root = tree({
        "lib/systemd/system/a.service": SVC + "MemoryMax=1G\n",
        "etc/systemd/system/a.service": SVC,
    })
    u = host_of(root).units["a.service"]
    assert u.fragment.path == "etc/systemd/system/a.service"
    assert u.get("MemoryMax") is None  # no merging of same-named unit files


def test_dropins_sorted_across_dirs_and_override_chain(tree):
    root = tree({
        "lib/systemd/system/a.service": SVC + "MemoryMax=1G\n",
        "lib/systemd/system/a.service.d/20-vendor.conf": "[Service]\nMemoryMax=2G\n",
        "etc/systemd/system/a.service.d/10-admin.conf": "[Service]\nMemoryMax=3G\n",
    })
    mx = host_of(root).units["a.service"].get("MemoryMax")
    # 10-admin sorts before 20-vendor, so the vendor drop-in wins despite its directory.
    assert mx.value.bytes == 2 * GIB
    assert mx.loc.path == "lib/systemd/system/a.service.d/20-vendor.conf"
    assert [s.loc.path for s in mx.overrides] == [
        "lib/systemd/system/a.service", "etc/systemd/system/a.service.d/10-admin.conf"]


def test_same_named_dropin_in_etc_masks_vendor(tree):
    root = tree({
        "lib/systemd/system/a.service": SVC,
        "lib/systemd/system/a.service.d/50-mem.conf": "[Service]\nMemoryMax=1G\n",
        "etc/systemd/system/a.service.d/50-mem.conf": "[Service]\nMemoryHigh=1G\n",
    })
    u = host_of(root).units["a.service"]
    assert u.get("MemoryMax") is None and u.get("MemoryHigh") is not None


def test_dropin_sort_is_byte_order(tree):
    root = tree({
        "etc/systemd/system/a.service": SVC,
        "etc/systemd/system/a.service.d/9-x.conf": "[Service]\nMemoryMax=9G\n",
        "etc/systemd/system/a.service.d/10-x.conf": "[Service]\nMemoryMax=1G\n",
    })
    assert host_of(root).units["a.service"].get("MemoryMax").value.bytes == 9 * GIB


def test_only_conf_files_are_dropins(tree):
    root = tree({
        "etc/systemd/system/a.service": SVC,
        "etc/systemd/system/a.service.d/override.conf.bak": "[Service]\nMemoryMax=1G\n",
    })
    assert host_of(root).units["a.service"].get("MemoryMax") is None


def test_empty_assignment_resets(tree):
    root = tree({
        "etc/systemd/system/a.service": SVC + "MemoryMax=1G\n",
        "etc/systemd/system/a.service.d/x.conf": "[Service]\nMemoryMax=\n",
    })
    assert host_of(root).units["a.service"].get("MemoryMax") is None


def test_invalid_value_keeps_earlier_value(tree):
    root = tree({"etc/systemd/system/a.service": SVC + "MemoryMax=1G\nMemoryMax=2GB\n"})
    u = host_of(root).units["a.service"]
    assert u.get("MemoryMax").value.bytes == GIB
    assert [i.assignment.value for i in u.ignored] == ["2GB"]


def test_type_level_and_prefix_dropins(tree):
    root = tree({
        "etc/systemd/system/foo-bar.service": SVC,
        "etc/systemd/system/foo-.service.d/a.conf": "[Service]\nMemoryHigh=1G\n",
        "usr/lib/systemd/system/service.d/b.conf": "[Service]\nOOMScoreAdjust=100\n",
    })
    u = host_of(root).units["foo-bar.service"]
    assert u.get("MemoryHigh") is not None and u.get("OOMScoreAdjust").value == 100


def test_template_dropins_apply_to_instances(tree):
    root = tree({
        "lib/systemd/system/pg@.service": SVC,
        "etc/systemd/system/pg@.service.d/mem.conf": "[Service]\nMemoryMax=2G\n",
        "etc/systemd/system/pg@15-main.service.d/mem.conf": "[Service]\nMemoryMax=3G\n",
    })
    h = host_of(root)
    inst = h.units["pg@15-main.service"]
    assert inst.get("MemoryMax").value.bytes == 3 * GIB  # instance dir beats template dir
    assert inst.slice_chain[0] == "system-pg.slice"


def test_masked_by_devnull_link(tree):
    root = tree({"lib/systemd/system/a.service": SVC + "OOMScoreAdjust=-1000\n"})
    os.makedirs(root / "etc/systemd/system")
    os.symlink("/dev/null", root / "etc/systemd/system/a.service")
    assert host_of(root).units["a.service"].masked


def test_alias_link_is_not_a_second_unit(tree):
    root = tree({"lib/systemd/system/mariadb.service": SVC})
    os.symlink("mariadb.service", root / "lib/systemd/system/mysql.service")
    h = host_of(root)
    assert "mysql.service" not in h.units
    assert h.units["mariadb.service"].aliases == ("mysql.service",)


def test_absolute_link_resolves_inside_the_tree(tree):
    root = tree({"opt/app/app.service": SVC + "MemoryMax=1G\n"})
    os.makedirs(root / "etc/systemd/system")
    os.symlink("/opt/app/app.service", root / "etc/systemd/system/app.service")
    u = host_of(root).units["app.service"]
    assert u.fragment.path == "opt/app/app.service"
    assert u.get("MemoryMax").value.bytes == GIB


def test_slice_chain_and_cap(tree):
    root = tree({
        "etc/systemd/system/a.service": SVC + "Slice=batch-nightly.slice\n",
        "etc/systemd/system/batch.slice": "[Slice]\nMemoryMax=1G\n",
    })
    h = host_of(root)
    assert h.units["a.service"].slice_chain == ("batch-nightly.slice", "batch.slice", "-.slice")
    assert h.units["batch.slice"].get("MemoryMax").value.bytes == GIB


def test_sysctl_order_and_masking(tree):
    root = tree({
        "usr/lib/sysctl.d/50-a.conf": "vm.swappiness = 1\n",
        "etc/sysctl.d/50-a.conf": "vm.swappiness = 2\n",
        "etc/sysctl.d/10-b.conf": "vm/swappiness = 3\n",
        "usr/lib/sysctl.d/60-c.conf": "-vm.overcommit_memory=1\n",
        "etc/sysctl.conf": "vm.overcommit_memory = 2\n",
    })
    # Debian bookworm's procps link: systemd-sysctl reads /etc/sysctl.conf only through it.
    os.symlink("../sysctl.conf", root / "etc/sysctl.d/99-sysctl.conf")
    h = host_of(root)
    assert h.sysctl["vm.swappiness"].value == 2  # /etc masks the same name; 50 after 10
    # /etc/sysctl.conf is applied at the position of 99-sysctl.conf: after 60-c.conf.
    assert h.sysctl["vm.overcommit_memory"].value == 2
    assert h.sysctl["vm.overcommit_memory"].overrides[0].loc.path == "usr/lib/sysctl.d/60-c.conf"


def test_sysctl_conf_via_99_link_sorts_before_later_files(tree):
    root = tree({
        "etc/sysctl.conf": "vm.swappiness = 5\n",
        "etc/sysctl.d/zz-late.conf": "vm.swappiness = 7\n",
    })
    os.symlink("../sysctl.conf", root / "etc/sysctl.d/99-sysctl.conf")
    h = host_of(root)
    assert h.sysctl["vm.swappiness"].value == 7


def test_swap_sources(tree):
    root = tree({
        "etc/fstab": "/swapfile none swap sw 0 0\nUUID=x none swap noauto 0 0\n",
        "swapfile": "x" * 4096,
        "etc/systemd/zram-generator.conf": "[zram0]\n",
        "etc/dphys-swapfile": "CONF_SWAPSIZE=4096\n",
    })
    h = host_of(root, ram=8 * GIB)
    got = {(s.kind, s.what, s.size, s.active) for s in h.swaps}
    assert got == {
        ("fstab", "/swapfile", 4096, True),
        ("fstab", "UUID=x", None, False),
        ("zram", "/dev/zram0", 4096 * MIB, True),
        ("dphys-swapfile", "/var/swap", 2048 * MIB, True),  # capped by CONF_MAXSWAP=2048
    }
    assert h.swap_bytes == 4096 + 4096 * MIB + 2048 * MIB


def test_zram_size_expression_in_mib(tree):
    root = tree({"etc/systemd/zram-generator.conf": "[zram0]\nzram-size = ram / 4\n"})
    h = host_of(root, ram=16 * GIB)
    assert h.swaps[0].size == 4 * GIB




def test_debian_stock_user_manager_slice_and_oom_policy():
    """Debian 12's user@.service (Slice=user-%i.slice, Delegate=pids memory cpu): the
    instance user@0.service sits in user-0.slice under user.slice, and its default OOMPolicy
    is continue because of Delegate= (as systemd --test recorded in
    tests/data/units_load.yaml, case slice-specifiers)."""
    from pathlib import Path

    host = host_of(Path(__file__).parent / "data" / "debian-stock")
    unit = host.units["user@0.service"]
    assert unit.slice_chain == ("user-0.slice", "user.slice", "-.slice")
    assert [f.path for f in host.units["user-0.slice"].dropins] == \
        ["lib/systemd/system/user-.slice.d/10-defaults.conf"]
    policy = host.oom_policy(unit)
    assert (policy.value, policy.because.raw) == ("continue", "pids memory cpu")
    assert not [n for n in host.units if "%" in n]
