"""`oomlint rules` and `oomlint rule ID`: the catalogue as a list and one rule's full text
(its summary, why, how to fix, when to waive it, options, references)."""

from __future__ import annotations

import json
import textwrap

from oomlint.catalog import domain_text


def render_list_text(catalog) -> str:
    lines = []
    for m in catalog.values():
        status = "" if m.status == "stable" else f" ({m.status})"
        lines.append(f"{m.id}  {m.name:<30} {m.severity.value:<8} {m.title}{status}\n")
    return "".join(lines)


def render_list_json(catalog) -> str:
    return json.dumps([{"id": m.id, "name": m.name, "severity": m.severity.value,
                        "status": m.status, "title": m.title}
                       for m in catalog.values()], indent=2) + "\n"


def render_rule(m) -> str:
    out = [f"{m.id} {m.name} [{m.severity.value}] {m.title}", "", m.summary, "", "Why", ""]
    out += [textwrap.indent(m.why, "  "), "", "How to fix", "", textwrap.indent(m.fix, "  ")]
    if m.exceptions:
        out += ["", "When to waive it", "", textwrap.indent(m.exceptions, "  ")]
    if m.options:
        out += ["", "Options", ""]
        for name, o in m.options.items():
            kind = " ".join(filter(None, (o.get("type"), domain_text(o))))
            out.append(f"  {name} ({kind}, default {o.get('default')!r}): "
                       f"{o.get('doc', '')}")
    out += ["", "References", ""] + [f"  {r['title']}: {r['url']}" for r in m.references]
    out += ["", f"Suppress: # oomlint: disable={m.id} -- reason   (on the line before)"]
    return "\n".join(out) + "\n"


LIST_FORMATS = {"text": render_list_text, "json": render_list_json}
