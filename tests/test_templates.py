"""Template expressions are unknown values in every format: one OOM007 at the line, the
setting treated as unset (its default), never a refusal (OOM402 / OOM452 / OOM507).

Regressions for my.cnf, postgresql.conf and JVM options, through the command line and
asserting (rule, path, line); then the one test itself (sources/templates.py)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import write_tree
from hypothesis import given
from hypothesis import strategies as st

from oomlint.base.grammar.c import MIB
from oomlint.cli import main
from oomlint.model.build import build_host
from oomlint.sources.templates import is_templated, template_spans, templated_runs
from oomlint.sources.tree import Tree

UNITS = "etc/systemd/system"
CNF = "etc/mysql/my.cnf"
PG = "etc/postgresql/15/main/postgresql.conf"
REFUSALS = {"OOM402", "OOM452", "OOM507"}


@pytest.fixture
def run(tmp_path, monkeypatch):
    """`oomlint check --ram 8G --format json h` on a tree `h` made of {path: text};
    returns the sorted (rule, path, line) of every finding."""
    monkeypatch.chdir(tmp_path)

    def invoke(files: dict[str, str]) -> list[tuple[str, str, int]]:
        write_tree(tmp_path / "h", files)
        r = CliRunner().invoke(main, ["check", "--ram", "8G", "--format", "json", "h"],
                               catch_exceptions=False)
        assert r.exit_code in (0, 1), r.output
        doc = json.loads(r.stdout)
        return sorted((f["rule"], f["path"], f["line"]) for f in doc["findings"])

    return invoke


def _only(got, rules=("OOM007", *REFUSALS)):
    return [t for t in got if t[0] in rules]


def _host(tmp_path):
    return build_host(Tree(root=tmp_path / "h"), "h", ram=8 * 1024 * MIB)


# -- my.cnf ------------------------------------------------------------------------------


def test_mysql_templated_value_is_unknown_not_refused(run, tmp_path):
    got = run({CNF: "[mysqld]\ninnodb_buffer_pool_size = {{ pool }}\nmax_connections = 100\n"})
    assert _only(got) == [("OOM007", f"h/{CNF}", 2)]
    cfg = _host(tmp_path).databases[0].config
    assert cfg.get("innodb_buffer_pool_size") == 128 * MIB  # the default, as if unset
    assert cfg.source("innodb_buffer_pool_size") is None and cfg.refused == []


def test_mysql_templated_value_overrides_an_earlier_one(run, tmp_path):
    """The later line wins in mysqld; once it is unknown, the default is what is counted."""
    got = run({CNF: "[mysqld]\nkey_buffer_size = 4G\n!includedir /etc/mysql/conf.d/\n",
               "etc/mysql/conf.d/pool.cnf": "[mysqld]\nkey_buffer_size = \"{{ kb }}\"\n"
                                            "loose-innodb_buffer_pool_size={{ pool }}\n"
                                            "performance_schema = {{ ps }}\n"})
    assert _only(got) == [("OOM007", "h/etc/mysql/conf.d/pool.cnf", 2),
                          ("OOM007", "h/etc/mysql/conf.d/pool.cnf", 3),
                          ("OOM007", "h/etc/mysql/conf.d/pool.cnf", 4)]
    cfg = _host(tmp_path).databases[0].config
    assert cfg.get("key_buffer_size") == 8 * MIB  # MySQL 8.0's default, not the 4G line
    assert cfg.get("innodb_buffer_pool_size") == 128 * MIB  # not 0, as loose- errors give


def test_mysql_value_without_template_is_still_refused(run):
    got = run({CNF: "[mysqld]\ninnodb_buffer_pool_size = { pool }\n"})
    assert _only(got) == [("OOM402", f"h/{CNF}", 2)]


# -- postgresql.conf ---------------------------------------------------------------------


def test_postgresql_templated_value_is_unknown_not_refused(run, tmp_path):
    got = run({PG: "shared_buffers = {{ sb }}\nmax_connections = 100\n"
                   "work_mem = '{{ wm }}'\nhuge_pages = {{ hp }}\n"})
    assert _only(got) == [("OOM007", f"h/{PG}", 1), ("OOM007", f"h/{PG}", 3),
                          ("OOM007", f"h/{PG}", 4)]
    cfg = _host(tmp_path).databases[0].config
    assert cfg.refused == []
    assert cfg.get("shared_buffers") == 128 * MIB and cfg.get("work_mem") == 4 * MIB
    assert cfg.get("huge_pages") == "try" and cfg.get("max_connections") == 100


def test_postgresql_templated_line_superseded_or_superseding(run, tmp_path):
    """postgres never looks at a line superseded by a later one of the same spelling: a
    superseded template is not reported; a template that supersedes leaves the default."""
    got = run({PG: "work_mem = {{ wm }}\nwork_mem = 8MB\n"
                   "Shared_Buffers = 1GB\nshared_buffers = 2GB\nshared_buffers = {{ sb }}\n"})
    assert _only(got) == [("OOM007", f"h/{PG}", 5)]
    cfg = _host(tmp_path).databases[0].config
    assert cfg.get("work_mem") == 8 * MIB and cfg.source("work_mem").loc.line == 2
    assert cfg.get("shared_buffers") == 128 * MIB  # Shared_Buffers = 1GB applied, then unknown


def test_postgresql_syntax_error_without_template_is_still_refused(run):
    got = run({PG: "shared_buffers = 1 GB\nwork_mem = {{ wm\n"})
    assert _only(got) == [("OOM452", f"h/{PG}", 1), ("OOM452", f"h/{PG}", 2)]


# -- JVM options -------------------------------------------------------------------------


def _jvm(tmp_path):
    (jvm,) = _host(tmp_path).jvms
    return jvm.config


def test_jvm_templated_heap_on_the_command_line(run, tmp_path):
    got = run({f"{UNITS}/app.service": "[Service]\nExecStart=/usr/bin/java -Xmx{{ heap }} "
               "-XX:MaxMetaspaceSize=256m -jar /opt/app.jar\nMemoryMax=2G\n"})
    assert _only(got) == [("OOM007", f"h/{UNITS}/app.service", 2)]
    c = _jvm(tmp_path)
    assert c.refused == [] and "MaxHeapSize" not in c.flags
    assert c.max_heap.bytes == 512 * MIB  # ergonomic: 25% of the unit's 2G, as if unset
    assert c.metaspace.bytes == 256 * MIB  # the words after the template are still options


def test_jvm_templated_heap_in_environment(run, tmp_path):
    got = run({f"{UNITS}/app.service":
               '[Service]\nEnvironment="JAVA_OPTS=-Xms512m -Xmx{{ heap }}m"\n'
               "ExecStart=/usr/bin/java $JAVA_OPTS -jar /opt/app.jar\nMemoryMax=2G\n"})
    assert _only(got) == [("OOM007", f"h/{UNITS}/app.service", 2)]
    c = _jvm(tmp_path)
    assert c.refused == [] and c.initial_heap.bytes == 512 * MIB


def test_jvm_templated_options_in_the_jvm_variables(run, tmp_path):
    got = run({f"{UNITS}/app.service":
               "[Service]\nEnvironment=\"JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage={{ pct }}\"\n"
               "Environment=\"JDK_JAVA_OPTIONS=-Xss{{ stack | default('1m') }}\"\n"
               "Environment=\"_JAVA_OPTIONS=-Dapp.name={{ name }}\"\n"
               "ExecStart=/usr/bin/java -jar /opt/app.jar\nMemoryMax=2G\n"})
    # -Dapp.name is no memory option: its template does not matter
    assert _only(got) == [("OOM007", f"h/{UNITS}/app.service", 2),
                          ("OOM007", f"h/{UNITS}/app.service", 3)]
    assert _jvm(tmp_path).refused == []


def test_jvm_option_without_template_is_still_refused(run):
    got = run({f"{UNITS}/app.service":
               "[Service]\nExecStart=/usr/bin/java -Xmx{ heap } -jar /opt/app.jar\n"})
    assert _only(got) == [("OOM507", f"h/{UNITS}/app.service", 2)]


# -- the one test --------------------------------------------------------------------------

_REGEX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


@given(st.text(alphabet="{}%# a\n", max_size=40))
def test_template_spans_are_the_regular_expression_matches(text):
    assert template_spans(text) == [m.span() for m in _REGEX.finditer(text)]
    assert is_templated(text) == bool(_REGEX.search(text))


def test_template_spans_of_nested_unclosed_openers():
    """Unclosed and nested openers: one span to the first closer, none without one. (That the
    scanner stays linear on such input is measured in bench/hostile.py, template-openers.)"""
    hostile = "{{ {% {# " * 2_000 + "}}"
    assert template_spans(hostile) == [(0, len(hostile))]
    assert template_spans("{{" * 5_000) == []


@pytest.mark.parametrize("words, runs", [
    (["-Xmx{{", "heap", "}}", "-jar", "x.jar"], [(0, 3)]),
    (["-Xmx{{heap}}", "-Xss1m"], [(0, 1)]),
    (["-Xmx1g", "{{", "opts", "}}"], [(1, 4)]),
    (["a{{b}}{{c", "}}", "d{#x#}"], [(0, 2), (2, 3)]),
    (["{%", "if", "x", "%}-Xmx1g{%", "endif", "%}"], [(0, 6)]),
    (["-Xmx{{", "heap"], []),
    ([], []),
])
def test_templated_runs(words, runs):
    assert templated_runs(words) == runs
