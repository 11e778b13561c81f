"""Suppression state belongs to a run: OOM090 judges a pragma only by the rules that were
selected, and checking the same host twice gives the same answer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint.catalog import load_catalog
from oomlint.cli import main
from oomlint.config import Config
from oomlint.engine import run
from oomlint.model.build import build_host
from oomlint.sources.tree import Tree

UNIT = "etc/systemd/system/app.service"
FILES = {
    UNIT: "[Service]\nExecStart=/bin/app\nMemoryMax=1G\n"
          "# oomlint: disable=OOM201 -- the watchdog must survive\nOOMScoreAdjust=-1000\n",
    "etc/fstab": "/swapfile none swap sw 0 0\n",
}


def _check(tmp_path, monkeypatch, select):
    write_tree(tmp_path / "host", FILES)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "host", "--format", "json", "--select", select],
                           catch_exceptions=False)
    return r, json.loads(r.output)


def test_pragma_of_an_unselected_rule_is_not_called_unused(tmp_path, monkeypatch):
    r, doc = _check(tmp_path, monkeypatch, "OOM090")
    assert doc["findings"] == [] and doc["suppressed"] == []
    assert r.exit_code == 0


def test_pragma_that_silenced_a_selected_rule_is_used(tmp_path, monkeypatch):
    r, doc = _check(tmp_path, monkeypatch, "OOM090,OOM201")
    assert doc["findings"] == []
    assert [(s["rule"], s["line"], s["justification"], s["suppressed_at"])
            for s in doc["suppressed"]] == [
        ("OOM201", 5, "the watchdog must survive", {"path": f"host/{UNIT}", "line": 4})]
    assert r.exit_code == 0


@pytest.mark.parametrize("select", ["OOM090,OOM202", "OOM090,OOM2"])
def test_pragma_is_judged_by_the_selected_rules_only(tmp_path, monkeypatch, select):
    # OOM090,OOM202: the pragma's OOM201 did not run. OOM090,OOM2: OOM201 ran and was silenced.
    _, doc = _check(tmp_path, monkeypatch, select)
    assert [f for f in doc["findings"] if f["rule"] == "OOM090"] == []


def test_pragma_naming_a_selected_rule_that_did_not_fire_is_unused(tmp_path, monkeypatch):
    files = dict(FILES)
    files[UNIT] = files[UNIT].replace("OOMScoreAdjust=-1000", "OOMScoreAdjust=-500")
    write_tree(tmp_path / "host", files)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "host", "--format", "json",
                                  "--select", "OOM090,OOM201"], catch_exceptions=False)
    assert [(f["rule"], f["line"], f["message"]) for f in json.loads(r.output)["findings"]] == [
        ("OOM090", 4, "suppression of OOM201 matched no finding")]


def test_unit_pragma_is_never_unused(tmp_path, monkeypatch):
    write_tree(tmp_path / "host", {"etc/mysql/my.cnf": "# oomlint: unit=mariadb.service\n"
                                                        "[mysqld]\nmax_connections = 10\n"})
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "host", "--format", "json", "--select", "OOM090"],
                           catch_exceptions=False)
    assert json.loads(r.output)["findings"] == []


def _runner(tmp_path, files):
    host = build_host(Tree(root=write_tree(tmp_path / "host", files)), ".")
    catalog = load_catalog()

    def once(selected):
        result = run([(host, lambda p: p)], catalog, Config(), selected)
        return ([(f.rule, f.loc.path, f.loc.line, f.message) for f in result.findings],
                [(s.finding.rule, s.justification) for s in result.suppressed])

    return once


def test_engine_runs_are_independent(tmp_path):
    once = _runner(tmp_path, FILES)
    alone = once({"OOM090"})
    with_rule = once({"OOM090", "OOM201"})
    assert alone == ([], [])
    assert with_rule == ([], [("OOM201", "the watchdog must survive")])
    assert once({"OOM090"}) == alone
    assert once({"OOM090", "OOM201"}) == with_rule


def test_a_pragma_used_in_one_run_is_judged_afresh_in_the_next(tmp_path):
    # OOM201 fires and is silenced; OOM202 does not fire (MemoryMax=1G), so with only
    # OOM202 selected the pragma silenced nothing, whatever an earlier run saw.
    files = dict(FILES)
    files[UNIT] = files[UNIT].replace("disable=OOM201 ", "disable=OOM201,OOM202 ")
    once = _runner(tmp_path, files)
    unused = ([("OOM090", UNIT, 4, "suppression of OOM201, OOM202 matched no finding")], [])
    assert once({"OOM090", "OOM202"}) == unused
    assert once({"OOM090", "OOM201", "OOM202"}) == (
        [], [("OOM201", "the watchdog must survive")])
    assert once({"OOM090", "OOM202"}) == unused
