"""Formatters: findings (and catalogue metadata) -> text. They never see the model."""

from __future__ import annotations

from oomlint.report import (
    budget_json,
    budget_text,
    concise,
    explain_json,
    explain_text,
    full,
    rules_doc,
    rules_text,
)
from oomlint.report import github as github_report
from oomlint.report import json as json_report
from oomlint.report import sarif as sarif_report

# `text` is the old name of `full`, kept as an alias.
FORMATS = {"full": full.render, "text": full.render, "concise": concise.render,
           "json": json_report.render, "sarif": sarif_report.render,
           "github": github_report.render}
# Formats a person reads: colour and --statistics apply to them only.
TEXT_FORMATS = {"full", "text", "concise"}
BUDGET_FORMATS = {"text": budget_text.render, "json": budget_json.render}
EXPLAIN_FORMATS = {"text": explain_text.render, "json": explain_json.render}
# `oomlint rules --format`: json is versioned (report/rules_doc.py), markdown is docs/rules.md.
RULES_FORMATS = {"text": rules_text.render_list_text, "json": rules_doc.render_json,
                 "markdown": rules_doc.render_markdown}
