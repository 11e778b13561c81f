"""Shared helpers: run the real pipeline (parse -> model -> check -> suppress) on a tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from oomlint.base.grammar.host import parse_host_size
from oomlint.catalog import load_catalog
from oomlint.config import Config
from oomlint.engine import run, select_rules
from oomlint.model.build import build_host
from oomlint.sources.tree import Tree

# CI replays the same generated cases every run (reproducible failures); locally hypothesis
# keeps exploring.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def live_parts(root: Path):
    """A captured live host (the `oomlint audit` fixtures: root/ the configuration, proc/,
    sys/ and kernel.log beside it) as (configuration root, LiveSource); (root, None) for a
    plain tree."""
    if not ((root / "proc").is_dir() or (root / "sys").is_dir()):
        return root, None
    from oomlint.sources.live import LiveSource

    log = root / "kernel.log"
    return root / "root", LiveSource(proc=root / "proc", sys=root / "sys",
                                     kernel_log=str(log) if log.is_file() else None)


def lint_tree(root: Path, rules=None, *, ram=None, swap=None, config: Config | None = None):
    """Findings for a tree, paths relative to the tree root; `rules` limits the run. A tree
    with proc/ or sys/ is audited as a live host (`live_parts`)."""
    catalog = load_catalog()
    cfg = config or Config()
    selected = set(rules) if rules else select_rules(catalog, None, [])
    root, live = live_parts(root)
    host = build_host(Tree(root=root), ".",
                      ram=parse_host_size(ram) if ram is not None else None,
                      swap=parse_host_size(swap) if swap is not None else None, live=live)
    return run([(host, lambda p: p)], catalog, cfg, selected)


def lint_fixture(case: Path):
    """Run a tests/checks/<RULE>/<case>/ fixture as tests/test_checks.py does: its rule (and
    any `select:` it names) with the host facts and options of its expected.yaml."""
    from oomlint.config import parse_config

    rule = case.parent.name
    exp = load_expected(case / "expected.yaml")
    cfg = parse_config({"rules": {rule: exp["options"]}} if exp.get("options") else {},
                       load_catalog())
    result = lint_tree(case, {rule, *exp.get("select", [])}, ram=exp.get("ram"),
                       swap=exp.get("swap"), config=cfg)
    return exp, result


def triples(result):
    return sorted((f.rule, f.loc.path, f.loc.line) for f in result.findings)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


@pytest.fixture
def tree(tmp_path):
    """Make a tree from {path: text}: ``root = tree({...})``."""

    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path / "root", files)

    return make


def load_expected(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}
