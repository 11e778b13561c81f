"""The host loop: build each host's model, check it, keep only its findings, drop the model.

One host is in memory at a time (per worker): a fleet's models are never all kept. With
more than one host and `jobs` > 1 the hosts are spread over worker processes, each
building and checking whole hosts; their results come back in the order the hosts were
given and are merged and sorted exactly as one in-process run sorts them (engine.run), so
findings, suppressions and exit codes are the same whatever the number of workers."""

from __future__ import annotations

import dataclasses
import gc
import os
from typing import Iterator, Sequence

from oomlint.config import Config
from oomlint.engine import Result, _dedupe, apply_baseline, run
from oomlint.model.build import build_host
from oomlint.sources.hosts import HostSource


def default_jobs() -> int:
    """min(2, the CPUs this process may run on)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(2, cpus))


def build(src: HostSource, cfg: Config, ram, swap):
    """One host's model from its source, with `cfg`'s facts (a [hosts.NAME] glob's ram and
    swap where the host has no table of its own), and what rendering its templates found."""
    facts = cfg.host_facts(ram, swap, src.name)
    own = cfg.host_table(src.name)
    if ram is None and "ram" not in own and src.ram is not None:
        facts.update(ram=src.ram, ram_source="config")
    if swap is None and "swap" not in own and src.swap is not None:
        facts["swap"] = src.swap
    host = build_host(src.tree, src.name, loose=src.loose, **facts)
    host.problems.extend(src.problems)
    return host


def iter_hosts(sources: Sequence[HostSource], cfg: Config, ram, swap) -> Iterator[tuple]:
    """(host, display) for each source, built when asked for: the caller lets go of one
    host before the next is built."""
    for src in sources:
        yield build(src, cfg, ram, swap), src.display


def _check_one(src: HostSource, catalog, cfg: Config, selected, ram, swap, host_ids=None,
               inline_suppressions: bool = True) -> Result:
    """One host checked; its result without `shown` (the display functions stay with the
    caller, which has the sources)."""
    host = build(src, cfg, ram, swap)
    result = run([(host, src.display)], catalog, cfg, selected, host_ids=host_ids,
                 inline_suppressions=inline_suppressions)
    result.shown = {}
    return result


# A worker's share of the run, set once per worker process by _init (not sent per host).
_JOB: dict = {}


def _init(sources, catalog, cfg, selected, ram, swap, host_ids, inline) -> None:
    _JOB.update(sources=sources, args=(catalog, cfg, selected, ram, swap, host_ids, inline))


def _check_index(i: int) -> Result:
    return _check_one(_JOB["sources"][i], *_JOB["args"])


# Young-generation collections every 10 000 allocations instead of 700: building a model
# allocates hundreds of thousands of small objects that live until the host is dropped, and
# the default threshold had the collector traverse them again and again (12 % of a
# 100-host run, bench/speed.py). Memory stays bounded: the host is freed by reference
# counting, and a collection still runs every 10 000 allocations.
GC_THRESHOLD = (10_000, 50, 50)


def check_hosts(sources: Sequence[HostSource], catalog, cfg: Config, selected: set[str],
                ram=None, swap=None, jobs: int | None = None, host_ids=None,
                inline_suppressions: bool = True) -> Result:
    """Every host checked, one at a time per worker, merged into one sorted result."""
    saved = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        return _check_hosts(sources, catalog, cfg, selected, ram, swap, jobs, host_ids,
                            inline_suppressions)
    finally:
        gc.set_threshold(*saved)


def check_groups(groups, catalog, *, ram=None, swap=None, jobs: int | None = None,
                 baseline=None, host_ids=None, inline_suppressions: bool = True,
                 shown_configs=None) -> Result:
    """Hosts checked with different configurations: each group (its Config, its selected rules,
    its sources) checked with `check_hosts`, the groups merged in the order `run` sorts
    findings, and the baseline applied once, to all."""
    parts = [check_hosts(sources, catalog, cfg, selected, ram, swap, jobs, host_ids,
                         inline_suppressions) for cfg, selected, sources in groups]
    out = Result(host_ids=dict(host_ids or {}), configs=dict(shown_configs or {}))
    every: set[str] = set()
    for (_, selected, _), part in zip(groups, parts):
        every |= selected
        out.findings.extend(part.findings)
        out.suppressed.extend(part.suppressed)
        out.internal_error |= part.internal_error
        for name, display in part.shown.items():
            out.shown.setdefault(name, display)

    def key(f) -> tuple:
        return f.sort_key(out.shown[f.host](f.loc.path))

    out.findings = _dedupe(sorted(out.findings, key=key))
    out.suppressed.sort(key=lambda s: key(s.finding))
    if baseline is not None:
        apply_baseline(out, baseline, every)
    return out


def _check_hosts(sources, catalog, cfg, selected, ram, swap, jobs, host_ids,
                 inline) -> Result:
    jobs = default_jobs() if jobs is None else jobs
    workers = min(jobs, len(sources))
    if workers <= 1:
        results = (_check_one(src, catalog, cfg, selected, ram, swap, host_ids, inline)
                   for src in sources)
        return merge(results, sources)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers inherit the imported pipeline and the loaded catalogue instead of
    # importing them again (spawn costs every worker the whole start-up).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                             initargs=(list(sources), catalog, cfg, selected, ram, swap, host_ids,
                                       inline)) as ex:
        return merge(ex.map(_check_index, range(len(sources))), sources)


def merge(results, sources: Sequence[HostSource]) -> Result:
    """Per-host results, in the order of `sources`, as engine.run would have returned them
    for all the hosts at once: list fields joined, flags or-ed, then findings sorted by the
    paths as shown and de-duplicated, suppressions sorted alike."""
    out = Result()
    for src, result in zip(sources, results):
        out.shown.setdefault(src.name, src.display)
        for f in dataclasses.fields(Result):
            if f.name == "shown":
                continue
            value, mine = getattr(result, f.name), getattr(out, f.name)
            if isinstance(mine, list):
                mine.extend(value)
            elif isinstance(mine, dict):
                for k, v in value.items():
                    mine.setdefault(k, v)
            elif isinstance(mine, bool):
                setattr(out, f.name, mine or value)
            elif mine is None or mine == f.default:
                setattr(out, f.name, value)

    def key(f) -> tuple:
        return f.sort_key(out.shown[f.host](f.loc.path))

    out.findings = _dedupe(sorted(out.findings, key=key))
    out.suppressed.sort(key=lambda s: key(s.finding))
    return out
