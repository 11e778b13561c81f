"""The pipeline's arrows point one way (../shared/ARCHITECTURE.md): base <- sources, parsers
<- model <- analysis <- checks <- engine -> report; the CLI only wires."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parent.parent / "src" / "oomlint"

_TOP = ("oomlint.engine", "oomlint.cli", "oomlint.config", "oomlint.suppress", "oomlint.runner")
FORBIDDEN = {
    # base/ is the ground floor: provenance, findings, rule ids, grammars.
    "base": ("oomlint.sources", "oomlint.parsers", "oomlint.model", "oomlint.analysis",
             "oomlint.checks", "oomlint.report", *_TOP),
    # sources/ is the only door to the operating system; it knows no format.
    "sources": ("oomlint.parsers", "oomlint.model", "oomlint.analysis", "oomlint.checks",
                "oomlint.report", *_TOP),
    # parsers/ are pure: text in, records out.
    "parsers": ("oomlint.sources", "oomlint.model", "oomlint.analysis", "oomlint.checks",
                "oomlint.report", *_TOP),
    "model": ("oomlint.analysis", "oomlint.checks", "oomlint.report", *_TOP),
    "analysis": ("oomlint.sources", "oomlint.parsers", "oomlint.checks", "oomlint.report", *_TOP),
    "checks": ("oomlint.sources", "oomlint.parsers", "oomlint.report", *_TOP),
    "report": ("oomlint.sources", "oomlint.parsers", "oomlint.model", "oomlint.checks", *_TOP),
}


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_layers():
    bad = []
    for folder, forbidden in FORBIDDEN.items():
        for py in (SRC / folder).rglob("*.py"):
            for mod in _imports(py):
                if mod.startswith(forbidden):
                    bad.append(f"{py.relative_to(SRC)} imports {mod}")
    assert bad == []


def test_checks_do_not_open_files():
    for py in (SRC / "checks").glob("*.py"):
        text = py.read_text()
        assert "open(" not in text and "read_text(" not in text, py.name


def test_every_folder_is_covered():
    folders = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(FORBIDDEN)
