"""Wheel build hook: compile rules/*.yaml into one JSON document, shipped as
oomlint/_catalog.json, which oomlint/catalog.py reads at start-up instead of parsing 80
YAML files (the YAML copies still ship in oomlint/_catalog as the fallback and for reading).

`python hatch_build.py` writes the same document to src/oomlint/_catalog.json, the copy a
checkout reads for every rule file it still matches byte for byte (the others are parsed
from their YAML); tests/test_catalog_load.py fails while that copy is out of date."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # `python hatch_build.py` without hatchling
    BuildHookInterface = object

ROOT = Path(__file__).resolve().parent


def _compile(root: Path) -> tuple[str, str]:
    sys.path.insert(0, str(root / "src"))
    try:
        from oomlint.catalog import COMPILED, compile_catalog
    finally:
        sys.path.pop(0)
    return COMPILED, compile_catalog(root / "rules")


class CatalogHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if version == "editable":  # a checkout reads rules/*.yaml itself (catalog.py)
            return
        name, text = _compile(Path(self.root))
        out = Path(tempfile.mkdtemp(prefix="oomlint-catalog-")) / name
        out.write_text(text, "utf-8")
        build_data.setdefault("force_include", {})[str(out)] = f"oomlint/{name}"


if __name__ == "__main__":
    name, text = _compile(ROOT)
    (ROOT / "src" / "oomlint" / name).write_text(text, "utf-8")
    print(f"src/oomlint/{name}: {len(json.loads(text)['rules'])} rule files")
