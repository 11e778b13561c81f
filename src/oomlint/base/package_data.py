"""oomlint's own data files (src/oomlint/data/), read beside this package.

The package is always installed as files (a wheel unpacked, or a checkout), so a path next
to this module is where importlib.resources would find them; importing importlib.resources
costs a check more than reading the file (it imports tempfile, zipfile readers and more)."""

from __future__ import annotations

import os

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")


def package_text(name: str) -> str:
    """The text of src/oomlint/data/NAME (UTF-8)."""
    with open(os.path.join(DATA_DIR, name), encoding="utf-8") as fh:
        return fh.read()
