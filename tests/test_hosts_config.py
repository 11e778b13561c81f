"""Issue 15: hosts described in the configuration ([hosts.NAME]: root, ram, swap, files,
vars_files, vars; a glob root), `oomlint check` with no path, and each checked directory
resolving its own configuration, so that results do not depend on the order of the paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint.cli import main
from oomlint.sources.fs import MemoryFilesFS, OverlayFS
from oomlint.sources.tree import Tree

EXAMPLES = Path(__file__).parent.parent / "examples"
UNIT = "[Service]\nExecStart=/bin/app\nMemoryMax=1G\n"


def check(*args, ok=(0, 1)):
    r = CliRunner().invoke(main, ["check", *map(str, args)], catch_exceptions=False)
    assert r.exit_code in ok, r.output
    return r


def test_results_do_not_depend_on_argument_order(monkeypatch):
    """healthy's `swap = "2G"` no longer hides db-prod's "no swap" (OOM301)."""
    monkeypatch.chdir(EXAMPLES.parent)
    one = check("--format", "json", "examples/healthy", "examples/db-prod").stdout
    two = check("--format", "json", "examples/db-prod", "examples/healthy").stdout
    assert one == two
    doc = json.loads(one)
    assert any(f["rule"] == "OOM301" and f["host"] == "examples/db-prod" for f in doc["findings"])
    assert doc["hosts"] == [
        {"host": "examples/db-prod", "config": "examples/db-prod/.oomlint.toml"},
        {"host": "examples/healthy", "config": "examples/healthy/.oomlint.toml"}]
    text = check("examples/db-prod", "examples/healthy").stdout
    assert "examples/healthy: checked with examples/healthy/.oomlint.toml\n" in text
    assert check("examples/healthy", "examples/db-prod").stdout == text


def test_one_config_prints_no_config_lines(monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    assert "checked with" not in check("examples/db-prod").stdout
    assert "hosts" not in json.loads(check("--format", "json", "examples/db-prod").stdout)
    both = check("--config", "examples/db-prod/.oomlint.toml", "--format", "json",
                 "examples/healthy", "examples/db-prod").stdout
    assert "hosts" not in json.loads(both)  # --config: one configuration for all


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path, {
        "hosts/a/etc/systemd/system/app.service": UNIT,
        "hosts/a/etc/fstab": "/swapfile none swap sw 0 0\n",
        "hosts/b/etc/systemd/system/app.service": UNIT,
        "hosts/b/etc/fstab": "/swapfile none swap sw 0 0\n",
        "hosts/db/etc/fstab": "/swapfile none swap sw 0 0\n",
        "hosts/db/lib/systemd/system/mariadb.service":
            "[Service]\nExecStart=/usr/sbin/mariadbd\n",
        "roles/mysql/templates/my.cnf.j2":
            "[mysqld]\ninnodb_buffer_pool_size = {{ pool }}\nmax_connections = {{ conns }}\n",
        "group_vars/all.yml": "pool: 1G\nconns: 50\n",
        "group_vars/db.yml": "pool: 12G\n",
    })
    return tmp_path


CONFIG = """ram = "4G"
[hosts.all]
root = "hosts/*"
ram = "2G"
swap = "1G"
[hosts.b]
ram = "64G"
[hosts.db]
root = "hosts/db"
ram = "8G"
swap = "1G"
files = { "/etc/mysql/my.cnf" = "roles/mysql/templates/my.cnf.j2" }
vars_files = ["group_vars/all.yml", "group_vars/db.yml"]
"""


def test_no_path_checks_every_host_of_the_config(repo):
    (repo / ".oomlint.toml").write_text(CONFIG)
    doc = json.loads(check("--format", "json").stdout)
    hosts = {f["host"] for f in doc["findings"]}
    assert hosts <= {"a", "b", "db"} and "db" in hosts
    # db's my.cnf is the template rendered with group_vars (db.yml wins: 12G > 8G RAM),
    # and its findings point into the template
    over = [f for f in doc["findings"] if f["rule"] == "OOM401"]
    assert over and over[0]["path"] == "roles/mysql/templates/my.cnf.j2" and over[0]["line"] == 2


def test_vars_win_over_vars_files(repo):
    (repo / ".oomlint.toml").write_text(CONFIG + 'vars = { pool = "1G" }\n')
    doc = json.loads(check("--format", "json").stdout)
    assert not [f for f in doc["findings"] if f["rule"] == "OOM401"]


def test_glob_hosts_take_the_entry_defaults_and_their_own_tables(repo):
    """hosts/* makes a and b (db has its own entry); a takes the glob's ram, b its own
    [hosts.b] table's, db its entry's; --ram beats them all."""
    from oomlint.catalog import load_catalog
    from oomlint.cli import _check_groups
    from oomlint.config import load_config

    (repo / ".oomlint.toml").write_text(CONFIG)
    catalog = load_catalog()
    cfg = load_config(repo / ".oomlint.toml", catalog)
    groups, shown = _check_groups((), None, None, cfg, None, catalog, (), ())
    from oomlint.runner import build

    ram = {src.name: build(src, cfg, None, None).ram for _, _, srcs in groups for src in srcs}
    assert ram == {"db": 8 << 30, "a": 2 << 30, "b": 64 << 30}
    assert set(shown.values()) == {".oomlint.toml"}
    groups, _ = _check_groups((), 1 << 30, None, cfg, None, catalog, (), ())
    assert {build(src, cfg, 1 << 30, None).ram for _, _, srcs in groups for src in srcs} == \
        {1 << 30}


def test_no_path_without_hosts_is_a_usage_error(repo):
    (repo / ".oomlint.toml").write_text('ram = "4G"\n')
    r = check(ok=(2,))
    assert "describe the hosts in the configuration" in r.output


@pytest.mark.parametrize("table,key,what", [
    ('[hosts.x]\nroot = 5\n', "hosts.x.root", "expected a directory"),
    ('[hosts.x]\nroot = "nowhere"\n', "hosts.x.root", "no such directory"),
    ('[hosts.x]\nroot = "nothing/*"\n', "hosts.x.root", "matches no directory"),
    ('[hosts.x]\nroot = "hosts/a"\nfiles = { "etc/my.cnf" = "a" }\n', 'hosts.x.files."etc/my.cnf"',
     "absolute path"),
    ('[hosts.x]\nroot = "hosts/a"\nfiles = { "/etc/my.cnf" = "missing.j2" }\n',
     'hosts.x.files."/etc/my.cnf"', "no such file"),
    ('[hosts.x]\nroot = "hosts/a"\nvars_files = 3\n', "hosts.x.vars_files", "expected a list"),
    ('[hosts.x]\nroot = "hosts/a"\nvars_files = ["nope.yml"]\n', "hosts.x.vars_files[0]",
     "cannot read"),
    ('[hosts.x]\nroot = "hosts/a"\nvars_files = ["bad.yml"]\n', "hosts.x.vars_files[0]",
     "not valid YAML"),
    ('[hosts.x]\nroot = "hosts/a"\nvars_files = ["list.yml"]\n', "hosts.x.vars_files[0]",
     "expected a mapping"),
    ('[hosts.x]\nroot = "hosts/a"\nvars = 1\n', "hosts.x.vars", "expected a table"),
    ('[hosts.x]\nvars = { a = 1 }\n', "hosts.x", "need a root or files"),
    ('[hosts.x]\nroot = "hosts/a"\nhost = "y"\n', "hosts.x.host", "unknown key"),
])
def test_host_table_errors_name_the_file_and_key(repo, table, key, what):
    (repo / "bad.yml").write_text("a: [1\n")
    (repo / "list.yml").write_text("- 1\n")
    (repo / ".oomlint.toml").write_text(table)
    r = check(ok=(2,))
    assert "Traceback" not in r.output
    assert ".oomlint.toml: " in r.output and key in r.output and what in r.output, r.output


def test_old_ram_only_host_tables_still_work(repo):
    (repo / ".oomlint.toml").write_text('[hosts."hosts/a"]\nram = "64M"\n')
    doc = json.loads(check("--format", "json", "hosts/a").stdout)
    assert doc["findings"] is not None


def test_overlay_places_rendered_bytes_and_files_over_a_root(tmp_path):
    write_tree(tmp_path, {"root/etc/fstab": "x\n", "root/etc/keep": "k\n", "repo.cnf": "r\n"})
    from oomlint.sources.fs import DirectoryFS

    fs = OverlayFS(DirectoryFS(tmp_path / "root"),
                   {"/etc/fstab": b"rendered\n", "/etc/mysql/my.cnf": tmp_path / "repo.cnf"})
    tree = Tree(fs=fs)
    assert tree.listdir("/etc") == ["fstab", "keep", "mysql"]
    assert fs.read("/etc/fstab", 100) == b"rendered\n"
    assert fs.read("/etc/mysql/my.cnf", 100) == b"r\n"
    assert fs.size("/etc/keep") == 2
    mem = MemoryFilesFS({"/a": b"1", "/b": tmp_path / "repo.cnf"})
    assert (mem.stat("/a"), mem.stat("/b"), mem.size("/b")) == ("file", "file", 2)


def test_undefined_variable_through_the_cli_points_into_the_template(repo):
    (repo / ".oomlint.toml").write_text(CONFIG.replace(', "group_vars/db.yml"', "").replace(
        "group_vars/all.yml", "group_vars/db.yml"))
    doc = json.loads(check("--format", "json", "--select", "OOM007").stdout)
    where = [(f["host"], f["path"], f["line"], f["severity"]) for f in doc["findings"]
             if "undefined variable" in f["message"] and "conns" in f["message"]]
    assert where == [("db", "roles/mysql/templates/my.cnf.j2", 3, "info")]


def test_mapped_template_without_vars_is_unknown_not_an_error(repo):
    (repo / ".oomlint.toml").write_text(
        '[hosts.db]\nroot = "hosts/db"\nram = "8G"\nswap = "1G"\n'
        'files = { "/etc/mysql/my.cnf" = "roles/mysql/templates/my.cnf.j2" }\n')
    r = check("--format", "json")
    doc = json.loads(r.stdout)
    templated = [f for f in doc["findings"] if f["rule"] == "OOM007"]
    assert {f["line"] for f in templated} == {2, 3}
    assert all(f["severity"] == "info" and f["path"] == "roles/mysql/templates/my.cnf.j2"
               for f in templated)
    assert not [f for f in doc["findings"] if f["severity"] == "error"]
