"""Reads and parses each file of a host once, for every loader step.
"""

from __future__ import annotations

from oomlint.base.findings import Problems
from oomlint.model.host import (
    Host,
)
from oomlint.sources.tree import Tree


class Reader:
    """Reads and parses each file once (links and /lib==/usr/lib make repeats common)."""

    def __init__(self, tree: Tree, host: Host, problems: Problems):
        self.tree = tree
        self.host = host
        self.problems = problems
        self.cache: dict[tuple[str, str], object] = {}

    def parse(self, vpath: str, kind: str, parser, *args):
        entry = self.tree.lookup(vpath)
        key = (entry.target, kind)
        if key in self.cache:
            return self.cache[key]
        got = self.tree.read_text(vpath, self.problems)
        result = None
        if got is not None:
            shown, text = got
            result = parser(text, shown, self.problems, *args)
            self.host.pragmas.extend(getattr(result, "pragmas", []))
        self.cache[key] = result
        return result
