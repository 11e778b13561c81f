"""my.cnf and postgresql.conf, checked against what mariadbd 10.11 and postgres 15 did.

tests/data/db/expected_{mysql,postgresql}.yaml were recorded by tests/data/db/record.py
from the real servers on the fixture trees under tests/data/db/{mysql,postgresql}/. The
recorded tests compare oomlint's model with them variable by variable (defaults included);
the live tests re-run the servers, when installed and running as root, so the recordings
cannot drift from the servers.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from oomlint.base.findings import Problems
from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.mysqld import mysqld_limit, mysqld_parse_size
from oomlint.base.grammar.postgres import postgres_parse_int, postgres_parse_memory, postgres_parse_real
from oomlint.base.provenance import Loc
from oomlint.model.mysql import load_mysql
from oomlint.model.postgresql import load_postgresql
from oomlint.model.services import _mysql_early_options
from oomlint.parsers.mycnf import MyDirective, MyGroup, MyOption, parse_mycnf
from oomlint.parsers.postgresql_conf import PgInclude, PgLine, parse_pg_conf, tokenize
from oomlint.sources.tree import Tree

DB = Path(__file__).parent / "data" / "db"
MYSQL = yaml.safe_load((DB / "expected_mysql.yaml").read_text())
PG = yaml.safe_load((DB / "expected_postgresql.yaml").read_text())
KiB, MiB, GiB = 1024, 1024**2, 1024**3


class _Env:
    def __init__(self, env: dict[str, str]):
        self.variables = {k: (v, None) for k, v in env.items()}


class _Unit:
    """What `_mysql_early_options` reads of a unit: its environment."""

    def __init__(self, env: dict[str, str]):
        self.env = _Env(env)


def _load_my(name: str, case: dict, flavor: str | None = None):
    """The recorded command line (``mariadbd --defaults-file=… ARGS``) and environment go
    through the same reading of leading options as a unit's ExecStart=."""
    problems = Problems()
    argv = ["mariadbd", f"--defaults-file={case['start'][0]}", *case.get("args", [])]
    suffix, prefix_matching = _mysql_early_options(_Unit(case.get("env", {})), argv)
    cfg = load_mysql(Tree(root=DB / "mysql" / name), case["start"], flavor or MYSQL["flavor"],
                     problems, group_suffix=suffix, prefix_matching=prefix_matching)
    return cfg, problems


def _load_pg(name: str, case: dict, flavor: str | None = None):
    problems = Problems()
    cfg = load_postgresql(Tree(root=DB / "postgresql" / name), case["conf"],
                          flavor or PG["flavor"], problems, auto_conf_path=case["auto_conf"])
    return cfg, problems


def _write(root: Path, files: dict[str, str | bytes]) -> Tree:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return Tree(root=root)


# --------------------------------------------------------------------------------------
# recorded agreement with the servers
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MYSQL["fixtures"]))
def test_mysql_fixture_matches_mariadbd(name):
    case = MYSQL["fixtures"][name]
    cfg, _ = _load_my(name, case)
    assert cfg is not None
    assert bool(cfg.refused) == case["refused"], cfg.refused
    if case["refused"]:
        return
    got = {var: cfg.get(var) for var in case["values"]}
    assert got == case["values"]


@pytest.mark.parametrize("name", sorted(PG["fixtures"]))
def test_postgresql_fixture_matches_postgres(name):
    case = PG["fixtures"][name]
    cfg, _ = _load_pg(name, case)
    assert cfg is not None
    assert bool(cfg.refused) == case["refused"], cfg.refused
    if case["refused"]:
        return
    got = {var: cfg.get(var) for var in case["values"]}
    assert got == case["values"]


@pytest.mark.parametrize("value", list(MYSQL["grammar"]["sort_buffer_size"]))
def test_mysql_size_grammar_matches_mariadbd(value, tmp_path):
    want = MYSQL["grammar"]["sort_buffer_size"][value]
    tree = _write(tmp_path, {"etc/mysql/my.cnf": f"[mysqld]\nsort_buffer_size = {value}\n"})
    cfg = load_mysql(tree, ["/etc/mysql/my.cnf"], MYSQL["flavor"], Problems())
    if want is None:
        assert cfg.refused
    else:
        assert (cfg.refused, cfg.get("sort_buffer_size")) == ([], want)


@pytest.mark.parametrize("name,value", [(n, v) for n, vals in PG["grammar"].items() for v in vals])
def test_postgres_memory_grammar_matches_postgres(name, value, tmp_path):
    want = PG["grammar"][name][value]
    tree = _write(tmp_path, {"p.conf": f"{name} = {value}\n"})
    cfg = load_postgresql(tree, "/p.conf", PG["flavor"], Problems())
    if want is None:
        assert cfg.refused
    else:
        assert (cfg.refused, cfg.get(name)) == ([], want)


def _recorder():
    spec = importlib.util.spec_from_file_location("db_record", DB / "record.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _live(binary: str):
    if not shutil.which(binary) and not Path(binary).exists():
        pytest.skip(f"{binary} is not installed")
    if os.geteuid() != 0:
        pytest.skip("the live recorder runs as root")
    return _recorder()


def test_live_mariadbd_agrees_with_recordings():
    rec = _live("mariadbd")
    assert rec.record_mysql_grammar() == MYSQL["grammar"]["sort_buffer_size"]
    for name, case in MYSQL["fixtures"].items():
        live = rec.record_mysql(DB / "mysql" / name)
        assert live["refused"] == case["refused"], name
        assert live.get("values") == case.get("values"), name


def test_live_postgres_agrees_with_recordings():
    rec = _live(str(_recorder().PG_BIN / "postgres"))
    data = rec.make_cluster()
    try:
        units = rec.pg_units(data)
        (data / "postgresql.auto.conf").write_text("# Do not edit this file manually!\n")
        assert rec.record_pg_grammar(data) == PG["grammar"]
        for name, case in PG["fixtures"].items():
            live = rec.record_pg(DB / "postgresql" / name, data, units)
            assert live["refused"] == case["refused"], name
            assert live.get("values") == case.get("values"), name
    finally:
        shutil.rmtree(data.parent, ignore_errors=True)


# --------------------------------------------------------------------------------------
# provenance
# --------------------------------------------------------------------------------------


def test_mysql_winning_line_and_overrides():
    cfg, _ = _load_my("my01_debian_layout", MYSQL["fixtures"]["my01_debian_layout"])
    s = cfg.source("innodb-buffer-pool-size")
    assert s.loc == Loc("etc/mysql/mariadb.conf.d/60-tuning.cnf", 2)
    assert s.raw == "2G" and s.value == 2 * GiB
    assert [o.loc for o in s.overrides] == [Loc("etc/mysql/mariadb.conf.d/50-server.cnf", 10)]
    assert s.overrides[0].value == GiB  # "1GB": only the first letter after the digits counts
    assert cfg.files[:3] == ["etc/mysql/my.cnf", "etc/mysql/conf.d/mysql.cnf",
                             "etc/mysql/conf.d/mysqldump.cnf"]
    assert "etc/mysql/mariadb.conf.d/.99-hidden.cnf" in cfg.files  # dot-files are read
    assert not any(f.endswith(("README", ".dpkg-old", ".conf")) for f in cfg.files)
    # the [client] and [mysql] key_buffer_size never reach the server
    assert cfg.source("key_buffer_size").loc == Loc("etc/mysql/mariadb.conf.d/50-server.cnf", 12)
    assert [p.rules for p in cfg.pragmas] == [("OOM401",)]


def test_postgresql_auto_conf_wins_with_chain():
    cfg, _ = _load_pg("pg04_auto_conf", PG["fixtures"]["pg04_auto_conf"])
    s = cfg.source("shared_buffers")
    assert s.loc == Loc("var/lib/postgresql/15/main/postgresql.auto.conf", 3)
    assert s.raw == "'4GB'" and s.value == 4 * GiB
    assert [o.loc for o in s.overrides] == [Loc("etc/postgresql/15/main/postgresql.conf", 1)]
    assert cfg.files == ["etc/postgresql/15/main/postgresql.conf",
                         "var/lib/postgresql/15/main/postgresql.auto.conf"]


def test_postgresql_superseded_lines_stay_in_the_chain():
    cfg, _ = _load_pg("pg05_superseded", PG["fixtures"]["pg05_superseded"])
    s = cfg.source("work_mem")
    assert s.loc.line == 6 and s.value == 16 * MiB
    assert [(o.loc.line, o.value) for o in s.overrides] == [(2, None), (5, 32 * MiB)]
    assert cfg.source("max_connections").loc.line == 8  # Max_Connections, case-insensitive


def test_refusals_point_at_the_line():
    cfg, _ = _load_my("my99_refused_negative", MYSQL["fixtures"]["my99_refused_negative"])
    assert [(loc, written) for loc, written, _ in cfg.refused] == [
        (Loc("etc/mysql/conf.d/x.cnf", 2), "sort_buffer_size=-1")]
    cfg, _ = _load_pg("pg93_refused_case_duplicate", PG["fixtures"]["pg93_refused_case_duplicate"])
    assert [(loc.line, written) for loc, written, _ in cfg.refused] == [(1, "Shared_Buffers = 1gb")]
    cfg, _ = _load_pg("pg95_refused_depth_11", PG["fixtures"]["pg95_refused_depth_11"])
    (loc, written, reason), = cfg.refused
    assert loc == Loc("etc/postgresql/15/main/n/n10.conf", 2) and "nesting depth" in reason


# --------------------------------------------------------------------------------------
# the grammar functions alone (the recorded probes above go through the whole loader)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,want", [
    ("1G", GiB), ("1GB", GiB), ("1gb", GiB), ("512m", 512 * MiB), ("1048576K", GiB),
    ("2T", 2 * 1024**4), ("1P", 1024**5), ("1E", 1024**6), ("16E", 0),  # wraps mod 2**64
    ("5M ; note", 5 * MiB), ("5Mxyz", 5 * MiB), ("+5M", 5 * MiB), (" 5M", 5 * MiB),
    ("", 0), ("M", 0), ("0", 0), ("134217728", 134217728), ("1KiB", KiB),
    (" -5M", 2**64 - 5 * MiB),  # strtoull() negates after leading whitespace
])
def test_mysqld_parse_size_accepts(text, want):
    assert mysqld_parse_size(text) == want


@pytest.mark.parametrize("text,reason", [
    ("1.5M", "Unknown suffix '.'"), ("0x100000", "Unknown suffix 'x'"),
    ("5 M", "Unknown suffix ' '"), ("500 ; peak", "Unknown suffix ' '"),
    ("5242880;c", "Unknown suffix ';'"), ("'6M", "Unknown suffix '''"),
    ("-5M", "Incorrect unsigned value"), ("99999999999999999999", "out of range"),
    ("lots", "Unknown suffix 'l'"),
])
def test_mysqld_parse_size_refuses(text, reason):
    with pytest.raises(GrammarError, match=reason):
        mysqld_parse_size(text)


def test_mysqld_limit_rounds_then_raises_to_minimum():
    assert mysqld_limit(20000, 16384, 0, 1024) == 19456  # max_heap_table_size
    assert mysqld_limit(20000, 0, 0, 16384) == 16384  # tmp_table_size
    assert mysqld_limit(100, 1024, 0) == 1024  # sort_buffer_size
    assert mysqld_limit(3 * 10**5, 10, 100000) == 100000  # max_connections
    assert mysqld_limit(2**40, 0, 0, 1, 2**32 - 1) == 2**32 - 1  # INT UNSIGNED



@pytest.mark.parametrize("text,base,want", [
    ("1GB", 8192, 131072), ("1 GB", 8192, 131072), ("1.5GB", 8192, 196608),
    ("256MB", 8192, 32768), ("0x1000", 8192, 4096), ("010", 8192, 8), ("020000", 8192, 8192),
    ("1e3", 8192, 1000), ("100000B", 1024, 98), ("64.4kB", 1024, 64), ("0.0625MB", 1024, 64),
    (" 8 MB ", 1024, 8192), ("+8MB", 1024, 8192), ("-1", 8192, -1), ("99.5", 1024, 100),
    ("100.5", 1024, 100), ("1.5kB", 1024, 2), ("1024", 8192, 1024),
])
def test_postgres_parse_int(text, base, want):
    assert postgres_parse_int(text, base) == want
    assert postgres_parse_memory(text, base) == want * base


@pytest.mark.parametrize("text", ["1gb", "1K", "64mb", "8 M B", "08", "1 Gb", "abc", "",
                                  "1e400", "99999999999GB", "1.5 kBB"])
def test_postgres_parse_int_refuses(text):
    with pytest.raises(GrammarError):
        postgres_parse_int(text, 1024)


def test_postgres_unitless_parameter_refuses_units():
    assert postgres_parse_int(" 100 ") == 100
    with pytest.raises(GrammarError):
        postgres_parse_int("100kB")
    assert postgres_parse_real("1.5") == 1.5 and postgres_parse_real("  3 ") == 3.0
    with pytest.raises(GrammarError):
        postgres_parse_real("1.5x")


# --------------------------------------------------------------------------------------
# parsers
# --------------------------------------------------------------------------------------


def test_mycnf_records():
    problems = Problems()
    text = ("# comment\n[MySQLd]\nLoose-Skip-Performance_Schema\n"
            "key-buffer-size = \"5M\" # trailing\n"
            "tmpdir = '/tmp # not a comment' ; nor is this\n"
            "  ! include  /etc/x.cnf  \n!includedir /etc/d\n!bogus x\n[ mysqld ]\n")
    f = parse_mycnf(text, "etc/my.cnf", problems)
    g1, g2 = f.groups
    assert (g1.name, g1.raw, g1.loc.line) == ("mysqld", "MySQLd", 2)
    assert g2.name == " mysqld"
    o1, o2, o3 = f.options
    assert (o1.prefixes, o1.name, o1.raw, o1.value) == (("loose", "skip"), "performance_schema",
                                                       None, None)
    assert (o2.name, o2.raw, o2.value, o2.loc) == ("key_buffer_size", '"5M"', "5M",
                                                   Loc("etc/my.cnf", 4))
    assert o3.value == "'/tmp # not a comment' ; nor is this"  # quotes kept: they don't match
    assert [(d.kind, d.path) for d in f.directives] == [("include", "/etc/x.cnf"),
                                                       ("includedir", "/etc/d")]
    assert [(p.rule, p.loc.line) for p in problems.items] == [("OOM005", 8), ("OOM005", 9)]
    assert f.stop is None


@pytest.mark.parametrize("text,line,what", [
    ("key_buffer_size = 1M\n[mysqld]\n", 1, "without preceding group"),
    ("\ufeff[mysqld]\nx=1\n", 1, "byte-order mark"),
    ("[mysqld]\n[client\nx=1\n", 2, "Wrong group definition"),
    ("[mysqld]\n!include   \nx=1\n", 2, "Wrong '!include'"),
])
def test_mycnf_stops_where_mysqld_stops(text, line, what):
    problems = Problems()
    f = parse_mycnf(text, "my.cnf", problems)
    assert f.stop is not None and f.stop.loc.line == line and what in f.stop.message
    assert not any(isinstance(i, MyOption) and i.loc.line > line for i in f.items)
    assert problems.items == []  # the model decides: refusal (first file) or OOM005


def test_mycnf_escapes_and_unquoting():
    f = parse_mycnf('[mysqld]\na = "x\\sy\\tz"\nb = \'\'\nc = "\nd = \\q\n', "f", Problems())
    assert [o.value for o in f.options] == ["x y\tz", "", '"', "\\q"]


def test_pg_tokens_follow_flex_longest_match():
    kinds = lambda s: [(t.kind, t.text) for t in tokenize(s)]  # noqa: E731
    assert kinds("shared_buffers = 1.5GB") == [("ID", "shared_buffers"), ("EQUALS", "="),
                                               ("REAL", "1.5"), ("ID", "GB")]
    assert kinds("x 0x1fkB") == [("ID", "x"), ("INTEGER", "0x1fkB")]
    assert kinds("x = 1e3") == [("ID", "x"), ("EQUALS", "="), ("INTEGER", "1e"),
                                ("INTEGER", "3")]
    assert kinds("a.b = /var/x # c") == [("QUALIFIED_ID", "a.b"), ("EQUALS", "="),
                                         ("ERROR", "/"), ("UNQUOTED_STRING", "var/x")]
    assert kinds("s = 'it''s # no' # yes") == [("ID", "s"), ("EQUALS", "="),
                                               ("STRING", "'it''s # no'")]


def test_pg_conf_records():
    problems = Problems()
    text = ("# c\nShared_Buffers 128MB\nwork_mem = '1 GB' # c\nsearch_path = 'a''b\\tc'\n"
            "work_mem = 1 GB\nINCLUDE_DIR = 'conf.d'\ninclude_if_exists x.conf\n= 5\n")
    f = parse_pg_conf(text, "p.conf", problems)
    a, b, c = f.assignments
    assert (a.name, a.raw_name, a.value, a.loc.line) == ("shared_buffers", "Shared_Buffers",
                                                         "128MB", 2)
    assert (b.value, b.raw, b.quoted) == ("1 GB", "'1 GB'", True)
    assert c.value == "a'b\tc"
    e1, e2, e3 = f.errors
    assert (e1.loc.line, e1.name, e1.value) == (5, "work_mem", "1 GB")
    assert "near token \"GB\"" in e1.error and "quote it" in e1.error
    # postgres 15: "syntax error ... near token "x.conf"": a dotted word is a qualified name
    assert (e2.loc.line, e2.name) == (7, "include_if_exists") and "quote it" in e2.error
    assert e3.loc.line == 8
    assert [(i.kind, i.path) for i in f.includes] == [("include_dir", "conf.d")]
    assert problems.items == []


# --------------------------------------------------------------------------------------
# model details the fixtures do not cover
# --------------------------------------------------------------------------------------


def test_mysql_start_files_in_order_and_missing_skipped(tmp_path):
    tree = _write(tmp_path, {"etc/my.cnf": "[mysqld]\nmax_connections = 300\n",
                             "etc/mysql/my.cnf": "[mysqld]\nmax_connections = 400\n"})
    p = Problems()
    cfg = load_mysql(tree, ["/etc/my.cnf", "/etc/mysql/my.cnf", "/root/.my.cnf"], "mariadb-10.11", p)
    assert cfg.get("max_connections") == 400 and cfg.files == ["etc/my.cnf", "etc/mysql/my.cnf"]
    assert load_mysql(tree, ["/nowhere.cnf"], "mariadb-10.11", p) is None
    assert p.items == []


def test_mysql_flavors_read_their_groups(tmp_path):
    tree = _write(tmp_path, {"etc/mysql/my.cnf": (
        "[mysqld-8.0]\nmax_connections = 80\n[mariadb]\nkey_buffer_size = 1M\n"
        "[mariadb-11]\nsort_buffer_size = 11M\n[mysqld]\nkey_buffer = 5M\n"
        "innodb_dedicated_server = ON\n")})
    start = ["/etc/mysql/my.cnf"]
    my80 = load_mysql(tree, start, "mysql-8.0", Problems())
    assert my80.get("max_connections") == 80 and my80.get("key_buffer_size") == 8 * MiB
    assert my80.get("query_cache_size") is None and my80.get("performance_schema") is True
    assert my80.get("thread_stack") == MiB and my80.get("innodb_log_buffer_size") == 16 * MiB
    assert my80.get("innodb_buffer_pool_size", ram=16 * GiB) == 12 * GiB
    assert my80.get("innodb_buffer_pool_size", ram=2 * GiB) == GiB
    assert my80.get("innodb_buffer_pool_size") == 128 * MiB
    my84 = load_mysql(tree, start, "mysql-8.4", Problems())
    assert my84.get("innodb_log_buffer_size") == 64 * MiB
    assert my84.get("temptable_max_ram", ram=64 * GiB) == 64 * GiB * 3 // 100
    assert my84.get("temptable_max_ram", ram=8 * GiB) == GiB
    assert my84.get("temptable_max_ram", ram=512 * GiB) == 4 * GiB
    m114 = load_mysql(tree, start, "mariadb-11.4", Problems())
    assert m114.get("sort_buffer_size") == 11 * MiB and m114.get("key_buffer_size") == 5 * MiB
    assert m114.get("max_connections") == 151
    m1011 = load_mysql(tree, start, "mariadb-10.11", Problems())
    assert m1011.get("sort_buffer_size") == 2 * MiB  # 10.11 reads no [mariadb-11]
    assert m1011.get("innodb_dedicated_server") is None  # a MySQL variable


def test_mysql_include_problems_are_reported(tmp_path):
    tree = _write(tmp_path, {
        "etc/mysql/my.cnf": "[mysqld]\n!include /etc/mysql/bad.cnf\n!include /etc/mysql/my.cnf\n",
        "etc/mysql/bad.cnf": "[mysqld]\nmax_connections = 300\n[oops\nmax_connections = 9\n",
    })
    p = Problems()
    cfg = load_mysql(tree, ["/etc/mysql/my.cnf"], "mariadb-10.11", p)
    assert cfg.get("max_connections") == 300 and cfg.refused == []
    got = sorted((f.rule, f.loc.path, f.loc.line) for f in p.items)
    assert ("OOM005", "etc/mysql/bad.cnf", 3) in got  # rest of the included file dropped
    assert ("OOM005", "etc/mysql/my.cnf", 3) in got  # include cycle
    assert any("recursion level" in f.message for f in p.items)


def test_mysql_unreadable_and_world_paths_stay_inside_the_tree(tmp_path):
    tree = _write(tmp_path, {"etc/mysql/my.cnf": b"[mysqld]\n!include ../../../../etc/passwd\n"
                                                 b"key_buffer_size = \xff\n"})
    p = Problems()
    cfg = load_mysql(tree, ["/etc/mysql/my.cnf"], "mariadb-10.11", p)
    assert cfg.files == ["etc/mysql/my.cnf"]
    assert [f.rule for f in p.items] == ["OOM003"]
    assert cfg.refused  # the replacement character is an unknown suffix


def test_postgresql_derived_values(tmp_path):
    conf = "/etc/postgresql/14/main/postgresql.conf"
    tree = _write(tmp_path, {conf.lstrip("/"): "shared_buffers = 1GB\nwal_buffers = -1\n"
                                               "maintenance_work_mem = 256MB\n"})
    cfg = load_postgresql(tree, conf, "postgresql-14", Problems())
    assert cfg.get("wal_buffers") == 16 * MiB  # 1GB / 32 capped at one 16MB segment
    assert cfg.get("autovacuum_work_mem") == 256 * MiB
    assert cfg.get("hash_mem_multiplier") == 1.0  # PG 13-14 default
    assert cfg.source("wal_buffers").value == -1
    assert load_postgresql(tree, "/etc/postgresql/15/main/postgresql.conf", "postgresql-15",
                           Problems()) is None


# --------------------------------------------------------------------------------------
# totality: nothing raises, whatever the input
# --------------------------------------------------------------------------------------

_LINES = st.lists(st.sampled_from([
    "[mysqld]", "[client]", "[mysqld", "key_buffer_size = 1G", "key_buffer_size", "!include /x.cnf",
    "!includedir /d", "loose-skip-x", "=", "# c", "; c", "x = 'a # b' # c", "\ufeff[mysqld]",
    "max_connections 100", "work_mem = '1 GB'", "include 'x.conf'", "include_dir 'd'", "'",
    "shared_buffers = 1.5GB", "a.b = c", "\\", "include_if_exists = 'p.conf'",
]) | st.text(max_size=30), max_size=12)


@settings(max_examples=200, deadline=None)
@given(_LINES)
def test_parsers_and_models_are_total(tmp_path_factory, lines):
    text = "\n".join(lines)
    root = tmp_path_factory.mktemp("fuzz")
    tree = _write(root, {"etc/mysql/my.cnf": text, "x.cnf": text, "d/a.cnf": text,
                         "etc/pg/postgresql.conf": text, "etc/pg/x.conf": text,
                         "etc/pg/d/a.conf": text, "etc/pg/p.conf": text})
    parse_mycnf(text, "f", Problems())
    parse_pg_conf(text, "f", Problems())
    for flavor in ("mariadb-10.11", "mysql-8.4"):
        cfg = load_mysql(tree, ["/etc/mysql/my.cnf"], flavor, Problems())
        for var in cfg.variables if cfg else ():  # None: a binary file
            cfg.get(var)
    cfg = load_postgresql(tree, "/etc/pg/postgresql.conf", "postgresql-15", Problems())
    for var in cfg.variables if cfg else ():
        cfg.get(var)
    assert all(isinstance(i, (PgLine, PgInclude)) for i in parse_pg_conf(text, "f", Problems()).items)
    assert all(isinstance(i, (MyGroup, MyOption, MyDirective))
               for i in parse_mycnf(text, "f", Problems()).items)


def test_postgresql_parameter_list_is_what_postgres_knows():
    """src/oomlint/data/postgresql_parameters.txt against the installed postgres 15."""
    rec = _live(str(_recorder().PG_BIN / "postgres"))
    from oomlint.model.postgresql import _pg15_names

    data = rec.make_cluster()
    try:
        assert set(rec.pg_parameter_names(data)) == _pg15_names()
    finally:
        shutil.rmtree(data.parent, ignore_errors=True)


@pytest.mark.parametrize("flavor,name,refused", [
    ("postgresql-15", "shared_bufers", True),
    ("postgresql-15", "Shared_Buffers", False),
    ("postgresql-15", "pg_stat_statements.max", False),
    ("postgresql-15", "sort_mem", False),
    ("postgresql-15", "io_combine_limit", True),  # added in 17
    ("postgresql-17", "io_combine_limit", False),
    ("postgresql-17", "shared_bufers", True),  # two edits from shared_buffers
    ("postgresql-16", "my_app_setting", False),  # not close to a known name: not judged
    ("postgresql-14", "shared_bufers", False),  # no list for 14
])
def test_postgresql_unknown_parameter(tmp_path, flavor, name, refused):
    tree = _write(tmp_path, {"p.conf": f"{name} = 1000\n"})
    cfg = load_postgresql(tree, "/p.conf", flavor, Problems())
    assert any("unrecognized configuration parameter" in r[2] for r in cfg.refused) == refused


SHMEM = yaml.safe_load((DB / "expected_pg_shmem.yaml").read_text())


@pytest.mark.parametrize("name", sorted(SHMEM["configs"]))
def test_postgresql_shared_memory_matches_postgres(name, tmp_path):
    """The shared-memory floor against ``postgres -C shared_memory_size`` (MB, rounded up:
    the true size lies in ((MB - 1) MiB, MB MiB]) within ±0.5 %, and the huge page count."""
    from oomlint.model.postgresql import shared_memory_huge_pages, shared_memory_size

    case = SHMEM["configs"][name]
    text = "".join(f"{k} = {v}\n" for k, v in case["settings"].items())
    cfg = load_postgresql(_write(tmp_path, {"p.conf": text}), "/p.conf", "postgresql-15",
                          Problems())
    assert cfg.refused == []
    got = shared_memory_size(cfg)
    mb = case["shared_memory_size"]
    assert (mb - 1) * MiB * 0.995 <= got <= mb * MiB * 1.005, (got / MiB, mb)
    pages = case["shared_memory_size_in_huge_pages"]
    assert abs(shared_memory_huge_pages(cfg, 2 * MiB) - pages) <= max(1, pages * 0.005)


def test_live_postgres_shared_memory_agrees_with_recordings():
    rec = _live(str(_recorder().PG_BIN / "postgres"))
    data = rec.make_cluster()
    try:
        assert rec.record_pg_shmem(data) == SHMEM["configs"]
    finally:
        shutil.rmtree(data.parent, ignore_errors=True)


def test_patroni_cluster_is_the_patroni_units(monkeypatch):
    """Through the CLI: the postmaster of /etc/postgresql/17/main is patroni@17-main's child
    (its MemoryMax), not the disabled postgresql@17-main.service's, and it is counted once."""
    import json

    from click.testing import CliRunner

    from oomlint.cli import main

    root = Path(__file__).parent / "checks" / "OOM103" / "fires-patroni"
    monkeypatch.chdir(root)
    out = CliRunner().invoke(main, ["budget", ".", "--ram", "64G", "--format", "json"]).output
    services = [s for s in json.loads(out)["hosts"][0]["services"] if s["kind"] == "postgresql"]
    assert [(s["name"], s["unit"], s["limit_bytes"]) for s in services] == [
        ("patroni@17-main.service", "patroni@17-main.service", 24 * GiB)]
    assert services[0]["settings"]["shared_buffers"] == 16 * GiB  # Patroni's postgresql.conf


def test_patroni_yaml_that_is_not_yaml_is_a_finding(tmp_path):
    from oomlint.parsers.patroni import parse_patroni

    problems = Problems()
    assert parse_patroni("postgresql: [unclosed\n", "etc/patroni/x.yml", problems) is None
    assert [(f.rule, f.loc.line) for f in problems.items] == [("OOM005", 2)]
    ok = parse_patroni("postgresql:\n  data_dir: /d\n  config_dir: /c\n", "p.yml", Problems())
    assert (ok.data_dir, ok.config_dir, ok.bin_dir) == ("/d", "/c", None)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_patroni_parser_is_total(text):
    from oomlint.parsers.patroni import parse_patroni

    problems = Problems()
    got = parse_patroni(text, "p.yml", problems)
    assert got is None or got.path == "p.yml"
