"""`oomlint rules --format json` (versioned, for tooling) and docs/rules.md, generated from
the catalogue by `oomlint rules --format markdown`: this test fails when it is stale."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from oomlint.catalog import load_catalog
from oomlint.cli import main

ROOT = Path(__file__).parent.parent


def rules(*args):
    r = CliRunner().invoke(main, ["rules", *args], catch_exceptions=False)
    assert r.exit_code == 0
    return r.stdout


def test_docs_rules_md_is_current():
    committed = (ROOT / "docs" / "rules.md").read_text("utf-8")
    assert committed == rules("--format", "markdown"), (
        "docs/rules.md is stale: run `oomlint rules --format markdown > docs/rules.md`")


def test_markdown_has_every_rule_with_its_text():
    md = rules("--format", "markdown")
    for m in load_catalog().values():
        assert f"\n## {m.id} {m.name}\n" in md and m.summary in md
        assert f"(#{m.id.lower()}-{m.name})" in md
        for ref in m.references:
            assert f"]({ref['url']})" in md


def test_json_is_versioned_and_complete():
    doc = json.loads(rules("--format", "json"))
    catalog = load_catalog()
    assert doc["version"] == 1
    assert [r["id"] for r in doc["rules"]] == list(catalog)
    r = next(r for r in doc["rules"] if r["id"] == "OOM201")
    m = catalog["OOM201"]
    assert (r["name"], r["severity"], r["title"], r["summary"]) == (
        m.name, m.severity.value, m.title, m.summary)
    assert r["help_uri"] == m.references[0]["url"]
    assert r["options"]["allow_units"]["type"] == "list[str]"
    assert set(r) >= {"why", "fix", "exceptions", "area", "status", "since", "references"}
