"""Formatters: findings (and catalogue metadata) -> text. They never see the model."""

from __future__ import annotations

from importlib import import_module
from typing import Callable, Iterator, Mapping


class _Formats(Mapping):
    """Format name -> render function, each formatter module imported the first time its
    function is asked for: listing the names (click's choices) imports none of them."""

    def __init__(self, modules: dict[str, str]):
        self._modules = modules  # format name -> module under oomlint.report

    def __getitem__(self, name: str) -> Callable:
        return import_module(f"oomlint.report.{self._modules[name]}").render

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


FORMATS = _Formats({"text": "full", "json": "json"})
BUDGET_FORMATS = _Formats({"text": "budget_text", "json": "budget_json"})
EXPLAIN_FORMATS = _Formats({"text": "explain_text", "json": "explain_json"})
