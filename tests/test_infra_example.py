"""Issue 15's sample infrastructure repository (examples/infra): three hosts from the
configuration ([hosts.*], one of them from the hosts/* glob), an Ansible role's templates
rendered with group_vars, a suppression with a reason and a committed baseline; it runs in
every format through the command line, and its SARIF validates against the schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from oomlint.cli import main

INFRA = Path(__file__).parent.parent / "examples" / "infra"
DATA = Path(__file__).parent / "data"


@pytest.fixture
def infra(monkeypatch):
    monkeypatch.chdir(INFRA)

    def run(*args):
        r = CliRunner().invoke(main, ["check", "--baseline", "oomlint-baseline.json", *args],
                               catch_exceptions=False)
        assert r.exit_code == 1, r.output  # the sample's errors are real: they fail CI
        assert "Traceback" not in r.output
        return r.stdout

    return run


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "sarif", "github"])
def test_every_format_runs(infra, fmt):
    assert infra("--format", fmt)


def test_findings_point_into_the_templates_and_carry_their_host(infra):
    doc = json.loads(infra("--format", "json"))
    where = {(f["host"], f["rule"], f["path"], f["line"]) for f in doc["findings"]}
    assert where == {
        ("db1", "OOM101", "hosts/db1", 0),
        ("db1", "OOM401", "roles/mysql/templates/my.cnf.j2", 8),
        ("web1", "OOM101", "hosts/web1", 0),
        ("web1", "OOM601", "roles/php-fpm/templates/www.conf.j2", 7),
    }
    (sup,) = doc["suppressed"]
    assert (sup["host"], sup["rule"]) == ("cache1", "OOM201")
    assert sup["justification"].startswith("the VPN is our only way in")
    assert doc["baseline"] == {"baselined": 1, "stale": []}  # cache1's accepted OOM301


def test_the_committed_baseline_is_what_write_baseline_writes(monkeypatch, tmp_path):
    monkeypatch.chdir(INFRA)
    out = tmp_path / "b.json"
    r = CliRunner().invoke(main, ["check", "--select", "OOM301", "--write-baseline", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text() == (INFRA / "oomlint-baseline.json").read_text()


def test_sarif_validates(infra):
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    doc = json.loads(infra("--format", "sarif"))
    assert [e.message for e in validator.iter_errors(doc)] == []
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"] for loc in r["locations"]}
    assert "roles/mysql/templates/my.cnf.j2" in uris


def test_github_annotations(infra):
    lines = infra("--format", "github").splitlines()
    assert any(ln.startswith("::error file=roles/mysql/templates/my.cnf.j2,line=8,"
                             "title=OOM401 mysql-exceeds-ram::") for ln in lines)
    assert any(ln.startswith("::error file=roles/php-fpm/templates/www.conf.j2,line=7,")
               for ln in lines)
    assert all(ln.startswith("::") for ln in lines)


def test_same_results_from_elsewhere_with_config(monkeypatch, tmp_path):
    """Started from another directory with --config: the same findings and baseline ids."""
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "--config", str(INFRA / ".oomlint.toml"),
                                  "--baseline", str(INFRA / "oomlint-baseline.json"),
                                  "--format", "json"])
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)
    assert len(doc["findings"]) == 4 and doc["baseline"] == {"baselined": 1, "stale": []}


def test_budget_with_no_path_covers_every_configured_host(infra):
    """`oomlint budget` with no path: every host of the configuration, with its own RAM."""
    r = CliRunner().invoke(main, ["budget", "--format", "json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    hosts = {h["name"]: h["ram_bytes"] for h in doc["hosts"]}
    assert hosts == {"cache1": 4 << 30, "db1": 16 << 30, "web1": 8 << 30}


def test_the_repository_given_as_a_path_is_checked_as_its_hosts(monkeypatch):
    """`oomlint check examples/infra` from the project root: a directory with its own
    .oomlint.toml describing hosts and no etc/, usr/lib/ ... of its own is those hosts (not
    one host in which nothing is recognised), its paths shown from where oomlint runs."""
    monkeypatch.chdir(INFRA.parent.parent)
    r = CliRunner().invoke(main, ["check", "examples/infra", "--format", "json"],
                           catch_exceptions=False)
    doc = json.loads(r.output)
    rules = {(f["rule"], f["path"]) for f in doc["findings"]}
    assert ("OOM401", "examples/infra/roles/mysql/templates/my.cnf.j2") in rules, rules
    assert not [f for f in doc["findings"] if f["rule"] == "OOM008"]
    assert r.exit_code == 1
