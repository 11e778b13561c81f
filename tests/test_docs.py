"""README stays true: its rule table matches the catalogue, its test command is CI's."""

from __future__ import annotations

from pathlib import Path

from oomlint.catalog import load_catalog

ROOT = Path(__file__).parent.parent


def test_readme_rule_table_matches_catalogue():
    readme = (ROOT / "README.md").read_text()
    for m in load_catalog().values():
        assert f"| {m.id} | {m.name} | {m.severity.value} | {m.title}" in readme, m.id


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "&& python -m pytest\n```" in readme
    assert "\npython -m pytest\n" in ci
