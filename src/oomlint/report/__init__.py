"""Formatters: findings (and catalogue metadata) -> text. They never see the model."""

from __future__ import annotations

from importlib import import_module
from typing import Callable, Iterator, Mapping


class _Formats(Mapping):
    """Format name -> render function, each formatter module imported the first time its
    function is asked for: listing the names (click's choices) imports none of them. A value
    is a module under oomlint.report (its `render`) or `module:function`."""

    def __init__(self, modules: dict[str, str]):
        self._modules = modules  # format name -> module[:function] under oomlint.report

    def __getitem__(self, name: str) -> Callable:
        module, _, function = self._modules[name].partition(":")
        return getattr(import_module(f"oomlint.report.{module}"), function or "render")

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


# `text` is the old name of `full`, kept as an alias.
FORMATS = _Formats({"full": "full", "text": "full", "concise": "concise", "json": "json",
                    "sarif": "sarif", "github": "github"})
# Formats a person reads: colour and --statistics apply to them only.
TEXT_FORMATS = {"full", "text", "concise"}
BUDGET_FORMATS = _Formats({"text": "budget_text", "json": "budget_json"})
EXPLAIN_FORMATS = _Formats({"text": "explain_text", "json": "explain_json"})
# `oomlint rules --format`: json is versioned (report/rules_doc.py), markdown is docs/rules.md.
RULES_FORMATS = _Formats({"text": "rules_text:render_list_text", "json": "rules_doc:render_json",
                          "markdown": "rules_doc:render_markdown"})
