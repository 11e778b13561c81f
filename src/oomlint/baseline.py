"""Baselines: accept the findings a repository has today so that only new ones fail CI.

``oomlint check --write-baseline FILE`` writes every finding of the run (after inline and
config suppressions; never OOM099) as an entry; ``--baseline FILE`` then drops the findings
an entry matches, like a suppression: they are not printed and do not count toward the
exit code, and the report says how many were baselined. An entry is matched by the
finding's identity (base/findings.py `identity`): rule, host id, tree-relative path and
subject (unit and setting, sysctl key, ...), never by line number or message, so a moved
line or a reworded message still matches. Several findings with one identity (two
host-level findings of a rule) are one entry with a `count`.

The host id is stable across working directories: a host directory's path relative to the
anchor (the directory of the configuration file in use, else the current directory), and
``loose files`` for the loose-file host. An entry of a host and rule the run checked that
matched nothing is stale (the problem was fixed, or its subject renamed): the report counts
it, JSON lists it. The file format, version 1:

    {"version": 1, "tool": "oomlint",
     "entries": [{"rule": "OOM201", "host": "hosts/db1", "path": "etc/systemd/system/a.service",
                  "subject": ["a.service", "OOMScoreAdjust"], "count": 1,
                  "message": "(for the reader; not matched)"}]}

Entries are sorted by (host, path, rule, subject); the JSON is ASCII (a lone surrogate from
an undecodable byte is written as ``\\udcNN`` and read back as the same string), so the same
findings always give the same bytes. Reading and writing the file is the CLI's: this module
turns text into a `Baseline` and back.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field

from oomlint.base.findings import Finding, identity
from oomlint.base.ids import INTERNAL_ERROR

VERSION = 1
LOOSE = "loose files"


class BaselineError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    rule: str
    host: str
    path: str
    subject: tuple[str, ...]
    count: int = 1
    message: str = ""

    @property
    def key(self) -> tuple[str, ...]:
        return (self.rule, self.host, self.path, *self.subject)


@dataclass
class Baseline:
    entries: list[Entry] = field(default_factory=list)
    source: str = ""


def host_id(name: str, anchor: str) -> str:
    """The stable id of the host shown as `name` (its directory as given, relative to the
    current directory or absolute): that directory relative to `anchor`, POSIX."""
    if name == LOOSE:
        return LOOSE
    rel = os.path.relpath(os.path.abspath(name), os.path.abspath(anchor))
    return rel.replace(os.sep, "/")


def _key(f: Finding, host_ids: dict[str, str]) -> tuple[str, ...]:
    return identity(f, host_ids.get(f.host))


def dump(findings: list[Finding], host_ids: dict[str, str]) -> str:
    """The baseline of `findings` as the file's text (OOM099, a failure of oomlint itself,
    is never baselined)."""
    counts: Counter = Counter()
    message: dict[tuple, str] = {}
    for f in findings:
        if f.rule == INTERNAL_ERROR:
            continue
        k = _key(f, host_ids)
        counts[k] += 1
        message.setdefault(k, f.message)
    entries = []
    for k in sorted(counts, key=lambda k: (k[1], k[2], k[0], k[3:])):
        entries.append({"rule": k[0], "host": k[1], "path": k[2], "subject": list(k[3:]),
                        "count": counts[k], "message": message[k]})
    doc = {"version": VERSION, "tool": "oomlint", "entries": entries}
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"


def _str_list(v) -> bool:
    return isinstance(v, list) and all(isinstance(s, str) for s in v)


def parse(text: str, source: str = "") -> Baseline:
    """The baseline in `text`; a `BaselineError` (``SOURCE: what is wrong``) when it is not
    a version-1 baseline."""
    where = f"{source}: " if source else ""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"{where}not a JSON baseline: {exc}") from None
    if not isinstance(doc, dict) or "entries" not in doc:
        raise BaselineError(f"{where}not an oomlint baseline (no \"entries\")")
    if doc.get("version") != VERSION:
        raise BaselineError(f"{where}baseline version {doc.get('version')!r} is not supported "
                            f"(this oomlint reads version {VERSION})")
    if not isinstance(doc["entries"], list):
        raise BaselineError(f"{where}entries: expected a list")
    entries = []
    for i, e in enumerate(doc["entries"]):
        ok = (isinstance(e, dict) and all(isinstance(e.get(k), str) for k in ("rule", "host", "path"))
              and _str_list(e.get("subject", [])) and isinstance(e.get("count", 1), int)
              and not isinstance(e.get("count", 1), bool) and e.get("count", 1) >= 1)
        if not ok:
            raise BaselineError(f"{where}entries[{i}]: expected rule, host, path (strings), "
                                "subject (a list of strings) and count (a positive integer)")
        entries.append(Entry(e["rule"], e["host"], e["path"], tuple(e.get("subject", [])),
                             e.get("count", 1), str(e.get("message", ""))))
    return Baseline(entries, source)


def apply(findings: list[Finding], baseline: Baseline, host_ids: dict[str, str],
          selected: set[str]) -> tuple[list[Finding], list[Finding], list[Entry]]:
    """Split `findings` into kept and baselined, and give the stale entries: those of a host
    the run checked and a rule it ran that matched fewer findings than their count."""
    left: Counter = Counter()
    for e in baseline.entries:
        left[e.key] += e.count
    kept, dropped = [], []
    for f in findings:
        k = _key(f, host_ids)
        if f.rule != INTERNAL_ERROR and left[k] > 0:
            left[k] -= 1
            dropped.append(f)
        else:
            kept.append(f)
    checked = set(host_ids.values())
    stale = []
    for e in baseline.entries:
        if left[e.key] > 0 and e.host in checked and e.rule in selected:
            left[e.key] = 0  # an identity listed twice is stale once
            stale.append(e)
    return kept, dropped, stale
