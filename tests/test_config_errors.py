"""Issue #9: every configuration error is exit 2 naming the file and the key
(`<file>: <key path>: <what is wrong>`), through the command line; never a traceback, never
silently accepted."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint.cli import main

TREE = {"etc/systemd/system/app.service": "[Service]\nExecStart=/bin/app\nMemoryMax=1G\n",
        "etc/fstab": "/swapfile none swap sw 0 0\n"}


@pytest.fixture
def lint(tmp_path, monkeypatch):
    """Run `oomlint check h` in a directory holding the tree `h` and the file `name`."""
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "h", TREE)

    def run(name: str, text: str, *args: str):
        (tmp_path / name).write_text(text)
        return CliRunner().invoke(main, ["check", "h", *args], catch_exceptions=False)

    return run


def assert_config_error(result, file, key: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{file}: {key}:" in result.output, result.output


@pytest.mark.parametrize("text,key", [
    ("tool = 5\n", "tool"),
    ("[tool]\noomlint = 5\n", "tool.oomlint"),
    ('[tool]\noomlint = ["OOM201"]\n', "tool.oomlint"),
])
def test_pyproject_tool_tables_of_the_wrong_type(lint, tmp_path, text, key):
    r = lint("pyproject.toml", text)
    assert_config_error(r, tmp_path / "pyproject.toml", key)
    assert "expected a table" in r.output


def test_malformed_pyproject_for_oomlint_is_not_skipped(lint, tmp_path):
    r = lint("pyproject.toml", '[tool.oomlint\nignore = ["OOM202"]\n')
    assert r.exit_code == 2, r.output
    assert f"{tmp_path / 'pyproject.toml'}: invalid TOML" in r.output


def test_malformed_pyproject_of_another_tool_is_skipped(lint):
    r = lint("pyproject.toml", "[tool.black\nline-length = 99\n", "--ram", "8G")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("text,key", [
    ("colour = 1\n", "colour"),
    ("select = 5\n", "select"),
    ("ignore = [1]\n", "ignore"),
    ("fail-on = []\n", "fail-on"),
    ("per-path-ignores = [1]\n", "per-path-ignores"),
    ('[per-path-ignores]\n"etc/*.conf" = 1\n', 'per-path-ignores."etc/*.conf"'),
    ('[per-path-ignores."etc/*.conf"]\nOOM201 = true\n', 'per-path-ignores."etc/*.conf"'),
    ("rules = 3\n", "rules"),
    ("[rules]\nOOM201 = 3\n", "rules.OOM201"),
    ("[rules.OOM201.severity]\nlevel = 1\n", "rules.OOM201.severity"),
    ('[rules.OOM201]\nallow_units = "x"\n', "rules.OOM201.allow_units"),
    ("[rules.OOM201]\nallow_units = [1]\n", "rules.OOM201.allow_units"),
    ("[rules.OOM201.allow_units]\nx = 1\n", "rules.OOM201.allow_units"),
    ("budget = 3\n", "budget"),
    ("[budget]\njvm_threads_by_unit = 5\n", "budget.jvm_threads_by_unit"),
    ("[budget.jvm_threads]\nx = 1\n", "budget.jvm_threads"),
])
def test_wrong_types_and_shapes(lint, tmp_path, text, key):
    assert_config_error(lint(".oomlint.toml", text), tmp_path / ".oomlint.toml", key)


def test_wrong_type_in_pyproject_names_the_full_key(lint, tmp_path):
    r = lint("pyproject.toml", "[tool.oomlint]\nselect = 5\n")
    assert_config_error(r, tmp_path / "pyproject.toml", "tool.oomlint.select")


@pytest.mark.parametrize("text,key", [
    ('ram = "lots"\n', "ram"),
    ("ram = true\n", "ram"),
    ('swap = "zz"\n', "swap"),
    ("swap = -1\n", "swap"),
    ('[budget]\nhugepage_size = "zz"\n', "budget.hugepage_size"),
    ('[budget]\njvm_metaspace = "-1G"\n', "budget.jvm_metaspace"),
    ('[rules.OOM302]\nhugepage_size = "zz"\n', "rules.OOM302.hugepage_size"),
])
def test_sizes_that_do_not_parse(lint, tmp_path, text, key):
    assert_config_error(lint(".oomlint.toml", text), tmp_path / ".oomlint.toml", key)


@pytest.mark.parametrize("text,key,says", [
    ("ram = 8\n", "ram", "a number without a unit is bytes"),
    ('ram = "63M"\n', "ram", ">= 64M"),
    ("ram = 1.5\n", "ram", "expected size"),
    ('[budget]\nmysql_version = "foo"\n', "budget.mysql_version",
     "one of mariadb-10.11, mariadb-11.4, mysql-8.0, mysql-8.4"),
    ('[budget]\npostgresql_version = "9"\n', "budget.postgresql_version", "one of 13, 14"),
    ("[budget]\njdk_version = 7\n", "budget.jdk_version", "in [8, 25]"),
    ("[budget]\njdk_version = 99\n", "budget.jdk_version", "in [8, 25]"),
    ("[budget]\njvm_threads = -5\n", "budget.jvm_threads", ">= 1"),
    ("[budget]\njvm_threads = 0\n", "budget.jvm_threads", ">= 1"),
    ("[budget]\npg_nodes_per_query = 0\n", "budget.pg_nodes_per_query", ">= 1"),
    ('[budget]\njvm_threads_by_unit = { "kafka.service" = -5 }\n',
     'budget.jvm_threads_by_unit."kafka.service"', ">= 1"),
    ("[budget]\nhugepage_size = 0\n", "budget.hugepage_size", "in [64K, 16G]"),
    ("[rules.OOM302]\nmin_share = -3\n", "rules.OOM302.min_share", "in (0, 1]"),
    ("[rules.OOM302]\nmin_share = 0\n", "rules.OOM302.min_share", "in (0, 1]"),
    ("[rules.OOM302]\nmin_share = nan\n", "rules.OOM302.min_share", "expected float"),
    ("[rules.OOM453]\nmax_share = inf\n", "rules.OOM453.max_share", "in (0, 1]"),
    ("[rules.budget-near-ram]\nnear_share = 1.5\n", "rules.budget-near-ram.near_share",
     "in (0, 1]"),
    ('[rules.OOM307]\nhugepage_size = "4K"\n', "rules.OOM307.hugepage_size", "in [64K, 16G]"),
])
def test_values_outside_their_domain(lint, tmp_path, text, key, says):
    r = lint(".oomlint.toml", text)
    assert_config_error(r, tmp_path / ".oomlint.toml", key)
    assert says in r.output


@pytest.mark.parametrize("text", [
    'ram = "64M"\n',
    '[budget]\nmysql_version = "mysql-8.4"\npostgresql_version = "17"\njdk_version = 21\n',
    "[budget]\njvm_threads = 1\n",
    "[rules.OOM302]\nmin_share = 1\n",
    '[rules.OOM302]\nhugepage_size = "1G"\n',
])
def test_values_at_the_edge_of_their_domain(lint, text):
    assert lint(".oomlint.toml", text, "--ram", "8G").exit_code == 0


@pytest.mark.parametrize("args,option", [
    (["--ram", "8"], "--ram"),
    (["--ram", "lots"], "--ram"),
    (["--swap", "-1"], "--swap"),
])
def test_command_line_sizes(lint, args, option):
    r = lint(".oomlint.toml", "", *args)
    assert r.exit_code == 2 and f"Invalid value for '{option}'" in r.output, r.output
    assert "Traceback" not in r.output


def test_rule_text_shows_the_domain():
    r = CliRunner().invoke(main, ["rule", "OOM302"], catch_exceptions=False)
    assert "min_share (float in (0, 1], default 0.8)" in r.output
    assert "hugepage_size (size in [64K, 16G], default '2M')" in r.output
