"""The rule catalogue: rules/*.yaml, the single source of rule metadata.

Loaded from the repository's ``rules/`` when running from a checkout (so edits show up
without reinstalling), otherwise from what the wheel ships: ``oomlint/_catalog.json``, every
rule file's data compiled into one JSON document at build time (hatch_build.py), else the
YAML copies in ``oomlint/_catalog``. JSON is read by the standard library's C parser: no
YAML import and no 80 YAML parses at start-up. A checkout reads the same JSON, committed
beside this module, for each file whose bytes are those it was compiled from, and parses
any other from its YAML (`_CheckoutRules`). Either way each rule goes through
`_from_data`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from oomlint.base.findings import Severity

# rules/*.yaml compiled (compile_catalog): {"format": 1, "sha256": {file name: digest of
# its bytes}, "rules": {file name: data}}. The wheel ships one built with it (hatch_build.py);
# a checkout has the committed src/oomlint/_catalog.json.
COMPILED = "_catalog.json"
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


def _repo_rules() -> Path | None:
    """The repository's rules/ when running from a checkout, else None."""
    repo_rules = Path(__file__).resolve().parent.parent.parent / "rules"
    if repo_rules.is_dir() and any(repo_rules.glob("OOM*.yaml")):
        return repo_rules
    return None


def _source_dir():
    repo_rules = _repo_rules()
    if repo_rules is not None:
        return repo_rules
    from importlib import resources

    return resources.files("oomlint").joinpath("_catalog")


def _read_compiled(path: Path):
    """The compiled catalogue document at `path`, or None when it is missing or damaged."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != 1 or not isinstance(doc.get("rules"), dict):
        return None
    return doc


def _compiled():
    """The JSON catalogue the wheel ships, or None (a source checkout, or a build without
    it)."""
    if _repo_rules() is not None:
        return None  # a checkout: the YAML files are the source and may have been edited
    doc = _read_compiled(Path(__file__).resolve().parent / COMPILED)
    return None if doc is None else doc["rules"]


def _json(doc) -> str:
    return json.dumps(doc, default=str, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=False)


def _decode(raw: bytes) -> str:
    """A rule file's bytes as Path.read_text("utf-8") reads them (universal newlines)."""
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _sha256(raw: bytes) -> str:
    import hashlib  # a checkout only: the installed wheel reads the compiled JSON unhashed

    return hashlib.sha256(raw).hexdigest()


def compile_catalog(src: Path) -> str:
    """The JSON text of every rules/*.yaml file's data (COMPILED): what the wheel reads
    (hatch_build.py), and what a checkout reads for each file whose bytes still have the
    SHA-256 recorded with it. Dates and other YAML-only scalars become the strings `_parse`
    would make of them; a file whose data JSON changes so gets no digest, so that a
    checkout parses it. One file per line."""
    rules, sha256 = {}, {}
    for e in sorted(src.iterdir(), key=lambda e: e.name):
        if e.name.endswith(".yaml"):
            raw = e.read_bytes()
            data = rules[e.name] = _safe_load(_decode(raw))
            if json.loads(_json(data)) == data:
                sha256[e.name] = _sha256(raw)

    def table(items: dict) -> str:
        return "{\n" + ",\n".join(f"{_json(k)}:{_json(v)}" for k, v in items.items()) + "}"

    return f'{{"format":1,\n"sha256":{table(sha256)},\n"rules":{table(rules)}}}\n'


class _CheckoutRules:
    """A checkout's rules/*.yaml data: a file's from the compiled catalogue (COMPILED,
    committed, kept current by tests/test_catalog_load.py) when the SHA-256 of its bytes is
    the one recorded there, else parsed from the YAML, so that an edited or added file is
    always read as it now is. Parsing the 80 files costs ~35 ms even with libyaml, and
    importing PyYAML ~25 ms more; reading and hashing them ~1.5 ms."""

    def __init__(self, rules_dir: Path):
        self.dir = rules_dir
        doc = _read_compiled(Path(__file__).resolve().parent / COMPILED)
        sha256 = doc.get("sha256") if doc is not None else None
        self.rules: dict = doc["rules"] if isinstance(sha256, dict) else {}
        self.sha256: dict = sha256 if isinstance(sha256, dict) else {}

    def data(self, name: str):
        with open(os.path.join(self.dir, name), "rb") as f:
            raw = f.read()
        if name in self.rules and self.sha256.get(name) == _sha256(raw):
            return self.rules[name]
        return _safe_load(_decode(raw))


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
    repo_rules = _repo_rules()
    compiled = _compiled()  # None in a checkout
    if repo_rules is not None:
        checkout = _CheckoutRules(repo_rules)
        entries = [(name, lambda name=name: _from_data(checkout.data(name), name))
                   for name in sorted(os.listdir(repo_rules))]
    elif compiled is not None:
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
