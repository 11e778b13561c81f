"""The rule catalogue: rules/*.yaml, the single source of rule metadata.

Loaded from the repository's ``rules/`` when running from a checkout (so edits show up
without reinstalling), otherwise from what the wheel ships: ``oomlint/_catalog.json``, every
rule file's data compiled into one JSON document at build time (hatch_build.py), else the
YAML copies in ``oomlint/_catalog``. JSON is read by the standard library's C parser: no
YAML import and no 48 YAML parses at start-up. Either way each rule goes through `_parse`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from oomlint.base.findings import Severity

COMPILED = "_catalog.json"  # {"format": 1, "rules": {file name: data}} (hatch_build.py)
REQUIRED = ("id", "name", "title", "severity", "area", "status", "since", "summary", "why", "fix",
            "references")
ID_RE = re.compile(r"^OOM\d{3}$")
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# An entry of a rule's `options`: its type and default, its doc, and the values it allows
# beyond the type (config.validate_option enforces them): `min` and `max` (inclusive),
# `exclusive_min` (a lower bound the value must exceed), `choices` (the only values). Sizes'
# bounds are sizes ("64K").
OPTION_FIELDS = ("type", "default", "doc", "min", "max", "exclusive_min", "choices")


class CatalogError(Exception):
    pass


@dataclass(frozen=True)
class RuleMeta:
    id: str
    name: str
    title: str
    severity: Severity
    area: str
    status: str
    since: str
    summary: str
    why: str
    fix: str
    references: tuple[dict, ...]
    exceptions: str = ""
    options: dict = field(default_factory=dict)
    examples: dict = field(default_factory=dict)

    @property
    def help_uri(self) -> str:
        return self.references[0]["url"] if self.references else ""


def _safe_load(text: str):
    """yaml.safe_load() with libyaml's C loader when PyYAML was built with it (parsing the
    catalogue with the pure-Python loader was most of a small run's time). Both are safe
    loaders. PyYAML is imported here, when YAML is read, not at start-up."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _source_dir():
    repo_rules = Path(__file__).resolve().parent.parent.parent / "rules"
    if repo_rules.is_dir() and any(repo_rules.glob("OOM*.yaml")):
        return repo_rules
    from importlib import resources

    return resources.files("oomlint").joinpath("_catalog")


def _compiled():
    """The JSON catalogue the wheel ships, or None (a source checkout, or a build without
    it)."""
    repo_rules = Path(__file__).resolve().parent.parent.parent / "rules"
    if repo_rules.is_dir() and any(repo_rules.glob("OOM*.yaml")):
        return None  # a checkout: the YAML files are the source and may have been edited
    path = Path(__file__).resolve().parent / COMPILED
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != 1 or not isinstance(doc.get("rules"), dict):
        return None
    return doc["rules"]


def compile_catalog(src: Path) -> str:
    """The JSON text of every rules/*.yaml file's data, for the wheel (hatch_build.py).
    Dates and other YAML-only scalars become the strings `_parse` would make of them."""
    rules = {e.name: _safe_load(e.read_text("utf-8"))
             for e in sorted(src.iterdir(), key=lambda e: e.name) if e.name.endswith(".yaml")}
    return json.dumps({"format": 1, "rules": rules}, default=str, ensure_ascii=False,
                      separators=(",", ":"), sort_keys=False)


def _parse(text: str, filename: str) -> RuleMeta:
    return _from_data(_safe_load(text), filename)


def _from_data(data, filename: str) -> RuleMeta:
    if not isinstance(data, dict):
        raise CatalogError(f"{filename}: not a mapping")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise CatalogError(f"{filename}: missing {', '.join(missing)}")
    options = data.get("options") or {}
    for name, schema in options.items():
        unknown = sorted(set(schema) - set(OPTION_FIELDS)) if isinstance(schema, dict) else None
        if unknown is None or unknown:
            raise CatalogError(f"{filename}: options.{name}: expected a table of "
                               f"{', '.join(OPTION_FIELDS)}" + (f", not {', '.join(unknown)}"
                                                                 if unknown else ""))
    return RuleMeta(
        id=data["id"], name=data["name"], title=data["title"], severity=Severity(data["severity"]),
        area=data["area"], status=data["status"], since=str(data["since"]),
        summary=data["summary"].strip(), why=data["why"].strip(), fix=data["fix"].strip(),
        references=tuple(data["references"] or ()), exceptions=(data.get("exceptions") or "").strip(),
        options=options, examples=data.get("examples") or {},
    )


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, RuleMeta]:
    compiled = _compiled()
    if compiled is not None:
        entries = [(name, lambda name=name: _from_data(compiled[name], name))
                   for name in sorted(compiled)]
    else:
        entries = [(e.name, lambda e=e: _parse(e.read_text("utf-8"), e.name))
                   for e in sorted(_source_dir().iterdir(), key=lambda e: e.name)]
    rules: dict[str, RuleMeta] = {}
    for name, parse in entries:
        if not name.endswith(".yaml"):
            continue
        meta = parse()
        if meta.status == "removed":
            continue
        rules[meta.id] = meta
    return rules


def domain_text(schema: dict) -> str:
    """The values an option allows beyond its type, as `oomlint rule` and configuration
    errors show them: "in (0, 1]", "in [8, 25]", ">= 1", "<= 16G", "one of a, b"; "" when
    any value of the type will do."""
    if "choices" in schema:
        return "one of " + ", ".join(str(c) for c in schema["choices"])
    above = "exclusive_min" in schema
    low, high = schema.get("exclusive_min", schema.get("min")), schema.get("max")
    if low is not None and high is not None:
        return f"in {'(' if above else '['}{low}, {high}]"
    if low is not None:
        return f"{'>' if above else '>='} {low}"
    return f"<= {high}" if high is not None else ""


def resolve_selector(token: str, catalog: dict[str, RuleMeta]) -> set[str]:
    """Rule ids matched by an id (``OOM201``), a name (``unkillable-service``) or an id
    prefix (``OOM2``, ``OOM``); empty when nothing matches."""
    t = token.strip()
    up = t.upper()
    if up in catalog:
        return {up}
    by_name = {m.id for m in catalog.values() if m.name == t.lower()}
    if by_name:
        return by_name
    if re.fullmatch(r"OOM\d{0,2}", up):
        return {i for i in catalog if i.startswith(up)}
    return set()
