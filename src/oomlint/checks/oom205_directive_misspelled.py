"""OOM205 directive-misspelled. Published text: rules/OOM205.yaml."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from oomlint.base.findings import Finding
from oomlint.base.redact import shown
from oomlint.model.host import MEMORY_KEYS, is_vendor_path
from oomlint.model.systemd_keys import SECTIONS_BY_TYPE, is_known, sections_for

RULE = "OOM205"

IMPORTANT = (*MEMORY_KEYS, "MemoryAccounting", "OOMScoreAdjust", "OOMPolicy", "ManagedOOMSwap",
             "ManagedOOMMemoryPressure", "ManagedOOMMemoryPressureLimit", "ManagedOOMPreference",
             "Restart", "RestartSec", "StartLimitIntervalSec", "StartLimitBurst", "Slice")
MANAGER_IMPORTANT = ("DefaultMemoryAccounting", "DefaultOOMPolicy", "DefaultOOMScoreAdjust",
                     "DefaultRestartSec", "DefaultStartLimitIntervalSec",
                     "DefaultStartLimitBurst", "DefaultTasksMax")
_NONEXISTENT_DEFAULT = re.compile(r"Default(Memory(Max|High|Min|Low|SwapMax|Limit)|CPUQuota)$")


def distance(a: str, b: str, cap: int = 3) -> int:
    """Levenshtein distance with adjacent transpositions, stopping early above `cap`."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev2 = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
        if min(prev) > cap:
            return cap + 1
    return prev[-1]


@cache
def _letters(word: str) -> frozenset[str]:
    return frozenset(word)


def suggest(key: str, candidates) -> str | None:
    if isinstance(candidates, tuple):  # the rule's own tables: junk keys repeat, remember them
        return _suggest_cached(key, candidates)
    return _suggest(key, candidates)


@lru_cache(maxsize=4096)
def _suggest_cached(key: str, candidates: tuple[str, ...]) -> str | None:
    return _suggest(key, candidates)


def _suggest(key: str, candidates) -> str | None:
    for c in candidates:
        if key.lower() == c.lower():
            return c
    limit = 1 if len(key) < 7 else 2
    # Only candidates that can be within `limit` get the edit-distance table (a file of a
    # million junk keys took minutes): an edit changes the length by at most one and adds
    # or removes at most one distinct letter on each side. The result is unchanged.
    near = [c for c in candidates
            if abs(len(c) - len(key)) <= limit and len(set(key) ^ _letters(c)) <= 2 * limit]
    if not near:
        return None
    best = min(near, key=lambda c: distance(key, c))
    return best if distance(key, best) <= limit else None


def _unit_findings(unit_name: str, f, utype: str):
    valid_sections = SECTIONS_BY_TYPE.get(utype, ())
    for sec, loc in f.unknown_sections.items():
        fix = next((s for s in valid_sections if s.lower() == sec.lower()), None)
        if fix:
            yield Finding(RULE, f"{unit_name}: section [{sec}] is not [{fix}] (names are "
                          "case-sensitive): systemd ignores every line in it", loc,
                          subject=(unit_name, f"[{sec}]"))
    for a in f.assignments:
        if a.key.startswith("X-") or (a.section in valid_sections and is_known(a.section, a.key)):
            continue
        homes = [s for s in sections_for(a.key) if s in valid_sections]
        if a.section not in valid_sections:
            case_variant = any(s.lower() == a.section.lower() for s in valid_sections)
            if not case_variant and a.key in IMPORTANT and homes:
                yield Finding(RULE, f"{unit_name}: [{shown(a.section, 40)}] is not a section of a .{utype} "
                              f"unit, so systemd ignores {a.key}= here; it belongs in "
                              f"[{homes[0]}]", a.loc, subject=(unit_name, a.key))
            continue  # case variants are reported once, at the section header
        if a.key in IMPORTANT and homes:
            yield Finding(RULE, f"{unit_name}: {a.key}= belongs in [{homes[0]}]; in "
                          f"[{shown(a.section, 40)}] systemd ignores it as an unknown key", a.loc,
                          subject=(unit_name, a.key))
            continue
        if sections_for(a.key):
            continue  # a real directive of another unit type: not a typo of ours
        guess = suggest(a.key, IMPORTANT)
        if guess:
            where = [s for s in sections_for(guess) if s in valid_sections]
            place = "" if not where or a.section in where else f" in [{where[0]}]"
            yield Finding(RULE, f"{unit_name}: unknown key {a.key}= (systemd ignores it); did "
                          f"you mean {guess}={place}?", a.loc, subject=(unit_name, a.key))


def check(ctx, opts):
    host = ctx.host
    seen = set()
    for name, unit in sorted(host.units.items()):
        for f in unit.admin_files:
            if (f.path, unit.type) in seen:
                continue
            seen.add((f.path, unit.type))
            yield from _unit_findings(name, f, unit.type)
    for f in host.manager_files:
        if is_vendor_path(f.path):
            continue
        for a in f.assignments:
            if a.section != "Manager" or is_known("Manager", a.key):
                continue
            if _NONEXISTENT_DEFAULT.match(a.key):
                yield Finding(RULE, f"system.conf: {a.key}= does not exist (systemd has no "
                              "manager-wide memory limit) and is ignored; set MemoryMax= on "
                              "system.slice or on each service instead", a.loc,
                              subject=("system.conf", a.key))
                continue
            guess = suggest(a.key, MANAGER_IMPORTANT)
            if guess:
                yield Finding(RULE, f"system.conf: unknown key {a.key}= (ignored); did you "
                              f"mean {guess}=?", a.loc, subject=("system.conf", a.key))
