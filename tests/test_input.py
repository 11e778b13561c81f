"""Bad input becomes a finding and the rest of the tree is still checked; links stay inside
the tree; nothing hangs or raises."""

from __future__ import annotations

import errno
import os

from conftest import lint_tree, triples

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
