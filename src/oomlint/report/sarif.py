"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

One run; `tool.driver.rules` is the whole catalogue (id, name, short and full description,
help as text and markdown, default level, helpUri), each result names its rule by id and
index. A result's location is the path as shown (relative to the current directory, as a
repository checkout is) under ``uriBaseId`` ``%SRCROOT%``, percent-encoded, with a region
only when the finding has a line (line 0 is the whole file). The arithmetic's terms and the
related lines are `relatedLocations`; `partialFingerprints` hold the finding's fingerprint
(rule, stable host id, tree-relative path and subject), so a moved line or a reworded
message is the same alert. Suppressed findings are results with ``suppressions`` (inSource
for a pragma, external for config) carrying the justification. Severities map here and
only here: error -> error, warning -> warning, info -> note.

Validated in tests/test_sarif.py against the OASIS schema (tests/data/sarif-schema-2.1.0.json)
with jsonschema's format checks on. The document is valid UTF-8 (escape.json_document)."""

from __future__ import annotations

from oomlint import __version__
from oomlint.base.findings import Finding, fingerprint
from oomlint.base.grammar.host import format_size
from oomlint.report._common import display_of
from oomlint.report.escape import json_document

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "oomlint/v1"
# GitHub code scanning takes at most 1000 locations of a kind per result.
MAX_RELATED = 1000


_KEEP = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")


def quote(raw: bytes) -> str:
    """Percent-encoding of a path's bytes (RFC 3986): unreserved characters and ``/`` stay,
    every other byte is ``%XX``. (No urllib here: tests/hostile/test_side_effects.py keeps
    network modules out of the package.)"""
    return "".join(chr(b) if b in _KEEP else f"%{b:02X}" for b in raw)


def _uri(path: str) -> dict:
    """An artifactLocation for a shown path: relative under %SRCROOT%, or a file: URI for
    an absolute one. Undecodable bytes (surrogateescape) are percent-encoded as the bytes."""
    raw = path.encode("utf-8", "surrogateescape")
    if path.startswith("/"):
        return {"uri": "file://" + quote(raw)}
    rel = raw[2:] if raw.startswith(b"./") else raw
    return {"uri": quote(rel) or ".", "uriBaseId": SRCROOT}


def _location(show, loc, message: str | None = None, ident: int | None = None) -> dict:
    phys = {"artifactLocation": _uri(show(loc.path))}
    if loc.line > 0:
        phys["region"] = {"startLine": loc.line}
    out: dict = {}
    if ident is not None:
        out["id"] = ident
    out["physicalLocation"] = phys
    if message:
        out["message"] = {"text": message}
    return out


def _related(f: Finding, show) -> list[dict]:
    out = []
    for r in f.related:
        out.append(_location(show, r.loc, r.note, len(out)))
    if f.calc is not None:
        for t in f.calc.terms:
            if t.loc is None:
                continue
            size = format_size(t.bytes) if t.bytes is not None else "unknown"
            out.append(_location(show, t.loc, f"{t.label}: {size}", len(out)))
    return out[:MAX_RELATED]


def _message(f: Finding) -> str:
    if f.calc is None:
        return f.message
    c = f.calc
    parts = [f"{label} {format_size(v)}" for label, v in
             ((c.total_label, c.total), (c.limit_label, c.limit)) if v is not None]
    return f.message + (f" ({'; '.join(parts)})" if parts else "")


def _rule(m) -> dict:
    refs = "\n".join(f"- [{r['title']}]({r['url']})" for r in m.references)
    text = f"{m.summary}\n\nWhy:\n{m.why}\n\nHow to fix:\n{m.fix}"
    markdown = (f"{m.summary}\n\n## Why\n\n{m.why}\n\n## How to fix\n\n{m.fix}"
                + (f"\n\n## When to waive it\n\n{m.exceptions}" if m.exceptions else "")
                + (f"\n\n## References\n\n{refs}" if refs else ""))
    rule = {
        "id": m.id,
        "name": m.name,
        "shortDescription": {"text": m.title},
        "fullDescription": {"text": m.summary},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[m.severity.value]},
        "properties": {"tags": [m.area], "status": m.status},
    }
    if m.help_uri:
        rule["helpUri"] = m.help_uri
    return rule


def _result(f: Finding, show, index: dict[str, int], host_id: str | None) -> dict:
    res = {"ruleId": f.rule}
    if f.rule in index:
        res["ruleIndex"] = index[f.rule]
    res["level"] = LEVEL[f.severity.value] if f.severity else "error"
    res["message"] = {"text": _message(f)}
    res["locations"] = [_location(show, f.loc)]
    related = _related(f, show)
    if related:
        res["relatedLocations"] = related
    res["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(f, host_id)}
    props = {"host": f.host, "subject": list(f.subject)}
    if f.name:
        props["name"] = f.name
    res["properties"] = props
    return res


def render(result, catalog, **_) -> str:
    rules = list(catalog.values())
    index = {m.id: i for i, m in enumerate(rules)}
    host_ids = getattr(result, "host_ids", {}) or {}
    results = []
    for f in result.findings:
        results.append(_result(f, display_of(result.shown, f.host), index, host_ids.get(f.host)))
    for s in result.suppressed:
        f = s.finding
        res = _result(f, display_of(result.shown, f.host), index, host_ids.get(f.host))
        sup = {"kind": "inSource" if s.source is not None else "external", "status": "accepted"}
        if s.justification:
            sup["justification"] = s.justification
        if s.source is not None:
            sup["location"] = _location(display_of(result.shown, f.host), s.source)
        res["suppressions"] = [sup]
        results.append(res)
    run = {
        "tool": {"driver": {"name": "oomlint", "version": __version__,
                            "semanticVersion": __version__,
                            "rules": [_rule(m) for m in rules]}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if getattr(result, "internal_error", False):
        run["invocations"] = [{"executionSuccessful": False}]
    return json_document({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})
