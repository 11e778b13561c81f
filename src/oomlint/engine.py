"""Run the selected checks over each host, stamp severities, apply suppressions, sort.

A host on which nothing oomlint reads was found keeps only its input findings (OOM0xx,
reported while it was read): no check runs on it. Stateless from run to run: nothing on the
hosts is changed, and findings keep the tree-relative paths the checks gave them. The
result says, per host, how its paths are shown; formatters join them (report/_common.py)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable

from oomlint import baseline as baseline_mod
from oomlint import checks, suppress
from oomlint.analysis.context import Context
from oomlint.base.findings import Finding, Severity, Suppressed, internal_error
from oomlint.base.ids import INTERNAL_ERROR
from oomlint.catalog import RuleMeta, resolve_selector
from oomlint.config import Config, rule_options
from oomlint.model.host import Host


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    internal_error: bool = False
    # host name -> how that host's tree-relative paths are shown to the user
    shown: dict[str, Callable[[str], str]] = field(default_factory=dict)
    # host name -> its stable id (baseline.host_id), for baselines and fingerprints
    host_ids: dict[str, str] = field(default_factory=dict)
    # findings a baseline matched (not printed, not counted), and its entries that matched
    # none; `baseline_used` says whether a baseline was applied at all
    baselined: list[Finding] = field(default_factory=list)
    stale: list[baseline_mod.Entry] = field(default_factory=list)
    baseline_used: bool = False
    # host name -> the configuration file it was checked with, as shown: filled only when
    # the hosts of a run used different ones (`runner.check_groups`), so that a run with one
    # configuration prints what it always did
    configs: dict[str, str] = field(default_factory=dict)


def select_rules(catalog: dict[str, RuleMeta], select: list[str] | None,
                 ignore: list[str]) -> set[str]:
    """Ids to run: `select` (default: every stable rule) minus `ignore`. Preview rules run
    only when named exactly by id or name."""
    if select is None:
        chosen = {i for i, m in catalog.items() if m.status != "preview"}
    else:
        chosen = set()
        for token in select:
            ids = resolve_selector(token, catalog)
            exact = token.upper() in catalog or any(catalog[i].name == token for i in ids)
            chosen |= {i for i in ids if exact or catalog[i].status != "preview"}
    for token in ignore:
        chosen -= resolve_selector(token, catalog)
    return chosen


def run(hosts: list[tuple[Host, Callable[[str], str]]], catalog: dict[str, RuleMeta],
        config: Config, selected: set[str], baseline: baseline_mod.Baseline | None = None,
        host_ids: dict[str, str] | None = None, inline_suppressions: bool = True) -> Result:
    """Check every host. Each host comes with the function that turns its tree-relative
    paths into the paths shown to the user. `host_ids` gives each host's stable id; a
    `baseline` is applied after the suppressions (`apply_baseline`). Without
    `inline_suppressions` the files' ``# oomlint: disable`` pragmas silence nothing (and
    are not reported unused); config per-path-ignores still apply."""
    result = Result(host_ids=dict(host_ids or {}))
    # Each selected rule's typed options, built once per run.
    options = {rule: rule_options(catalog[rule], config) for rule in selected if rule in catalog}
    for host, display in hosts:
        result.shown.setdefault(host.name, display)
        # OOM099 from building the model is kept whatever the selection: the run is incomplete.
        findings = [f for f in host.problems if f.rule in selected or f.rule == INTERNAL_ERROR]
        if any(f.rule == INTERNAL_ERROR for f in host.problems):
            result.internal_error = True
        ctx = Context(host, config.assumptions)
        # A host where nothing oomlint reads was found (OOM008) is judged by no rule: an
        # empty tree has no swap to miss and no budget to exceed.
        for name, rule, domain in () if host.nothing_recognised else _REGISTRY:
            if rule not in selected or rule not in catalog:
                continue
            if not checks.has_domain(host, domain) and _budget_ok(ctx):
                continue  # it judges what this host has none of: it would yield nothing
            module = _module(name)  # imported the first time it runs
            try:
                findings.extend(module.check(ctx, options[rule]))
            except Exception as exc:  # a broken check must not stop the others
                result.internal_error = True
                findings.append(internal_error(f"check {rule}", exc))
        pragmas = host.pragmas if inline_suppressions else []
        kept, dropped, used = suppress.apply(findings, pragmas, config.path_ignores,
                                             catalog, display)
        if suppress.UNUSED_SUPPRESSION in selected:
            kept.extend(suppress.unused(pragmas, catalog, selected, used))
        result.findings.extend(_stamp(f, host, catalog, config) for f in kept)
        result.suppressed.extend(
            dataclasses.replace(s, finding=_stamp(s.finding, host, catalog, config))
            for s in dropped)

    def key(f: Finding) -> tuple:  # ordered by the paths as shown, as the user reads them
        return f.sort_key(result.shown[f.host](f.loc.path))

    result.findings = _dedupe(sorted(result.findings, key=key))
    result.suppressed.sort(key=lambda s: key(s.finding))
    if baseline is not None:
        apply_baseline(result, baseline, selected)
    return result


_REGISTRY = tuple((name, checks.rule_of(name), domain) for name, domain in checks.REGISTRY)
_MODULES: dict = {}  # check modules imported so far (checks/__init__.py `load`)


def _module(name: str):
    module = _MODULES.get(name)
    if module is None:
        module = _MODULES[name] = checks.load(name)
    return module


def _budget_ok(ctx: Context) -> bool:
    """Whether the host's budget can be computed (once: `Context.budget` is cached). A check
    of a domain the host lacks may still read the budget first; when that raises, the check
    runs and reports the failure (OOM099) as it always did."""
    try:
        return ctx.budget is not None
    except Exception:
        return False


def apply_baseline(result: Result, baseline: baseline_mod.Baseline, selected: set[str]) -> None:
    """Move the findings `baseline` matches from `result.findings` to `result.baselined`
    and record its stale entries: like a suppression, a baselined finding neither prints
    nor counts toward the exit code. Every checked host gets an id (its name when the run
    was given none), so that stale entries are judged for the hosts checked only."""
    for name in result.shown:
        result.host_ids.setdefault(name, name)
    kept, dropped, stale = baseline_mod.apply(result.findings, baseline, result.host_ids,
                                              selected)
    result.findings, result.baselined, result.stale = kept, dropped, stale
    result.baseline_used = True


def _stamp(f: Finding, host: Host, catalog, config: Config) -> Finding:
    """The finding with its host, rule name and severity (the configured one, else the
    catalogue's)."""
    meta = catalog.get(f.rule)
    severity = config.severity.get(f.rule) or (meta.severity if meta else Severity.ERROR)
    return dataclasses.replace(f, severity=severity, host=host.name,
                               name=meta.name if meta else "")


def _dedupe(findings: list[Finding]) -> list[Finding]:
    out, seen = [], set()
    for f in findings:
        key = (f.host, f.loc, f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def exit_code(result: Result, fail_on: str) -> int:
    if result.internal_error:
        return 2
    if fail_on == "never":
        return 0
    threshold = Severity(fail_on).rank
    return 1 if any(f.severity and f.severity.rank >= threshold for f in result.findings) else 0
