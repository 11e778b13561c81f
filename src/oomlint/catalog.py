"""The rule catalogue: rules/*.yaml, the single source of rule metadata.

Loaded from the repository's ``rules/`` when running from a checkout (so edits show up
without reinstalling), otherwise from the copy the wheel ships as ``oomlint/_catalog``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from oomlint.base.findings import Severity

# libyaml's C loader when PyYAML was built with it: parsing the catalogue with the
# pure-Python loader was most of a small run's time. Both are safe loaders.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
    """yaml.safe_load() with the C loader when there is one."""
    loader = _LOADER(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _source_dir():
    repo_rules = Path(__file__).resolve().parent.parent.parent / "rules"
    if repo_rules.is_dir() and any(repo_rules.glob("OOM*.yaml")):
        return repo_rules
    return resources.files("oomlint").joinpath("_catalog")


def _parse(text: str, filename: str) -> RuleMeta:
    data = _safe_load(text)
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
    src = _source_dir()
    rules: dict[str, RuleMeta] = {}
    for entry in sorted(src.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        meta = _parse(entry.read_text("utf-8"), entry.name)
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
