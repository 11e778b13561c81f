"""The catalogue and the code stay in step; every catalogue example behaves as documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import lint_tree, write_tree

from oomlint.catalog import ID_RE, NAME_RE, REQUIRED, load_catalog
from oomlint.checks import CHECKS, INPUT_RULES

RULES_DIR = Path(__file__).parent.parent / "rules"
CATALOG = load_catalog()


def test_catalog_files_are_complete():
    names = set()
    for f in sorted(RULES_DIR.glob("*.yaml")):
        data = yaml.safe_load(f.read_text())
        assert ID_RE.match(data["id"]), f
        assert f.stem == data["id"], f
        assert NAME_RE.match(data["name"]), f
        assert not data["name"].startswith(("no-", "disallow-")), f
        assert data["name"] not in names, f
        names.add(data["name"])
        for key in REQUIRED:
            assert data.get(key), f"{f.name}: {key} is empty"
        assert data["severity"] in ("error", "warning", "info")
        assert data["status"] in ("preview", "stable", "deprecated", "removed")
        assert not re.search(r"\{[a-z_]+\}|\d+(\.\d+)? ?[KMG]iB", data["title"]), f
        for ref in data["references"]:
            assert ref["url"].startswith("https://"), f


def test_catalog_matches_code():
    code_ids = {m.RULE for m in CHECKS} | set(INPUT_RULES)
    assert set(CATALOG) == code_ids


def test_check_modules_named_by_rule():
    for m in CHECKS:
        mod = m.__name__.rsplit(".", 1)[1]
        assert mod.startswith(m.RULE.lower() + "_")
        assert mod[len(m.RULE) + 1:].replace("_", "-") == CATALOG[m.RULE].name


def test_options_have_defaults_and_docs():
    for meta in CATALOG.values():
        for name, opt in meta.options.items():
            assert {"type", "default", "doc"} <= set(opt), (meta.id, name)


EXAMPLES = [(rid, kind) for rid, m in sorted(CATALOG.items())
            for kind in ("fires", "quiet") if kind in m.examples]


@pytest.mark.parametrize("rid,kind", EXAMPLES, ids=lambda x: str(x))
def test_catalog_example(rid, kind, tmp_path):
    ex = CATALOG[rid].examples[kind]
    root = write_tree(tmp_path / "root", {f["path"]: f["text"] for f in ex["files"]})
    result = lint_tree(root, {rid, *ex.get("select", [])}, ram=ex.get("ram"), swap=ex.get("swap"))
    fired = [f for f in result.findings if f.rule == rid]
    if kind == "fires":
        assert fired, f"{rid} example did not fire"
    else:
        assert not fired, [f.message for f in fired]


def test_every_check_rule_has_examples():
    missing = [m.RULE for m in CHECKS if not {"fires", "quiet"} <= set(CATALOG[m.RULE].examples)]
    assert missing == []


def test_compiled_catalog_matches_yaml(tmp_path, monkeypatch):
    """The wheel's _catalog.json (hatch_build.py) loads to the same catalogue as rules/*.yaml,
    and is what an installed oomlint reads when there is no rules/ beside it."""
    from oomlint import catalog as catalog_mod

    rules_dir = Path(__file__).resolve().parent.parent / "rules"
    text = catalog_mod.compile_catalog(rules_dir)
    pkg = tmp_path / "site" / "oomlint"
    pkg.mkdir(parents=True)
    (pkg / catalog_mod.COMPILED).write_text(text, "utf-8")
    monkeypatch.setattr(catalog_mod, "__file__", str(pkg / "catalog.py"))
    catalog_mod.load_catalog.cache_clear()
    try:
        assert catalog_mod._compiled() is not None
        assert catalog_mod.load_catalog() == CATALOG
        assert list(catalog_mod.load_catalog()) == list(CATALOG)
        (pkg / catalog_mod.COMPILED).write_text("{not json", "utf-8")  # a damaged file: YAML
        assert catalog_mod._compiled() is None
    finally:
        catalog_mod.load_catalog.cache_clear()


def test_compiled_catalog_errors_match_yaml():
    from oomlint import catalog as catalog_mod

    with pytest.raises(catalog_mod.CatalogError, match="OOM999.yaml: missing"):
        catalog_mod._from_data({"id": "OOM999"}, "OOM999.yaml")
    with pytest.raises(catalog_mod.CatalogError, match="x.yaml: not a mapping"):
        catalog_mod._from_data(["a"], "x.yaml")
