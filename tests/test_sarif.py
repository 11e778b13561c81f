"""`--format sarif`: SARIF 2.1.0 that validates against the OASIS schema (a copy in
tests/data, see README-sarif-schema.md) with format checks on, and carries what GitHub code
scanning reads: rules from the catalogue, levels, relative URIs under a uriBaseId, regions
only with a line, the arithmetic as relatedLocations, partialFingerprints from the subject."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint.catalog import load_catalog
from oomlint.cli import main

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "examples"
UNIT = "etc/systemd/system/app.service"
IMMORTAL = "[Service]\nExecStart=/bin/app\nOOMScoreAdjust=-1000\nMemoryMax=1G\n"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    # Every format jsonschema knows, not only draft 4's: the schema's artifactLocation.uri is
    # a "uri-reference" (checked with rfc3986-validator installed, from the test extra).
    checker = jsonschema.FormatChecker()
    assert {"uri", "uri-reference"} <= set(checker.checkers)
    return cls(schema, format_checker=checker)


def sarif(*args, cwd=None):
    r = CliRunner().invoke(main, ["check", "--format", "sarif", *map(str, args)],
                           catch_exceptions=False)
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)


def errors(validator, doc):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(doc)]


def test_format_checks_are_on(validator):
    """The validator rejects a URI that is no uri-reference: the schema's formats are checked
    (jsonschema skips them without rfc3986-validator), so a pass below means something."""
    doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                         "results": [{"message": {"text": "m"}, "locations": [
                                             {"physicalLocation": {"artifactLocation": {
                                                 "uri": "a b\\c"}}}]}]}]}
    assert any("uri-reference" in e for e in errors(validator, doc))


@pytest.mark.parametrize("example", ["db-prod", "healthy", "jvm-apps"])
def test_examples_validate(validator, monkeypatch, example):
    monkeypatch.chdir(EXAMPLES.parent)
    doc = sarif(f"examples/{example}")
    assert errors(validator, doc) == []
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1


def test_db_prod_results(validator, monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    run = sarif("examples/db-prod")["runs"][0]
    results = run["results"]
    by_rule = {r["ruleId"]: r for r in results}
    assert {"OOM301", "OOM401", "OOM201", "OOM203"} <= set(by_rule)
    rules = run["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")
        loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert loc["uriBaseId"] == "%SRCROOT%" and loc["uri"].startswith("examples/db-prod")
        assert len(r["partialFingerprints"]["oomlint/v1"]) == 16
    # A host-level finding (line 0) has no region; a finding with a line has startLine.
    assert "region" not in by_rule["OOM301"]["locations"][0]["physicalLocation"]
    region = by_rule["OOM201"]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 9}
    assert by_rule["OOM209"]["level"] == "note"
    # The arithmetic's terms are related locations, with their values.
    related = by_rule["OOM401"]["relatedLocations"]
    assert [x["id"] for x in related] == list(range(len(related)))
    texts = [x["message"]["text"] for x in related]
    assert "innodb_buffer_pool_size: 6 GiB" in texts
    assert all("region" in x["physicalLocation"] for x in related)


def test_rules_come_from_the_catalogue(monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    rules = sarif("examples/healthy")["runs"][0]["tool"]["driver"]["rules"]
    catalog = load_catalog()
    assert [r["id"] for r in rules] == list(catalog)
    r = next(r for r in rules if r["id"] == "OOM201")
    m = catalog["OOM201"]
    assert r["name"] == m.name == "unkillable-service"
    assert r["shortDescription"]["text"] == m.title
    assert r["fullDescription"]["text"] == m.summary
    assert r["help"]["text"].startswith(m.summary) and "## How to fix" in r["help"]["markdown"]
    assert r["defaultConfiguration"]["level"] == "warning"
    assert r["helpUri"] == m.references[0]["url"]


def _fingerprints(doc):
    return {r["ruleId"]: r["partialFingerprints"]["oomlint/v1"] for r in doc["runs"][0]["results"]}


def test_fingerprint_survives_a_moved_line_and_another_cwd(tmp_path, monkeypatch):
    write_tree(tmp_path / "repo" / "hosts" / "h", {UNIT: IMMORTAL})
    monkeypatch.chdir(tmp_path / "repo")
    before = _fingerprints(sarif("hosts/h", "--ram", "8G", "--select=OOM201"))
    write_tree(tmp_path / "repo" / "hosts" / "h", {UNIT: "# moved\n\n" + IMMORTAL})
    moved = _fingerprints(sarif("hosts/h", "--ram", "8G", "--select=OOM201"))
    monkeypatch.chdir(tmp_path / "repo" / "hosts")  # the host is shown as "h" now
    elsewhere = _fingerprints(sarif("h", "--ram", "8G", "--select=OOM201"))
    assert before == moved != {}
    # Without a config file the anchor is the cwd: the id follows the path as given.
    assert elsewhere != before
    (tmp_path / "repo" / ".oomlint.toml").write_text("")
    anchored = _fingerprints(sarif("h", "--ram", "8G", "--select=OOM201"))
    monkeypatch.chdir(tmp_path / "repo")
    assert _fingerprints(sarif("hosts/h", "--ram", "8G", "--select=OOM201")) == anchored


def test_suppressed_findings_carry_the_justification(validator, tmp_path, monkeypatch):
    write_tree(tmp_path / "h", {UNIT: "[Service]\nExecStart=/bin/app\n"
                                "# oomlint: disable=OOM201 -- ssh-like agent, reviewed\n"
                                "OOMScoreAdjust=-1000\nMemoryMax=1G\n"})
    monkeypatch.chdir(tmp_path)
    doc = sarif("h", "--ram", "8G", "--select=OOM201")
    assert errors(validator, doc) == []
    (res,) = doc["runs"][0]["results"]
    (sup,) = res["suppressions"]
    assert sup["kind"] == "inSource" and sup["justification"] == "ssh-like agent, reviewed"
    assert sup["location"]["physicalLocation"]["region"]["startLine"] == 3


def test_hostile_paths_are_percent_encoded_and_valid(validator, tmp_path, monkeypatch):
    name = "a b%\u00e9\n::error::x#?\udcff"
    write_tree(tmp_path / "h", {f"etc/systemd/system/{name}.service": IMMORTAL})
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "h", "--ram", "8G", "--format", "sarif"],
                           catch_exceptions=False)
    r.stdout_bytes.decode("utf-8")  # valid UTF-8
    doc = json.loads(r.stdout)
    assert errors(validator, doc) == []
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in doc["runs"][0]["results"] for loc in res["locations"]}
    assert "h/etc/systemd/system/a%20b%25%C3%A9%0A%3A%3Aerror%3A%3Ax%23%3F%FF.service" in uris


def test_absolute_path_is_a_file_uri(validator, tmp_path):
    write_tree(tmp_path / "h", {UNIT: IMMORTAL})
    doc = sarif(tmp_path / "h", "--ram", "8G", "--select=OOM201")
    assert errors(validator, doc) == []
    (res,) = doc["runs"][0]["results"]
    loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uri"].startswith("file:///") and "uriBaseId" not in loc


def test_related_locations_are_capped(validator, tmp_path, monkeypatch):
    from oomlint.report import sarif as sarif_mod

    monkeypatch.setattr(sarif_mod, "MAX_RELATED", 5)
    write_tree(tmp_path / "h", {UNIT: "[Service]\nExecStart=/bin/app\n" + "MemoryMax=1G\n" * 8
                                + "MemoryMax=16G\n"})
    monkeypatch.chdir(tmp_path)
    doc = sarif("h", "--ram", "8G")
    assert errors(validator, doc) == []
    assert max(len(r.get("relatedLocations", [])) for r in doc["runs"][0]["results"]) == 5


def test_internal_error_is_an_unsuccessful_invocation(validator, tmp_path, monkeypatch):
    from oomlint.checks import oom201_unkillable_service

    def boom(ctx, opts):
        raise RuntimeError("boom")

    monkeypatch.setattr(oom201_unkillable_service, "check", boom)
    write_tree(tmp_path / "h", {UNIT: IMMORTAL})
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "h", "--ram", "8G", "--format", "sarif"],
                           catch_exceptions=False)
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert errors(validator, doc) == []
    run = doc["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": False}]
    assert "OOM099" in {res["ruleId"] for res in run["results"]}
