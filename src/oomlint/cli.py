"""Command line: parse arguments, build hosts, run the engine, print, exit 0/1/2.

Each command imports the pipeline it runs inside its function, and formatters are imported
when used (report.FORMATS): `oomlint --version` or `rules` does not pay for the model, the
checks or the kernel log parser."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from oomlint import __version__
from oomlint.base.ids import INTERNAL_ERROR
from oomlint.config import (
    FAIL_ON,
    HOST_KEYS,
    Config,
    ConfigError,
    find_config,
    load_config,
    option_value,
)
from oomlint.report import (
    BUDGET_FORMATS,
    EXPLAIN_FORMATS,
    FORMATS,
    RULES_FORMATS,
    TEXT_FORMATS,
    rules_text,
)
from oomlint.report.escape import escape

if TYPE_CHECKING:
    from oomlint import baseline as baseline_mod


class SizeParam(click.ParamType):
    """A size on the command line, checked against the schema of its configuration key
    (config.HOST_KEYS), so that --ram and `ram` accept the same values."""

    name = "size"

    def __init__(self, schema: dict):
        self.schema = schema

    def convert(self, value, param, ctx):
        try:
            return option_value(value, self.schema)
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


def _split(values: tuple[str, ...]) -> list[str]:
    return [t for v in values for t in v.split(",") if t.strip()]


def _warn(message: str) -> None:
    """A warning on stderr; the message (paths, values from input) is escaped."""
    click.echo(f"oomlint: {escape(message)}", err=True)


def _hosts(paths, ram, swap, cfg: Config):
    """Each host the paths name, built when the caller asks for it (one in memory at a
    time), with the function that shows its paths."""
    from oomlint.runner import build

    return ((build(src, cfg, ram, swap), src.display) for src in _sources(paths))


def _configured_hosts(ram, swap, cfg: Config):
    """The hosts the configuration's [hosts.NAME] entries describe, each built when asked
    for."""
    from oomlint.runner import build

    return ((build(src, cfg, ram, swap), src.display) for src in _spec_sources(cfg))


def _spec_sources(cfg: Config):
    """The host sources of the configuration's [hosts.NAME] entries; none described, or one
    that cannot be found, is a usage error."""
    from oomlint.sources.hosts import HostError, spec_hosts

    if not cfg.host_specs:
        raise click.UsageError(
            "nothing to check: give a directory laid out like / or files, or describe the "
            "hosts in the configuration ([hosts.NAME] with root or files)")
    try:
        return spec_hosts(cfg.host_specs)
    except HostError as exc:
        raise click.UsageError(escape(str(exc))) from None


def _sources(paths):
    """The hosts the paths name. A path of no known format is skipped with a note; when
    every path was, there is nothing to check and that is a usage error (exit 2), not an
    empty, clean run."""
    from oomlint.sources.hosts import discover_hosts

    sources = discover_hosts(paths, _warn)
    if not sources:
        raise click.UsageError(
            "nothing to check: every path given was skipped; give a directory laid out like / "
            "or files oomlint reads by name (unit files, fstab, sysctl.conf or a sysctl.d/ "
            "file, zram-generator.conf, system.conf, dphys-swapfile, a file under an etc/ or "
            "usr/lib/ path)")
    return sources


def _check_groups(paths, ram, swap, cfg: Config, config_path, catalog, select, ignore):
    """The hosts of `oomlint check`, grouped by the configuration each is checked with:
    --config for all; else each directory's own, found from it upward (a loose file's from
    its directory), the current directory's when there is none (as ruff resolves one per
    file). No path: every host `cfg`'s [hosts.NAME] entries describe. Returns the groups
    (config, selected rules, hosts) and each host's configuration file as shown."""
    from oomlint.engine import select_rules

    if not paths:
        chosen = [(cfg, src) for src in _spec_sources(cfg)]
    else:
        loaded: dict[str, Config] = {}

        def config_of(found: Path) -> Config:
            if str(found) == cfg.source:
                return cfg
            if str(found) not in loaded:
                try:
                    loaded[str(found)] = load_config(found, catalog)
                except ConfigError as exc:
                    raise click.UsageError(escape(str(exc))) from None
            return loaded[str(found)]

        chosen = []
        hosts_paths = []
        for p in paths:
            # An infrastructure repository given as a path (no etc/, usr/lib/ ... of its own,
            # its .oomlint.toml describing hosts) is checked as those hosts.
            repo = _repo_config(p) if config_path is None else None
            if repo is not None and config_of(repo).host_specs:
                chosen += [(config_of(repo), src) for src in _spec_sources(config_of(repo))]
            else:
                hosts_paths.append(p)
        for src in _sources(hosts_paths) if hosts_paths or not chosen else ():
            own = cfg
            if config_path is None and not src.loose:
                found = find_config(Path(os.path.abspath(src.tree.fs.root)))
                if found is not None:
                    own = config_of(found)
            chosen.append((own, src))
    groups: dict[int, tuple[Config, set[str], list]] = {}
    shown: dict[str, str] = {}
    for own, src in chosen:
        if id(own) not in groups:
            selected = select_rules(catalog, _split(select) or own.select,
                                    _split(ignore) + own.ignore)
            groups[id(own)] = (own, selected, [])
        groups[id(own)][2].append(src)
        shown[src.name] = src.config or (_shown_path(own.source) if own.source else "(none)")
    return list(groups.values()), shown


def _repo_config(path: Path) -> Path | None:
    """The .oomlint.toml of a directory that is a repository of hosts rather than a host
    root: it has a configuration file of its own and none of a root's top directories."""
    from oomlint.sources.hosts import ROOT_MARKERS

    if not path.is_dir() or any((path / m).is_dir() for m in ROOT_MARKERS):
        return None
    cand = path / ".oomlint.toml"
    return cand if cand.is_file() else None


def _shown_path(path: str) -> str:
    from oomlint.sources.hosts import _shown

    return _shown(Path(path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oomlint")
def main():
    """Find out-of-memory risk in Linux server configuration before the OOM killer does."""


def _config(config_path, paths):
    from oomlint.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog()
        cfg_file = config_path or find_config(Path.cwd())
        if cfg_file is None:
            first = paths[0] if paths[0].is_dir() else paths[0].parent
            cfg_file = find_config(Path(os.path.abspath(first)))
        cfg = load_config(cfg_file, catalog) if cfg_file else Config()
    except (ConfigError, CatalogError) as exc:
        raise click.UsageError(escape(str(exc))) from None
    return catalog, cfg


PATHS = click.argument("paths", nargs=-1, required=True,
                       type=click.Path(exists=True, path_type=Path))
RAM = click.option("--ram", type=SizeParam(HOST_KEYS["ram"]), help="Host RAM (8G, 16GiB, bytes).")
SWAP = click.option("--swap", type=SizeParam(HOST_KEYS["swap"]),
                    help="Host swap, when files cannot tell its size.")
CONFIG = click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False,
                      path_type=Path), help="Configuration file (default: .oomlint.toml or "
                      "pyproject.toml [tool.oomlint], found from the current directory upward).")


class ToolError(click.ClickException):
    """A failure of the run itself (an output or baseline file that cannot be written or
    read): exit code 2, like a usage error."""

    exit_code = 2


def _pairs(fmts: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each --format with the file it is written to, paired in order: the first --format
    goes to the first --output, and so on; ``-`` is standard output. One --format takes zero
    or one --output (none: standard output). Several --format need exactly one --output
    each, and at most one of them can be ``-``."""
    fmts = fmts or ("full",)
    if len(fmts) == 1:
        if len(outputs) > 1:
            raise click.UsageError("one --format takes one --output; give a --format for "
                                   "each --output, in the same order")
        return [(fmts[0], outputs[0] if outputs else "-")]
    if len(outputs) != len(fmts):
        raise click.UsageError(
            f"{len(fmts)} --format options need {len(fmts)} --output options, paired in order "
            "(- for standard output), e.g. --format full --format sarif -o - -o oomlint.sarif")
    if list(outputs).count("-") > 1:
        raise click.UsageError("only one --format can be written to standard output (-)")
    files = [o for o in outputs if o != "-"]
    if len(set(files)) != len(files):
        raise click.UsageError("each --output file can be given once")
    return list(zip(fmts, outputs))


def _use_color(choice: str, output: str) -> bool:
    """Colour only on a terminal, and not when NO_COLOR is set (no-color.org), unless
    --color=always; --color=never never."""
    if choice != "auto":
        return choice == "always"
    if output != "-" or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise ToolError(escape(f"{path}: cannot write: {exc.strerror or exc}")) from None


def _read_baseline(path: str) -> baseline_mod.Baseline:
    from oomlint import baseline as baseline_mod

    try:
        text = Path(path).read_text("utf-8", errors="surrogateescape")
        return baseline_mod.parse(text, path)
    except OSError as exc:
        raise ToolError(escape(f"{path}: cannot read the baseline: {exc.strerror or exc}")
                        ) from None
    except baseline_mod.BaselineError as exc:
        raise ToolError(escape(str(exc))) from None


def _host_ids(sources, cfg: Config) -> dict[str, str]:
    """Each host's stable id, relative to the configuration file's directory (else the
    current directory): the same whichever directory oomlint is started from."""
    from oomlint import baseline as baseline_mod

    anchor = os.path.dirname(os.path.abspath(cfg.source)) if cfg.source else os.getcwd()
    return {src.name: baseline_mod.host_id(src.name, anchor) for src in sources}


FORMAT_HELP = ("Output format: full (text with the arithmetic; alias text), concise (one line "
               "per finding), json, sarif, github (workflow annotations). Repeat it with one "
               "--output each, paired in order: --format full --format sarif -o - -o out.sarif.")


def _stdin_hosts(ram, swap, cfg: Config, filename: str):
    """The one host of `check - --stdin-filename PATH`: standard input as the loose file
    PATH (its path on the host when absolute, else placed like a loose file of that name)."""
    from oomlint.sources.hosts import stdin_host

    src = stdin_host(getattr(sys.stdin, "buffer", None), filename)
    if src is None:
        raise click.UsageError(escape(
            f"--stdin-filename {filename}: not a file oomlint knows how to read; give the "
            "path the file has on the host (/etc/mysql/my.cnf) or a name oomlint reads "
            "(app.service, sysctl.d/50-x.conf, fstab, my.cnf, ...)"))
    return [src]


CHECK_PATHS = click.argument("paths", nargs=-1, required=False,
                             type=click.Path(exists=True, allow_dash=True, path_type=Path))


@main.command()
@CHECK_PATHS
@RAM
@SWAP
@click.option("--format", "fmts", type=click.Choice(sorted(FORMATS)), multiple=True,
              help=FORMAT_HELP + "  [default: full]")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FILE",
              help="Write the --format of the same position to FILE (- for standard output).")
@click.option("--select", multiple=True, help="Rules to run: id, name or prefix (OOM2).")
@click.option("--ignore", multiple=True, help="Rules to skip: id, name or prefix.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1 (default: warning).")
@click.option("--statistics", is_flag=True,
              help="In full and concise output, one line per rule with its count instead of "
                   "the findings.")
@click.option("-q", "--quiet", is_flag=True,
              help="Findings only: no counts line, no notes (machine formats are unchanged).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour in full and concise output; auto: on a "
              "terminal unless NO_COLOR is set.")
@click.option("--baseline", "baseline_path", metavar="FILE",
              help="Findings listed in FILE (from --write-baseline) neither print nor count.")
@click.option("--write-baseline", "write_baseline", metavar="FILE",
              help="Write every finding of this run to FILE as the baseline (the run then "
                   "counts them all as baselined).")
@click.option("--no-inline-suppressions", is_flag=True,
              help="Ignore `# oomlint: disable` comments in the checked files (config "
                   "per-path-ignores and --baseline still apply).")
@click.option("--stdin-filename", metavar="PATH",
              help="With - as the path: the path the file read from standard input has on "
                   "the host (/etc/mysql/my.cnf) or in the repository (roles/x/app.service).")
@CONFIG
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes checking hosts side by side (default: min(2, CPUs); "
              "1: in this process). The output is the same whatever the number.")
def check(paths, ram, swap, fmts, outputs, select, ignore, fail_on, statistics, quiet, color,
          baseline_path, write_baseline, no_inline_suppressions, stdin_filename, config_path,
          jobs):
    """Check configuration trees (directories laid out like /) or loose files.

    Exit status: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage or
    tool error (bad option or configuration, unreadable baseline, an internal error)."""
    from oomlint import baseline as baseline_mod
    from oomlint.catalog import resolve_selector
    from oomlint.engine import apply_baseline, exit_code, select_rules
    from oomlint.report.concise import render_statistics
    from oomlint.runner import check_groups

    pairs = _pairs(fmts, outputs)
    if baseline_path and write_baseline:
        raise click.UsageError("--baseline and --write-baseline cannot be used together")
    stdin = any(str(p) == "-" for p in paths)
    if stdin and len(paths) != 1:
        raise click.UsageError("standard input (-) is checked alone: give no other path")
    if stdin != bool(stdin_filename):
        raise click.UsageError("- (standard input) and --stdin-filename PATH go together")
    catalog, cfg = _config(config_path, [Path(stdin_filename)] if stdin else paths or [Path(".")])
    for token in _split(select) + _split(ignore):
        if not resolve_selector(token, catalog):
            raise click.BadParameter(f"unknown rule {token!r}", param_hint="--select/--ignore")
    selected = select_rules(catalog, _split(select) or cfg.select, _split(ignore) + cfg.ignore)
    baseline = _read_baseline(baseline_path) if baseline_path else None
    if stdin:
        hosts = _stdin_hosts(ram, swap, cfg, stdin_filename)
        groups, configs = [(cfg, selected, hosts)], {}
    else:
        groups, configs = _check_groups(paths, ram, swap, cfg, config_path, catalog, select,
                                        ignore)
        # hosts checked with different configurations: the strictest fail-on of theirs
        strict = ("never", "error", "warning", "info")
        cfg = max((own for own, _, _ in groups), key=lambda c: strict.index(c.fail_on))
    host_ids = {k: v for own, _, hosts in groups for k, v in _host_ids(hosts, own).items()}
    if not paths and not stdin:  # hosts the configuration names: their names are their ids
        host_ids = {name: name for name in host_ids}
    several = len({id(own) for own, _, _ in groups}) > 1
    result = check_groups(groups, catalog, ram=ram, swap=swap, jobs=jobs, baseline=baseline,
                          host_ids=host_ids, inline_suppressions=not no_inline_suppressions,
                          shown_configs=configs if several else None)
    selected = set().union(*(sel for _, sel, _ in groups))
    if write_baseline:
        text = baseline_mod.dump(result.findings, result.host_ids)
        _write(write_baseline, text)
        apply_baseline(result, baseline_mod.parse(text), selected)
        if not quiet:
            _warn(f"{write_baseline}: baseline of {len(result.baselined)} finding(s) written")
    for fmt, output in pairs:
        render = render_statistics if statistics and fmt in TEXT_FORMATS else FORMATS[fmt]
        painted = fmt in TEXT_FORMATS and _use_color(color, output)
        text = render(result, catalog, color=painted, quiet=quiet)
        if output == "-":
            click.echo(text, nl=False, color=painted or None)
        else:
            _write(output, text)
    sys.exit(exit_code(result, fail_on or cfg.fail_on))


@main.command()
@click.argument("paths", nargs=-1, required=False, type=click.Path(exists=True, path_type=Path))
@RAM
@SWAP
@click.option("--format", "fmt", type=click.Choice(sorted(BUDGET_FORMATS)), default="text",
              show_default=True)
@CONFIG
def budget(paths, ram, swap, fmt, config_path):
    """Each service's worst-case memory, its cap, and the host's total against RAM. No
    path: every host the configuration describes ([hosts.NAME])."""
    from oomlint.analysis.budget import host_budget
    from oomlint.analysis.kill_order import kill_order

    _, cfg = _config(config_path, paths or [Path(".")])
    budgets, shown, failed, orders = [], {}, False, {}
    for host, display in _hosts(paths, ram, swap, cfg) if paths else _configured_hosts(
            ram, swap, cfg):
        internal = [f for f in host.problems if f.rule == INTERNAL_ERROR]
        shown.setdefault(host.name, display)
        try:
            budgets.append(host_budget(host, cfg.assumptions))
        except Exception as exc:  # one host's failure must not hide the others' budgets
            internal.append(f"computing the budget failed: {type(exc).__name__}: {exc}")
        else:
            try:
                orders[host.name] = kill_order(host, budgets[-1],
                                               budget_assumptions=cfg.assumptions)
            except Exception as exc:  # the budget is still shown
                internal.append(f"predicting the kill order failed: {type(exc).__name__}: "
                                f"{exc}")
        for problem in internal:
            failed = True
            _warn(f"{host.name}: internal error: {getattr(problem, 'message', problem)}")
    click.echo(BUDGET_FORMATS[fmt](budgets, shown=shown, kill_orders=orders), nl=False)
    if failed:
        sys.exit(2)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(sorted(RULES_FORMATS)), default="text",
              show_default=True, help="text: one line per rule; json: the catalogue, "
              "versioned, for tooling; markdown: docs/rules.md.")
def rules_cmd(fmt):
    """List every rule: id, name, severity, status, title."""
    from oomlint.catalog import load_catalog

    click.echo(RULES_FORMATS[fmt](load_catalog()), nl=False)


@main.command("rule")
@click.argument("rule_id")
def rule_cmd(rule_id):
    """Show a rule's full text: why it matters, how to fix it, references."""
    from oomlint.catalog import load_catalog, resolve_selector

    catalog = load_catalog()
    ids = resolve_selector(rule_id, catalog)
    if len(ids) != 1:
        raise click.BadParameter(f"unknown rule {rule_id!r}", param_hint="RULE_ID")
    click.echo(rules_text.render_rule(catalog[ids.pop()]), nl=False)


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The host's configuration tree: tie each report to its units and budget.")
@RAM
@click.option("--format", "fmt", type=click.Choice(sorted(EXPLAIN_FORMATS)), default="text",
              show_default=True)
@CONFIG
def explain(files, root, ram, fmt, config_path):
    """Explain the kernel OOM reports in logs (FILE, or - for standard input): who triggered
    it, who died, why, and with --root what the host's configuration predicted. Exit 0: no
    report found; 1: reports found; 2: usage error or an unreadable file."""
    from oomlint.analysis.budget import host_budget
    from oomlint.analysis.explain import explain_reports
    from oomlint.parsers.kernel_oom import parse_oom_log
    from oomlint.parsers.lines import iter_lines
    from oomlint.sources.logs import LogError, read_log

    if list(files).count("-") > 1:
        raise click.UsageError("standard input (-) can be given once")
    reports = []
    for name in files:  # one log in memory at a time: only its reports are kept
        try:
            log = read_log(name, getattr(sys.stdin, "buffer", None))
        except LogError as exc:
            raise click.UsageError(escape(f"{name}: cannot read: {exc}")) from None
        if log.skipped_bytes:
            _warn(f"{log.shown}: {log.skipped_bytes} bytes skipped: only its last "
                  f"{len(log.text.encode('utf-8', 'surrogateescape'))} bytes, from line "
                  f"{log.first_line}, were read")
        parsed = parse_oom_log(iter_lines(log.text), log.shown, start=log.first_line)
        del log
        if parsed.dropped:
            _warn(f"{parsed.path}: more OOM reports than oomlint keeps; {parsed.dropped} not "
                  "shown")
        reports.extend(parsed.reports)
    host = budget = display = None
    failed = False
    if root is not None:
        _, cfg = _config(config_path, [root])
        ((host, display),) = _hosts([root], ram, None, cfg)
        for problem in host.problems:
            if problem.rule == INTERNAL_ERROR:
                failed = True
                _warn(f"{host.name}: internal error: {problem.message}")
        try:
            budget = host_budget(host, cfg.assumptions)
        except Exception as exc:  # the reports are still explained, without the budget
            failed = True
            _warn(f"{host.name}: computing the budget failed: {type(exc).__name__}: {exc}")
    explanations = explain_reports(reports, host, budget)
    click.echo(EXPLAIN_FORMATS[fmt](explanations, display=display), nl=False)
    sys.exit(2 if failed else 1 if explanations else 0)


DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@main.command()
@click.option("--root", type=DIR, default=Path("/"), show_default=True,
              help="The host's configuration tree (a directory laid out like /).")
@click.option("--proc", "proc_dir", type=DIR, default=None,
              help="The host's /proc, or a captured copy (default: /proc).")
@click.option("--sys", "sys_dir", type=DIR, default=None,
              help="The host's /sys, or a captured copy (default: /sys).")
@click.option("--kernel-log", "kernel_log", default=None,
              help="A saved kernel log (dmesg, journalctl -k, kern.log); default: /dev/kmsg "
              "when it can be read and /proc is the real one.")
@RAM
@SWAP
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text",
              show_default=True)
@click.option("--select", multiple=True, help="Rules to run: id, name or prefix (OOM7).")
@click.option("--ignore", multiple=True, help="Rules to skip: id, name or prefix.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1 (default: warning).")
@CONFIG
def audit(root, proc_dir, sys_dir, kernel_log, ram, swap, fmt, select, ignore, fail_on,
          config_path):
    """Audit a live server, read-only: everything `check` reports on its files (--root),
    plus what the running kernel says (/proc, /sys/fs/cgroup, the kernel log): OOM kills
    since boot, cgroup OOM events, memory pressure, running values that differ from the
    configured ones, and the live kill list."""
    from oomlint.engine import exit_code, run
    from oomlint.model.build import build_host
    from oomlint.model.live import LiveHost
    from oomlint.sources.hosts import discover_hosts
    from oomlint.sources.live import live_source

    catalog, cfg = _config(config_path, [root])
    selected = _audit_selection(catalog, cfg, select, ignore)
    (src,) = discover_hosts([root], _warn)
    live = live_source(proc_dir, sys_dir, kernel_log)
    host = build_host(src.tree, src.name, live=live, **cfg.host_facts(ram, swap, src.name))
    state = host.live if isinstance(host.live, LiveHost) else None
    if host.recognised is not None and not any(
            v for k, v in vars(host.recognised).items() if k != "live"):
        _warn(f"{src.root}: no configuration oomlint reads was found there: the configuration "
              "rules judge an empty host; give the server's root with --root")
    shown_live = {state.kernel_log} if state is not None and state.kernel_log else set()

    def display(path: str) -> str:  # live paths as the user gave them, the rest under --root
        if path.startswith("/") or path in shown_live:
            return live.display(path)
        return src.display(path)

    result = run([(host, display)], catalog, cfg, selected)
    click.echo(_audit_output(fmt, result, catalog, cfg, host, state, display),
               nl=False)
    sys.exit(exit_code(result, fail_on or cfg.fail_on))


def _audit_selection(catalog, cfg, select, ignore) -> set[str]:
    from oomlint.catalog import resolve_selector
    from oomlint.engine import select_rules

    for token in _split(select) + _split(ignore):
        if not resolve_selector(token, catalog):
            raise click.BadParameter(f"unknown rule {token!r}", param_hint="--select/--ignore")
    return select_rules(catalog, _split(select) or cfg.select, _split(ignore) + cfg.ignore)


def _audit_output(fmt, result, catalog, cfg, host, state, display) -> str:
    """The findings as `check` shows them, then the audit's own sections: the live kill list
    and the kernel log's OOM reports explained against this host."""
    from oomlint.analysis.budget import host_budget
    from oomlint.analysis.explain import explain_reports
    from oomlint.analysis.kill_order import kill_order
    from oomlint.model.live import kill_rows
    from oomlint.report.audit_text import kill_list_text, merge_json

    out = FORMATS[fmt](result, catalog)
    from dataclasses import replace

    from oomlint.model.live import memory_rows, running_swap
    from oomlint.report.audit_text import kill_order_text, memory_text, predicted_rows

    rows = kill_rows(state) if state is not None else []
    explanations = None
    try:
        budget = host_budget(host, cfg.assumptions)
    except Exception:  # the reports are still explained, without the budget
        budget = None
    run_swap = running_swap(host)  # SwapTotal where the configuration gives no swap figure
    order_budget = replace(budget, swap=run_swap.value) if budget and run_swap else budget
    predicted = predicted_rows(kill_order(host, order_budget, budget_assumptions=cfg.assumptions)
                               if budget is not None else None, display)
    memory = memory_rows(host)
    if state is not None and state.oom_reports:
        explanations = explain_reports(state.oom_reports, host, budget)
    if fmt == "json":
        return merge_json(out, rows, EXPLAIN_FORMATS["json"](
            explanations, display=display) if explanations is not None else None, predicted,
            memory)
    out += memory_text(memory)
    out += kill_list_text(rows, state.processes_skipped if state else 0)
    out += kill_order_text(predicted, rows)
    if explanations:
        out += "\nKernel OOM reports still in the log, explained:\n"
        out += EXPLAIN_FORMATS["text"](explanations, display=display)
    return out
