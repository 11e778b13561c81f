"""Formatters: findings (and catalogue metadata) -> text. They never see the model."""

from __future__ import annotations

from oomlint.report import budget_json, budget_text, explain_json, explain_text, full
from oomlint.report import json as json_report

FORMATS = {"text": full.render, "json": json_report.render}
BUDGET_FORMATS = {"text": budget_text.render, "json": budget_json.render}
EXPLAIN_FORMATS = {"text": explain_text.render, "json": explain_json.render}
