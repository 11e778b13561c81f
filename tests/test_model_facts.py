"""Each fact has one home on `Unit` or `Host`, and every reader gets the same answer from it:
memory caps, CommitLimit, the hugepage size, a unit's environment and command line, the
dphys-swapfile cap, system.conf's defaults, and the database rules that several readers
share."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import lint_tree, triples, write_tree

from oomlint.analysis.budget import host_budget
from oomlint.catalog import load_catalog
from oomlint.cli import main
from oomlint.config import ConfigError, parse_config
from oomlint.engine import run
from oomlint.model.build import build_host
from oomlint.sources.tree import Tree

K, M, G = 1024, 1024**2, 1024**3
PAGE = 4096
UNITS = "etc/systemd/system"


def _host(root, **kw):
    return build_host(Tree(root=root), ".", **kw)


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# -- the memory cap -------------------------------------------------------------------------


def test_memory_cap_is_the_smallest_on_the_unit_and_its_slices(tree):
    root = tree({
        f"{UNITS}/app.service": "[Service]\nExecStart=/bin/app\nSlice=apps-web.slice\n"
                                "MemoryMax=3G\n",
        f"{UNITS}/apps-web.slice": "[Slice]\nMemoryMax=50%\n",
        f"{UNITS}/apps.slice": "[Slice]\nMemoryMax=1G\n",
        f"{UNITS}/-.slice": "[Slice]\nMemoryMax=1M\n",  # never applied by systemd
        f"{UNITS}/free.service": "[Service]\nExecStart=/bin/free\nMemoryMax=infinity\n",
    })
    host = _host(root, ram=4 * G)
    app = host.units["app.service"]
    cap = host.memory_cap(app)
    assert (cap.bytes, cap.loc.path, cap.loc.line, cap.owner.name) == (
        G, f"{UNITS}/apps.slice", 2, "apps.slice")
    own = host.memory_cap(app, slices=False)
    assert (own.bytes, own.owner) == (3 * G, app)
    assert host.capping_slice(app).name == "apps-web.slice"
    free = host.units["free.service"]
    assert free.memory_limit("MemoryMax") is None and not free.caps_memory()
    assert host.memory_cap(free) is None
    # Without RAM a percentage cannot be resolved: the next cap binds.
    assert host.memory_cap(_host(root).units["app.service"]).bytes == G


# -- CommitLimit and the one hugepage size ------------------------------------------------------

OVERCOMMIT = {"etc/sysctl.d/60-vm.conf": "vm.overcommit_memory = 2\nvm.nr_hugepages = 5\n"}


def test_commit_limit_formula_by_hand(tree):
    host = _host(tree(OVERCOMMIT), ram=8 * G, swap=G)
    assert host.hugepage_pool(2 * M) == 10 * M
    c = host.commit_limit(2 * G)
    assert c.bytes == ((8 * G // PAGE - 2 * G // PAGE) * 50 // 100 + G // PAGE) * PAGE == 4 * G
    assert (c.ram, c.swap, c.hugepages, c.ratio, c.kbytes) == (8 * G, G, 2 * G, 50, 0)
    assert _host(tree(OVERCOMMIT), swap=G).commit_limit(0) is None  # RAM unknown


def test_commit_limit_with_kbytes_ignores_ratio_and_pool(tree):
    root = tree({"etc/sysctl.d/60-vm.conf": "vm.overcommit_memory = 2\n"
                                            "vm.overcommit_kbytes = 1048576\n"})
    c = _host(root, ram=8 * G, swap=512 * M).commit_limit(2 * G)
    assert c.bytes == G + 512 * M


@pytest.mark.parametrize("config", [
    {"budget": {"hugepage_size": "1G"}},
    {"rules": {"OOM302": {"hugepage_size": "1G"}}},
    {"rules": {"hugepages-reserve-large": {"hugepage_size": "1G"}}},
    {"budget": {"hugepage_size": "1G"}, "rules": {"OOM307": {"hugepage_size": "1G"}}},
])
def test_every_spelling_of_hugepage_size_feeds_the_budget_and_both_rules(tree, config):
    cfg = parse_config(config, load_catalog())
    assert cfg.assumptions.hugepage_size == G
    root = tree(OVERCOMMIT)
    host = _host(root, ram=8 * G, swap=0)
    b = host_budget(host, cfg.assumptions)
    assert b.hugepages == 5 * G
    assert b.commit_limit == host.commit_limit(5 * G).bytes == 3 * G // 2
    result = lint_tree(root, {"OOM302", "OOM307"}, ram="8G", swap="0", config=cfg)
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["OOM302"].calc.total == b.commit_limit
    assert "hugepages 5 GiB" in by_rule["OOM302"].message
    assert by_rule["OOM307"].calc.total == b.hugepages


def test_disagreeing_hugepage_sizes_are_a_config_error():
    with pytest.raises(ConfigError, match="disagree"):
        parse_config({"budget": {"hugepage_size": "2M"},
                      "rules": {"OOM307": {"hugepage_size": "1G"}}}, load_catalog())
    with pytest.raises(ConfigError, match="OOM302.hugepage_size"):
        parse_config({"rules": {"OOM302": {"hugepage_size": "lots"}}}, load_catalog())


# -- a service's environment and command line -----------------------------------------------


def test_environment_and_argv_follow_systemd(tree):
    root = tree({
        f"{UNITS}/app.service": "[Service]\nType=oneshot\nEnvironment=A=1 B=2\n"
                                "EnvironmentFile=-/etc/default/app\n"
                                "EnvironmentFile=-/etc/default/absent\n"
                                "EnvironmentFile=/etc/app.d/*.env\n"
                                "ExecStart=/bin/true\nExecStart=/bin/app $A ${B} $C\n",
        "etc/default/app": "# oomlint: disable=OOM201 -- read by two units, collected once\n"
                           "B=from-file\nC=x y\n",
        "etc/app.d/1.env": "C=glob\n",
        f"{UNITS}/other.service": "[Service]\nEnvironmentFile=/etc/default/app\n"
                                  "EnvironmentFile=/etc/missing\nExecStart=/bin/other $C\n",
    })
    host = _host(root)
    app, other = host.units["app.service"], host.units["other.service"]
    assert {k: (v, loc.path, loc.line) for k, (v, loc) in app.env.variables.items()} == {
        "A": ("1", f"{UNITS}/app.service", 3),
        "B": ("from-file", "etc/default/app", 2),
        "C": ("glob", "etc/app.d/1.env", 1),
    }
    assert app.env.files == ("etc/default/app", "etc/app.d/1.env") and app.env.refused == ()
    assert len(app.commands) == 2 and app.exec_argv() == ["/bin/app", "1", "from-file", "glob"]
    assert other.exec_argv() == ["/bin/other", "x", "y"]
    (loc, written, reason), = other.env.refused
    assert (loc.path, loc.line, written) == (f"{UNITS}/other.service", 3,
                                             "EnvironmentFile=/etc/missing")
    assert [p.loc.path for p in host.pragmas].count("etc/default/app") == 1


MARIADB = "[Service]\n{env}\nExecStart=/usr/sbin/mariadbd $MYSQLD_OPTS\n"
CUSTOM = "etc/custom/my.cnf"


@pytest.mark.parametrize("env, files", [
    ("Environment=MYSQLD_OPTS=--defaults-file=/etc/custom/my.cnf", {}),
    ("EnvironmentFile=-/etc/default/mariadb",
     {"etc/default/mariadb": "MYSQLD_OPTS=--defaults-file=/etc/custom/my.cnf\n"}),
])
def test_mariadb_options_from_either_environment_link_its_option_file(tmp_path, env, files,
                                                                    monkeypatch):
    write_tree(tmp_path / "h", {
        f"{UNITS}/mariadb.service": MARIADB.format(env=env),
        CUSTOM: "[mysqld]\ninnodb_buffer_pool_size = 12G\n",
        "etc/mysql/my.cnf": "[mysqld]\ninnodb_buffer_pool_size = 1G\n",  # the default, not read
        **files,
    })
    monkeypatch.chdir(tmp_path)
    r = _cli("budget", "h", "--ram", "8G", "--format", "json")
    (svc,) = json.loads(r.output)["hosts"][0]["services"]
    assert (svc["name"], svc["kind"], svc["unit"]) == ("mariadb.service", "mysql", "mariadb.service")
    pool = svc["terms"][0]
    assert (pool["label"], pool["bytes"], pool["path"], pool["line"]) == (
        "innodb_buffer_pool_size", 12 * G, f"h/{CUSTOM}", 2)
    r = _cli("check", "h", "--ram", "8G", "--select", "OOM401", "--format", "json")
    assert r.exit_code == 1
    found = [(f["rule"], f["path"], f["line"]) for f in json.loads(r.output)["findings"]]
    assert found == [("OOM401", f"h/{CUSTOM}", 2)]


# -- dphys-swapfile, system.conf -------------------------------------------------------------


def test_dphys_swapfile_request_cap_and_size(tmp_path):
    def host_of(name, text, **kw):
        return _host(write_tree(tmp_path / name, {"etc/dphys-swapfile": text}), **kw)

    host = host_of("capped", "CONF_SWAPSIZE=4096\nCONF_MAXSWAP=2048\n")
    d = host.dphys_swapfile
    assert (d.requested_mib, d.requested.loc.line, d.cap_mib, d.cap.loc.line, d.size_mib) == (
        4096, 1, 2048, 2, 2048)
    assert host.swap_bytes == 2048 * M
    assert triples(lint_tree(tmp_path / "capped", {"OOM309"})) == [
        ("OOM309", "etc/dphys-swapfile", 1)]
    d = host_of("default-cap", "CONF_SWAPSIZE=4096\n").dphys_swapfile
    assert (d.cap_mib, d.cap, d.size_mib) == (2048, None, 2048)
    # From RAM, with no cap: nothing explicit to report.
    d = host_of("from-ram", "CONF_SWAPFACTOR=2\nCONF_MAXSWAP=\n", ram=G).dphys_swapfile
    assert (d.requested_mib, d.requested, d.cap_mib, d.size_mib) == ((1024 + 10) * 2, None,
                                                                    None, (1024 + 10) * 2)
    assert triples(lint_tree(tmp_path / "from-ram", {"OOM309"}, ram="1G")) == []


def test_manager_defaults_are_parsed_once(tree, tmp_path):
    root = tree({"etc/systemd/system.conf": "[Manager]\nDefaultStartLimitIntervalSec=1min\n"
                                            "DefaultStartLimitBurst=oops\nDefaultRestartSec=5s\n"})
    d = _host(root).manager_defaults
    assert (d.start_limit_interval, d.start_limit_burst, d.restart_sec) == (60.0, 5, 5.0)
    d = _host(write_tree(tmp_path / "none", {"etc/hostname": "h\n"})).manager_defaults
    assert (d.start_limit_interval, d.start_limit_burst, d.restart_sec) == (10.0, 5, 0.1)


# -- the database rules the budget and the checks share ------------------------------------------

PG = "etc/postgresql/15/main/postgresql.conf"


@pytest.mark.parametrize("version, per_worker, fires", [("15", G, True), ("17", 2 * G, False)])
def test_autovacuum_memory_is_one_rule(tree, version, per_worker, fires):
    root = tree({PG: "autovacuum_work_mem = 2GB\n"})
    host = _host(root, ram=64 * G, db_flavors={"postgresql": f"postgresql-{version}"})
    (db,) = host.databases
    vacuum = db.config.autovacuum_memory()
    assert (vacuum.setting, vacuum.configured, vacuum.used) == ("autovacuum_work_mem", 2 * G,
                                                                per_worker)
    (svc,) = host_budget(host).services
    (term,) = [t for t in svc.terms if "autovacuum workers" in t.label]
    assert (term.bytes, term.loc.path, term.loc.line) == (3 * per_worker, PG, 1)
    cfg = parse_config({"budget": {"postgresql_version": version}}, load_catalog())
    host = build_host(Tree(root=root), ".", ram=64 * G, db_flavors=cfg.flavors)
    result = run([(host, lambda p: p)], load_catalog(), cfg, {"OOM455"})
    assert triples(result) == ([("OOM455", PG, 1)] if fires else [])


@pytest.mark.parametrize("engine, temptable", [("", True), ("MEMORY", False)])
def test_mysql_temptable_is_one_rule(tree, engine, temptable):
    cnf = "[mysqld]\ntmp_table_size = 64M\nmax_heap_table_size = 16M\n"
    if engine:
        cnf += f"internal_tmp_mem_storage_engine = {engine}\n"
    root = tree({"etc/mysql/my.cnf": cnf})
    host = _host(root, ram=64 * G, db_flavors={"mysql": "mysql-8.0"})
    (db,) = host.databases
    assert db.config.uses_temptable() is temptable
    (svc,) = host_budget(host).services
    assert any(t.label.startswith("min(temptable_max_ram") for t in svc.stress_terms) is temptable
    result = lint_tree(root, {"OOM403"}, ram="64G")
    assert triples(result) == ([] if temptable else [("OOM403", "etc/mysql/my.cnf", 2)])
