"""Command line: parse arguments, build hosts, run the engine, print, exit 0/1/2.

Each command imports the pipeline it runs inside its function, and formatters are imported
when used (report.FORMATS): `oomlint --version` or `rules` does not pay for the model, the
checks or the kernel log parser."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
from oomlint.report import BUDGET_FORMATS, EXPLAIN_FORMATS, FORMATS, rules_text
from oomlint.report.escape import escape


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
    from oomlint.runner import iter_hosts

    return iter_hosts(_sources(paths), cfg, ram, swap)


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


@main.command()
@PATHS
@RAM
@SWAP
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text",
              show_default=True)
@click.option("--select", multiple=True, help="Rules to run: id, name or prefix (OOM2).")
@click.option("--ignore", multiple=True, help="Rules to skip: id, name or prefix.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1 (default: warning).")
@CONFIG
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes checking hosts side by side (default: min(2, CPUs); "
              "1: in this process). The output is the same whatever the number.")
def check(paths, ram, swap, fmt, select, ignore, fail_on, config_path, jobs):
    """Check configuration trees (directories laid out like /) or loose files."""
    from oomlint.catalog import resolve_selector
    from oomlint.engine import exit_code, select_rules
    from oomlint.runner import check_hosts

    catalog, cfg = _config(config_path, paths)
    for token in _split(select) + _split(ignore):
        if not resolve_selector(token, catalog):
            raise click.BadParameter(f"unknown rule {token!r}", param_hint="--select/--ignore")
    selected = select_rules(catalog, _split(select) or cfg.select, _split(ignore) + cfg.ignore)
    result = check_hosts(_sources(paths), catalog, cfg, selected, ram, swap, jobs)
    click.echo(FORMATS[fmt](result, catalog), nl=False)
    sys.exit(exit_code(result, fail_on or cfg.fail_on))


@main.command()
@PATHS
@RAM
@SWAP
@click.option("--format", "fmt", type=click.Choice(sorted(BUDGET_FORMATS)), default="text",
              show_default=True)
@CONFIG
def budget(paths, ram, swap, fmt, config_path):
    """Each service's worst-case memory, its cap, and the host's total against RAM."""
    from oomlint.analysis.budget import host_budget

    _, cfg = _config(config_path, paths)
    budgets, shown, failed = [], {}, False
    for host, display in _hosts(paths, ram, swap, cfg):
        internal = [f for f in host.problems if f.rule == INTERNAL_ERROR]
        shown.setdefault(host.name, display)
        try:
            budgets.append(host_budget(host, cfg.assumptions))
        except Exception as exc:  # one host's failure must not hide the others' budgets
            internal.append(f"computing the budget failed: {type(exc).__name__}: {exc}")
        for problem in internal:
            failed = True
            _warn(f"{host.name}: internal error: {getattr(problem, 'message', problem)}")
    click.echo(BUDGET_FORMATS[fmt](budgets, shown=shown), nl=False)
    if failed:
        sys.exit(2)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(sorted(rules_text.LIST_FORMATS)),
              default="text")
def rules_cmd(fmt):
    """List every rule: id, name, severity, status, title."""
    from oomlint.catalog import load_catalog

    click.echo(rules_text.LIST_FORMATS[fmt](load_catalog()), nl=False)


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
