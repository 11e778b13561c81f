"""Formatters: findings (and catalogue metadata) -> text. They never see the model."""

from __future__ import annotations

from oomlint.report import json as json_report
from oomlint.report import text as text_report

FORMATS = {"text": text_report.render, "json": json_report.render}
