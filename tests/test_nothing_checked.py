"""Issue #9, "Nothing checked, yet a verdict": a run that recognises nothing says so.

A directory holding nothing oomlint reads is one OOM008 error at its root and no other
finding (no "no swap configured" about a tree oomlint did not understand)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint.cli import main

UNIT = "[Service]\nExecStart=/usr/bin/app\nMemoryMax=1G\n"
ROLE = {
    "tasks/main.yml": "- name: install\n  ansible.builtin.template:\n    src: app.service.j2\n"
                      "    dest: /etc/systemd/system/app.service\n",
    "templates/app.service.j2": "[Service]\nExecStart=/usr/bin/app\nMemoryMax={{ mem }}\n",
    "defaults/main.yml": "mem: 1G\n",
}


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def findings(r):
    return [(f["rule"], f["path"], f["line"]) for f in json.loads(r.stdout)["findings"]]


def test_empty_directory_is_one_error_and_no_swap_verdict(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    r = cli("check", "empty", "--format", "json")
    assert r.exit_code == 1
    assert findings(r) == [("OOM008", "empty", 0)]
    text = cli("check", "empty")
    assert "OOM008 [error]" in text.stdout and "OOM301" not in text.stdout
    assert "it has no etc/" in text.stdout


def test_empty_directory_fails_even_when_only_errors_fail(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    assert cli("check", "empty", "--fail-on", "error").exit_code == 1


def test_proc_like_copy(cli, tmp_path):
    write_tree(tmp_path / "proc", {"meminfo": "MemTotal: 8035132 kB\nSwapTotal: 0 kB\n",
                                   "sys/vm/overcommit_memory": "1\n", "swaps": "Filename\n"})
    r = cli("check", "proc", "--format", "json", "--ram", "8G")
    assert r.exit_code == 1
    assert findings(r) == [("OOM008", "proc", 0)]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="no /proc")
def test_the_real_proc(cli):
    r = cli("check", "/proc", "--format", "json")
    assert r.exit_code == 1
    assert findings(r) == [("OOM008", "/proc", 0)]


def test_ansible_role_root(cli, tmp_path):
    write_tree(tmp_path / "role", ROLE)
    r = cli("check", "role", "--format", "json")
    assert r.exit_code == 1
    assert findings(r) == [("OOM008", "role", 0)]
    # Its templates, given as loose files, are checked.
    loose = cli("check", "role/templates/app.service.j2", "--format", "json")
    assert "OOM008" not in [f[0] for f in findings(loose)]


def test_nothing_recognised_silences_every_host_level_rule(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    r = cli("check", "empty", "--format", "json", "--ram", "8G", "--swap", "0",
            "--select", "OOM0,OOM1,OOM3")
    assert [f[0] for f in findings(r)] == ["OOM008"]


def test_a_unit_is_enough(cli, tmp_path):
    write_tree(tmp_path / "h", {"etc/systemd/system/app.service": UNIT})
    r = cli("check", "h", "--format", "json")
    rules = [f[0] for f in findings(r)]
    assert "OOM008" not in rules and "OOM301" in rules


def test_only_the_empty_host_of_several(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    write_tree(tmp_path / "h", {"etc/systemd/system/app.service": UNIT,
                                "etc/fstab": "/swapfile none swap sw 0 0\n"})
    r = cli("check", "h", "empty", "--format", "json", "--ram", "8G")
    assert r.exit_code == 1
    assert [f for f in findings(r) if f[0] == "OOM008"] == [("OOM008", "empty", 0)]
    assert {f[1].split("/")[0] for f in findings(r) if f[0] != "OOM008"} <= {"h"}


def test_ignoring_the_rule_leaves_an_empty_run(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    r = cli("check", "empty", "--ignore", "OOM008")
    assert r.exit_code == 0 and "OOM301" not in r.stdout


def test_loose_file_placed_but_read_by_nothing(cli, tmp_path):
    write_tree(tmp_path / "x", {"etc/hostname": "db1\n"})
    r = cli("check", "x/etc/hostname", "--format", "json")
    assert r.exit_code == 1
    (f,) = json.loads(r.stdout)["findings"]
    assert f["rule"] == "OOM008" and "none of the files given" in f["message"]


def test_rule_text_names_where_oomlint_looks(cli):
    r = cli("rule", "OOM008")
    assert r.exit_code == 0
    for place in ("sysctl.d(5)", "fstab(5)", "systemd.unit(5)", "/etc/mysql/my.cnf"):
        assert place in r.stdout


def test_readme_documents_the_exit_code():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert "OOM008" in readme.split("### Hostile input")[0]


# -- every path skipped: nothing to check is a usage error --------------------------------


def _skipped(r, *shown):
    assert r.exit_code == 2, r.output
    assert "nothing to check" in r.stderr and "No findings" not in r.stdout
    for s in shown:
        assert f"oomlint: {s}: not a file oomlint knows how to read; skipped" in r.stderr


def test_a_readme_alone_is_nothing_to_check(cli, tmp_path):
    (tmp_path / "README.md").write_text("# hosts\n")
    _skipped(cli("check", "README.md"), "README.md")
    _skipped(cli("check", "README.md", "--format", "json"), "README.md")
    _skipped(cli("budget", "README.md"), "README.md")


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="no /dev/stdin")
def test_dev_stdin_is_nothing_to_check(cli):
    _skipped(cli("check", "/dev/stdin"), "/dev/stdin")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_and_a_device_are_nothing_to_check(cli, tmp_path):
    os.mkfifo(tmp_path / "pipe")
    _skipped(cli("check", "pipe", "/dev/null"), "pipe", "/dev/null")


def test_a_skipped_path_beside_a_host_is_a_note(cli, tmp_path):
    (tmp_path / "README.md").write_text("# hosts\n")
    write_tree(tmp_path / "h", {"etc/systemd/system/app.service": UNIT,
                                "etc/fstab": "/swapfile none swap sw 0 0\n"})
    r = cli("check", "README.md", "h", "--ram", "8G")
    assert r.exit_code == 0, r.output
    assert "oomlint: README.md: not a file oomlint knows how to read; skipped" in r.stderr
    assert "nothing to check" not in r.stderr and "No findings." in r.stdout


# -- oomlint budget: an input it depended on could not be read ----------------------------

MARIADB = {"lib/systemd/system/mariadb.service": "[Service]\nExecStart=/usr/sbin/mariadbd\n"}


def test_budget_says_a_binary_my_cnf_was_not_counted(cli, tmp_path):
    write_tree(tmp_path / "h", MARIADB)
    (tmp_path / "h/etc/mysql").mkdir(parents=True)
    (tmp_path / "h/etc/mysql/my.cnf").write_bytes(b"[mysqld]\ninnodb_buffer_pool_size=4G\0\n")
    r = cli("budget", "h", "--ram", "8G")
    assert r.exit_code == 0
    # mariadb.service is still listed (unbounded): its configuration was not read.
    assert "  total worst case  0 B (+ 1 unbounded) (incomplete: see the notes below)\n" \
        in r.stdout
    assert "  note: not counted: h/etc/mysql/my.cnf could not be read (OOM002: binary content " \
        "(NUL byte): file not parsed)\n" in r.stdout
    doc = json.loads(cli("budget", "h", "--ram", "8G", "--format", "json").stdout)
    (host,) = doc["hosts"]
    assert host["unread_inputs"] == [{"path": "h/etc/mysql/my.cnf", "rule": "OOM002",
                                      "message": "binary content (NUL byte): file not parsed"}]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 file")
def test_budget_says_a_permission_denied_my_cnf_was_not_counted(cli, tmp_path):
    write_tree(tmp_path / "h", {**MARIADB, "etc/mysql/my.cnf": "[mysqld]\n"})
    (tmp_path / "h/etc/mysql/my.cnf").chmod(0)
    try:
        r = cli("budget", "h", "--format", "json")
    finally:
        (tmp_path / "h/etc/mysql/my.cnf").chmod(0o644)
    (u,) = json.loads(r.stdout)["hosts"][0]["unread_inputs"]
    assert (u["path"], u["rule"], u["message"]) == ("h/etc/mysql/my.cnf", "OOM001",
                                                    "permission denied")


def test_budget_of_an_empty_tree_says_nothing_was_counted(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    r = cli("budget", "empty")
    assert r.exit_code == 0
    assert "(incomplete: see the notes below)" in r.stdout
    assert "  note: nothing counted: nothing oomlint reads was found in empty (OOM008)\n" \
        in r.stdout
    (host,) = json.loads(cli("budget", "empty", "--format", "json").stdout)["hosts"]
    assert [u["rule"] for u in host["unread_inputs"]] == ["OOM008"]


def test_budget_with_every_input_read_is_unchanged(cli, tmp_path):
    write_tree(tmp_path / "h", {**MARIADB, "etc/mysql/my.cnf": "[mysqld]\n"
                                "innodb_buffer_pool_size = 1G\nmax_connections = 10\n"})
    r = cli("budget", "h", "--ram", "8G")
    assert "incomplete" not in r.stdout and "note: not counted" not in r.stdout
    (host,) = json.loads(cli("budget", "h", "--ram", "8G", "--format", "json").stdout)["hosts"]
    assert "unread_inputs" not in host


# -- the model's summary of what it recognised --------------------------------------------


def test_recognised_counts_what_each_step_found(tmp_path):
    from oomlint.model.build import build_host
    from oomlint.sources.tree import Tree

    root = write_tree(tmp_path / "h", {
        "etc/systemd/system/app.service": UNIT,
        "etc/systemd/system/app.service.d/50-mem.conf": "[Service]\nMemoryHigh=800M\n",
        "etc/systemd/system.conf": "[Manager]\n",
        "etc/sysctl.conf": "",
        "etc/sysctl.d/60-vm.conf": "vm.swappiness = 10\n",
        "etc/fstab": "/swapfile none swap sw 0 0\n",
        "etc/mysql/my.cnf": "[mysqld]\n",
    })
    (root / "etc/sysctl.d/70-broken.conf").write_bytes(b"\0")
    got = build_host(Tree(root=root), ".").recognised
    assert (got.units, got.manager_files, got.sysctl_files, got.swap_files, got.swap_sources,
            got.databases, got.jvms, got.unread) == (1, 1, 3, 1, 1, 1, 0, 1)
    assert not got.nothing
    empty = build_host(Tree(root=write_tree(tmp_path / "e", {"README": "x\n"})), ".")
    assert empty.recognised.nothing and empty.nothing_recognised
    assert [f.rule for f in empty.problems] == ["OOM008"]
