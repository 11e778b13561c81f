"""Wheel build hook: compile rules/*.yaml into one JSON document, shipped as
oomlint/_catalog.json, which oomlint/catalog.py reads at start-up instead of parsing 48+
YAML files (the YAML copies still ship in oomlint/_catalog as the fallback and for reading)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if version == "editable":  # a checkout reads rules/*.yaml itself (catalog.py)
            return
        root = Path(self.root)
        sys.path.insert(0, str(root / "src"))
        try:
            from oomlint.catalog import COMPILED, compile_catalog
        finally:
            sys.path.pop(0)
        out = Path(tempfile.mkdtemp(prefix="oomlint-catalog-")) / COMPILED
        out.write_text(compile_catalog(root / "rules"), "utf-8")
        build_data.setdefault("force_include", {})[str(out)] = f"oomlint/{COMPILED}"
