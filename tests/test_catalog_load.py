"""However the catalogue is read it is the same catalogue: PyYAML's pure-Python loader,
libyaml's C loader, the compiled JSON the wheel ships, and the committed copy of it a
checkout reads for the files whose bytes it was compiled from."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from oomlint import catalog as catalog_mod

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
NAMES = sorted(p.name for p in RULES_DIR.glob("*.yaml"))


def _pure(name: str):
    return yaml.load((RULES_DIR / name).read_text("utf-8"), Loader=yaml.SafeLoader)


def test_c_loader_pure_loader_and_compiled_json_agree():
    compiled = json.loads(catalog_mod.compile_catalog(RULES_DIR))["rules"]
    assert sorted(compiled) == NAMES
    for name in NAMES:
        pure = _pure(name)
        text = (RULES_DIR / name).read_text("utf-8")
        assert catalog_mod._safe_load(text) == pure, name
        if getattr(yaml, "CSafeLoader", None) is not None:
            assert yaml.load(text, Loader=yaml.CSafeLoader) == pure, name
        assert compiled[name] == pure, name  # JSON keeps every value as YAML gave it


def test_the_loaded_catalogue_is_the_pure_yaml_one():
    """What a run uses (from the checkout's cache when it is warm) is the catalogue the
    pure-Python loader reads from rules/*.yaml."""
    want = {}
    for name in NAMES:
        meta = catalog_mod._from_data(_pure(name), name)
        if meta.status != "removed":
            want[meta.id] = meta
    catalog_mod.load_catalog.cache_clear()
    try:
        got = catalog_mod.load_catalog()
    finally:
        catalog_mod.load_catalog.cache_clear()
    assert got == want and list(got) == list(want)


def test_the_committed_compiled_catalogue_is_current():
    """src/oomlint/_catalog.json is what rules/*.yaml compile to. A checkout reads it for
    each file whose bytes it was compiled from and parses the others, so a stale copy only
    costs time; this test says when to rewrite it."""
    committed = Path(catalog_mod.__file__).resolve().parent / catalog_mod.COMPILED
    assert committed.read_text("utf-8") == catalog_mod.compile_catalog(RULES_DIR), \
        "rules/*.yaml changed: rewrite src/oomlint/_catalog.json with `python hatch_build.py`"
    doc = json.loads(committed.read_text("utf-8"))
    assert sorted(doc["sha256"]) == sorted(doc["rules"]) == NAMES


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A checkout with three of the rule files compiled, its catalog module in
    src/oomlint; yields a function that loads the catalogue afresh and counts the YAML
    parses."""
    (tmp_path / "rules").mkdir()
    for name in NAMES[:3]:
        shutil.copy(RULES_DIR / name, tmp_path / "rules" / name)
    pkg = tmp_path / "src" / "oomlint"
    pkg.mkdir(parents=True)
    (pkg / catalog_mod.COMPILED).write_text(catalog_mod.compile_catalog(tmp_path / "rules"),
                                            "utf-8")
    monkeypatch.setattr(catalog_mod, "__file__", str(pkg / "catalog.py"))
    parsed = []
    real = catalog_mod._safe_load

    def counting(text):
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(catalog_mod, "_safe_load", counting)

    def load():
        parsed.clear()
        catalog_mod.load_catalog.cache_clear()
        try:
            return catalog_mod.load_catalog(), len(parsed)
        finally:
            catalog_mod.load_catalog.cache_clear()

    load.root = tmp_path
    load.compiled = pkg / catalog_mod.COMPILED
    yield load
    catalog_mod.load_catalog.cache_clear()


def test_current_files_are_not_parsed(checkout):
    loaded, parses = checkout()
    assert parses == 0 and len(loaded) == 3
    assert catalog_mod._compiled() is None  # a checkout: not the wheel's way


def test_an_edited_file_is_parsed_whatever_its_size_and_time(checkout):
    before, _ = checkout()
    path = checkout.root / "rules" / NAMES[0]
    stat = path.stat()
    text = path.read_text("utf-8")
    rid = next(iter(before))
    edited = text.replace(f"title: {before[rid].title}", f"title: {before[rid].title[::-1]}")
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    after, parses = checkout()
    assert parses == 1 and after[rid].title == before[rid].title[::-1]
    assert {k: v for k, v in after.items() if k != rid} == \
        {k: v for k, v in before.items() if k != rid}
    path.write_text(text, "utf-8")  # and back
    assert checkout() == (before, 0)


def test_added_and_removed_files_are_seen(checkout):
    before, _ = checkout()
    shutil.copy(RULES_DIR / NAMES[3], checkout.root / "rules" / NAMES[3])
    added, parses = checkout()
    assert parses == 1 and len(added) == len(before) + 1
    (checkout.root / "rules" / NAMES[0]).unlink()
    removed, parses = checkout()
    assert parses == 1 and len(removed) == len(before)  # NAMES[3] still to compile
    assert _pure(NAMES[0])["id"] not in removed


def test_a_missing_or_damaged_compiled_catalogue_means_parsing_everything(checkout):
    before, _ = checkout()
    for damage in ("{not json", "[]", '{"format": 1, "rules": {}}',
                   '{"format": 2, "rules": {}, "sha256": {}}', ""):
        checkout.compiled.write_text(damage, "utf-8")
        assert checkout() == (before, 3)
    checkout.compiled.unlink()
    assert checkout() == (before, 3)


def test_data_json_would_change_is_parsed_each_time(checkout):
    """A YAML-only value (a date) becomes a string in the compiled catalogue, as the wheel
    has it; that file gets no digest there, so a checkout parses its YAML."""
    (checkout.root / "rules" / "OOM999.yaml").write_text(
        "id: OOM999\nname: t\ntitle: t\nseverity: info\narea: t\nstatus: stable\n"
        "since: 2024-05-01\nsummary: s\nwhy: w\nfix: f\nreferences: []\n"
        "examples:\n  when: 2024-05-01\n", "utf-8")
    doc = json.loads(catalog_mod.compile_catalog(checkout.root / "rules"))
    assert doc["rules"]["OOM999.yaml"]["examples"] == {"when": "2024-05-01"}
    assert "OOM999.yaml" not in doc["sha256"]
    checkout.compiled.write_text(catalog_mod.compile_catalog(checkout.root / "rules"), "utf-8")
    loaded, parses = checkout()
    assert parses == 1 and type(loaded["OOM999"].examples["when"]).__name__ == "date"


def test_a_file_that_is_not_yaml_fails_as_before(checkout):
    (checkout.root / "rules" / NAMES[1]).write_text("id: [unclosed\n", "utf-8")
    with pytest.raises(yaml.YAMLError):
        checkout()
