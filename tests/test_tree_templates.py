"""`.j2` files inside a host root (a role's layout copied into the tree): each
etc/**/NAME.j2 is read as NAME, rendered with the host's vars when the configuration gives
them, else read as it is (its templated values unknown, OOM007 info); findings point into
the .j2 file. A real NAME beside it wins; links are not followed."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import write_tree

from oomlint.cli import main

UNIT = "[Service]\nExecStart=/usr/sbin/mariadbd\n"
MYCNF = ("# {{ ansible_managed | default('Managed') }}\n[mysqld]\n"
         "innodb_buffer_pool_size = {{ pool }}\nmax_connections = 100\n")


def _run(cwd, *args):
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["check", *args, "--format", "json"],
                                  catch_exceptions=False)
    finally:
        os.chdir(old)


def _tree(tmp_path, extra=None):
    return write_tree(tmp_path / "hosts" / "db1", {
        "etc/systemd/system/mariadb.service": UNIT,
        "etc/mysql/my.cnf.j2": MYCNF, **(extra or {})})


def test_in_tree_template_without_vars_is_read_with_unknown_values(tmp_path):
    _tree(tmp_path)
    r = _run(tmp_path, "hosts/db1", "--ram", "8G")
    doc = json.loads(r.output)
    t = [(f["rule"], f["path"], f["line"]) for f in doc["findings"] if f["rule"] == "OOM007"]
    assert t == [("OOM007", "hosts/db1/etc/mysql/my.cnf.j2", 3)], doc["findings"]
    assert not [f for f in doc["findings"] if f["severity"] == "error"]


def test_in_tree_template_rendered_with_the_hosts_vars(tmp_path):
    _tree(tmp_path)
    (tmp_path / ".oomlint.toml").write_text(
        '[hosts.db1]\nroot = "hosts/db1"\nram = "8G"\nvars = { pool = "12G" }\n')
    doc = json.loads(_run(tmp_path).output)
    hits = {(f["rule"], f["path"], f["line"]) for f in doc["findings"]}
    assert ("OOM401", "hosts/db1/etc/mysql/my.cnf.j2", 3) in hits, hits
    assert not [h for h in hits if h[0] == "OOM007"]


def test_a_real_file_beside_the_template_wins(tmp_path):
    _tree(tmp_path, {"etc/mysql/my.cnf": "[mysqld]\ninnodb_buffer_pool_size = 64M\n"})
    doc = json.loads(_run(tmp_path, "hosts/db1", "--ram", "8G").output)
    assert not [f for f in doc["findings"] if f["path"].endswith(".j2")]


def test_a_linked_template_is_not_followed(tmp_path):
    root = _tree(tmp_path)
    (root / "etc/mysql/my.cnf.j2").unlink()
    (tmp_path / "outside.j2").write_text(MYCNF)
    (root / "etc/mysql/my.cnf.j2").symlink_to(tmp_path / "outside.j2")
    doc = json.loads(_run(tmp_path, "hosts/db1", "--ram", "8G").output)
    assert not [f for f in doc["findings"] if "my.cnf" in f["path"]]
