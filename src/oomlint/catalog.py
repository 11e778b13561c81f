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
    return RuleMeta(
        id=data["id"], name=data["name"], title=data["title"], severity=Severity(data["severity"]),
        area=data["area"], status=data["status"], since=str(data["since"]),
        summary=data["summary"].strip(), why=data["why"].strip(), fix=data["fix"].strip(),
        references=tuple(data["references"] or ()), exceptions=(data.get("exceptions") or "").strip(),
        options=data.get("options") or {}, examples=data.get("examples") or {},
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
