"""Bad input becomes a finding and the rest of the tree is still checked; links stay inside
the tree; nothing hangs or raises."""

from __future__ import annotations

import errno
import os

from conftest import lint_tree, triples
from hypothesis import given, settings
from hypothesis import strategies as st

from oomlint.base.findings import Problems
from oomlint.parsers.fstab import parse_fstab
from oomlint.parsers.shell_vars import parse_shell_vars
from oomlint.parsers.sysctl import parse_sysctl
from oomlint.parsers.systemd_unit import parse_unit
from oomlint.parsers.zram import eval_zram_expr, parse_ini

IMMORTAL = "[Service]\nExecStart=/bin/x\nOOMScoreAdjust=-1000\nMemoryMax=1G\n"
UNIT_DIR = "etc/systemd/system"


def rules_at(result):
    return {(r, p) for r, p, _ in triples(result)}


def test_binary_file_is_reported_and_others_checked(tree):
    root = tree({f"{UNIT_DIR}/good.service": IMMORTAL})
    (root / UNIT_DIR / "bin.service").write_bytes(b"[Service]\nExecStart=/x\0\0\x01")
    got = rules_at(lint_tree(root, {"OOM002", "OOM201"}))
    assert got == {("OOM002", f"{UNIT_DIR}/bin.service"), ("OOM201", f"{UNIT_DIR}/good.service")}


def test_non_utf8_is_reported_and_still_read(tree):
    root = tree({})
    (root / UNIT_DIR).mkdir(parents=True)
    (root / UNIT_DIR / "latin.service").write_bytes(
        b"[Unit]\nDescription=Caf\xe9\n[Service]\nExecStart=/x\nOOMScoreAdjust=-1000\n")
    assert triples(lint_tree(root, {"OOM003", "OOM201"})) == [
        ("OOM003", f"{UNIT_DIR}/latin.service", 2), ("OOM201", f"{UNIT_DIR}/latin.service", 5)]


def test_directory_where_file_expected(tree):
    root = tree({f"{UNIT_DIR}/good.service": IMMORTAL})
    (root / "etc/fstab").mkdir(parents=True)
    got = rules_at(lint_tree(root, {"OOM001", "OOM201"}))
    assert ("OOM001", "etc/fstab") in got and ("OOM201", f"{UNIT_DIR}/good.service") in got


def test_permission_denied(tree, monkeypatch):
    root = tree({f"{UNIT_DIR}/secret.service": IMMORTAL, f"{UNIT_DIR}/good.service": IMMORTAL})
    real_open = os.open

    def fake_open(path, flags, *a, **kw):
        if str(path).endswith("secret.service"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *a, **kw)

    monkeypatch.setattr(os, "open", fake_open)
    got = rules_at(lint_tree(root, {"OOM001", "OOM201"}))
    assert got == {("OOM001", f"{UNIT_DIR}/secret.service"),
                   ("OOM201", f"{UNIT_DIR}/good.service")}


def test_symlink_loop_is_a_finding(tree):
    root = tree({f"{UNIT_DIR}/good.service": IMMORTAL})
    os.symlink("b.service", root / UNIT_DIR / "a.service")
    os.symlink("a.service", root / UNIT_DIR / "b.service")
    got = rules_at(lint_tree(root, {"OOM006", "OOM201"}))
    assert ("OOM006", f"{UNIT_DIR}/a.service") in got
    assert ("OOM201", f"{UNIT_DIR}/good.service") in got


def test_fifo_does_not_hang(tree):
    root = tree({f"{UNIT_DIR}/good.service": IMMORTAL})
    os.mkfifo(root / "etc/fstab")
    got = rules_at(lint_tree(root, {"OOM001", "OOM201"}))
    assert ("OOM001", "etc/fstab") in got


def test_links_never_leave_the_tree(tree, tmp_path):
    outside = tmp_path / "outside.service"
    outside.write_text(IMMORTAL)
    root = tree({"opt/inside.service": "[Service]\nExecStart=/x\nMemoryMax=1G\n"})
    (root / UNIT_DIR).mkdir(parents=True)
    # ../../../../.. stops at the tree root; an absolute target is re-rooted in the tree.
    os.symlink("../../../../../../../outside.service", root / UNIT_DIR / "a.service")
    os.symlink(str(outside), root / UNIT_DIR / "b.service")
    os.symlink("/../../opt/inside.service", root / UNIT_DIR / "c.service")
    result = lint_tree(root, {"OOM201", "OOM001"})
    assert not any(f.rule == "OOM201" for f in result.findings)  # outside.service never read
    got = rules_at(result)
    assert ("OOM001", f"{UNIT_DIR}/a.service") in got
    assert ("OOM001", f"{UNIT_DIR}/b.service") in got


def test_huge_file_is_truncated(tree):
    root = tree({f"{UNIT_DIR}/good.service": IMMORTAL})
    with open(root / "etc/fstab", "w") as fh:
        line = "# " + "x" * 1000 + "\n"
        fh.write(line * (17 * 1024))
        fh.write("/swapfile none swap sw 0 0\n")
    got = rules_at(lint_tree(root, {"OOM004", "OOM301", "OOM201"}))
    assert ("OOM004", "etc/fstab") in got and ("OOM201", f"{UNIT_DIR}/good.service") in got


def test_line_longer_than_systemd_allows(tree):
    root = tree({f"{UNIT_DIR}/long.service": "[Service]\nExecStart=/x " + "a" * (1 << 20)
                 + "\nOOMScoreAdjust=-1000\n"})
    assert ("OOM004", f"{UNIT_DIR}/long.service") in rules_at(lint_tree(root, {"OOM004"}))


def test_malformed_lines(tree):
    root = tree({
        f"{UNIT_DIR}/a.service": "MemoryMax=1G\n[Service]\nExecStart=/x\nMemoryMax 1G\n",
        "etc/sysctl.d/a.conf": "vm.swappiness 10\n-net.ipv4.conf.lo.rp_filter\n",
        "etc/fstab": "/swapfile\n",
    })
    assert triples(lint_tree(root, {"OOM005"})) == sorted([
        ("OOM005", f"{UNIT_DIR}/a.service", 1), ("OOM005", f"{UNIT_DIR}/a.service", 4),
        ("OOM005", "etc/fstab", 1), ("OOM005", "etc/sysctl.d/a.conf", 1)])


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
UNITISH = st.lists(st.sampled_from([
    "[Service]", "[Unit]", "[service]", "MemoryMax=1G", "MemoryMax=2GB", "MemoryMax=", "\\",
    "OOMScoreAdjust=-1000", "# oomlint: disable=OOM201", "=", "[", "Restart=always", "x",
    "MemoryMax={{ m }}", "vm.swappiness = 300", "/swapfile none swap sw 0 0", "[zram0]",
    "zram-size = ram / (2 - 2)", "CONF_SWAPSIZE='1", ";", "  ", "\ufeff",
]), max_size=30).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, UNITISH))
def test_parsers_never_raise(text):
    p = Problems()
    parse_unit(text, "x.service", p, {"Unit", "Service", "Install"})
    parse_sysctl(text, "x.conf", p)
    parse_fstab(text, "fstab", p)
    parse_ini(text, "zram.conf", p)
    parse_shell_vars(text, "dphys", p)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, st.from_regex(r"[0-9a-z+\-*/%^(), .]{0,40}", fullmatch=True)))
def test_zram_expressions_never_raise_unexpectedly(text):
    from oomlint.parsers.zram import ExprError

    try:
        eval_zram_expr(text, 8192)
    except (ExprError, OverflowError, ValueError, ZeroDivisionError, RecursionError):
        pass


@settings(max_examples=100, deadline=None)
@given(UNITISH)
def test_whole_pipeline_never_raises(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("h")
    for rel in (f"{UNIT_DIR}/a.service", "etc/sysctl.d/a.conf", "etc/fstab",
                "etc/systemd/zram-generator.conf", "etc/dphys-swapfile"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    result = lint_tree(root, ram="8G")
    assert not result.internal_error, [f.message for f in result.findings if f.rule == "OOM099"]
