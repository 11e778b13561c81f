"""`oomlint rules --format json|markdown`: the catalogue for tooling and for docs/rules.md.

JSON is versioned: ``{"version": 1, "rules": [{"id", "name", "title", "severity", "area",
"status", "since", "summary", "why", "fix", "exceptions", "options", "references",
"help_uri"}]}``, in catalogue order. Markdown is docs/rules.md exactly (tests/test_rules_doc.py
fails when the committed file is stale): regenerate it with
``oomlint rules --format markdown > docs/rules.md``."""

from __future__ import annotations

from oomlint.catalog import domain_text
from oomlint.report.escape import json_document

VERSION = 1


def render_json(catalog) -> str:
    return json_document({"version": VERSION, "rules": [{
        "id": m.id, "name": m.name, "title": m.title, "severity": m.severity.value,
        "area": m.area, "status": m.status, "since": m.since, "summary": m.summary,
        "why": m.why, "fix": m.fix, "exceptions": m.exceptions,
        "options": {name: dict(o) for name, o in m.options.items()},
        "references": [dict(r) for r in m.references], "help_uri": m.help_uri,
    } for m in catalog.values()]})


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(catalog) -> str:
    out = ["# oomlint rules", "",
           "<!-- Generated from rules/*.yaml by `oomlint rules --format markdown > docs/rules.md`;"
           " do not edit by hand (tests/test_rules_doc.py checks it is current). -->", "",
           "| id | name | severity | status | title |", "|---|---|---|---|---|"]
    for m in catalog.values():
        out.append(f"| [{m.id}](#{m.id.lower()}-{m.name}) | {m.name} | {m.severity.value} | "
                   f"{m.status} | {_cell(m.title)} |")
    for m in catalog.values():
        out += ["", f"## {m.id} {m.name}", "",
                f"**{m.title}** — severity `{m.severity.value}`, area `{m.area}`, "
                f"{m.status} since {m.since}.", "", m.summary, "", "### Why", "", m.why, "",
                "### How to fix", "", m.fix]
        if m.exceptions:
            out += ["", "### When to waive it", "", m.exceptions]
        if m.options:
            out += ["", "### Options", ""]
            for name, o in m.options.items():
                kind = " ".join(filter(None, (o.get("type"), domain_text(o))))
                out.append(f"- `{name}` ({kind}, default `{o.get('default')!r}`): "
                           f"{' '.join(str(o.get('doc', '')).split())}")
        out += ["", "### References", ""]
        out += [f"- [{r['title']}]({r['url']})" for r in m.references]
        out += ["", f"Suppress with `# oomlint: disable={m.id} -- reason` on the line before."]
    return "\n".join(out) + "\n"
