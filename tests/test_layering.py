"""The pipeline's arrows point one way: report/ never imports checks, parsers or the model;
checks never import parsers' I/O; parsers never import the model."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parent.parent / "src" / "oomlint"

FORBIDDEN = {
    "report": ("oomlint.checks", "oomlint.parsers", "oomlint.model", "oomlint.engine"),
    "checks": ("oomlint.parsers.source", "oomlint.report", "oomlint.engine", "oomlint.cli"),
    "parsers": ("oomlint.model", "oomlint.checks", "oomlint.report", "oomlint.engine"),
    "model": ("oomlint.checks", "oomlint.report", "oomlint.engine", "oomlint.cli"),
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
        for py in (SRC / folder).glob("*.py"):
            for mod in _imports(py):
                if mod.startswith(forbidden):
                    bad.append(f"{py.relative_to(SRC)} imports {mod}")
    assert bad == []


def test_checks_do_not_open_files():
    for py in (SRC / "checks").glob("*.py"):
        text = py.read_text()
        assert "open(" not in text and "read_text(" not in text, py.name
