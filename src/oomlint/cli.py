"""Command line: parse arguments, build hosts, run the engine, print, exit 0/1/2."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path, PurePosixPath

import click

from oomlint import __version__
from oomlint.catalog import CatalogError, load_catalog, resolve_selector
from oomlint.config import FAIL_ON, Config, ConfigError, find_config, load_config
from oomlint.engine import exit_code, relocate_budget, run, select_rules
from oomlint.model.budget import Assumptions, get_budget
from oomlint.model.build import build_host
from oomlint.parsers.source import Tree
from oomlint.report import FORMATS
from oomlint.report.budget import FORMATS as BUDGET_FORMATS
from oomlint.units import GrammarError, parse_host_size

UNIT_SUFFIXES = (".service", ".socket", ".mount", ".automount", ".swap", ".timer", ".path",
                 ".slice", ".scope", ".target")
ROOT_MARKERS = ("etc/", "usr/lib/", "usr/local/lib/", "lib/", "run/")


class SizeParam(click.ParamType):
    name = "size"

    def convert(self, value, param, ctx):
        try:
            return parse_host_size(value)
        except GrammarError as exc:
            self.fail(str(exc), param, ctx)


def _shown(path: Path) -> str:
    """A path as the user should see it: relative to the current directory when under it."""
    absolute = Path(os.path.abspath(path))
    try:
        relp = absolute.relative_to(Path.cwd())
        return relp.as_posix() if str(relp) != "." else "."
    except ValueError:
        return absolute.as_posix()


def _split(values: tuple[str, ...]) -> list[str]:
    return [t for v in values for t in v.split(",") if t.strip()]


def loose_vpath(path: Path) -> str | None:
    """Where a loose file would live on a host, from its name and parents."""
    posix = PurePosixPath(os.path.abspath(path)).as_posix()
    name = path.name[:-3] if path.name.endswith(".j2") else path.name
    parent = path.parent.name
    for marker in ROOT_MARKERS:
        i = posix.rfind("/" + marker)
        if i >= 0:
            inside = posix[i:]
            return inside[:-3] if inside.endswith(".j2") else inside
    if name.endswith(UNIT_SUFFIXES):
        return f"/etc/systemd/system/{name}"
    if name.endswith(".conf") and parent.endswith(".d") and parent != "sysctl.d":
        return f"/etc/systemd/system/{parent}/{name}"
    if parent == "sysctl.d" or (name.endswith(".conf") and "sysctl" in name):
        return "/etc/sysctl.conf" if name == "sysctl.conf" else f"/etc/sysctl.d/{name}"
    fixed = {"fstab": "/etc/fstab", "zram-generator.conf": "/etc/systemd/zram-generator.conf",
             "system.conf": "/etc/systemd/system.conf", "dphys-swapfile": "/etc/dphys-swapfile"}
    return fixed.get(name)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oomlint")
def main():
    """Find out-of-memory risk in Linux server configuration before the OOM killer does."""


def _config(config_path, paths):
    try:
        catalog = load_catalog()
        cfg_file = config_path or find_config(Path.cwd())
        if cfg_file is None:
            first = paths[0] if paths[0].is_dir() else paths[0].parent
            cfg_file = find_config(Path(os.path.abspath(first)))
        cfg = load_config(cfg_file, catalog) if cfg_file else Config()
    except (ConfigError, CatalogError) as exc:
        raise click.UsageError(str(exc)) from None
    return catalog, cfg


def _hosts(paths, ram, swap, cfg: Config):
    """Build one host per directory and one for all loose files, each with the function that
    shows its paths to the user."""
    ram = ram if ram is not None else cfg.ram
    swap = swap if swap is not None else cfg.swap
    source = "--ram" if ram is not None and cfg.ram is None else ("config" if cfg.ram else "")
    b = cfg.budget
    assumptions = Assumptions(**{k: b[k] for k in ("pg_nodes_per_query", "pg_backend_baseline",
                                                   "hugepage_size", "jvm_threads",
                                                   "jvm_metaspace", "jvm_threads_by_unit")
                                 if k in b})
    flavors = {}
    if "mysql_version" in b:
        flavors["mysql"] = b["mysql_version"]
    if "postgresql_version" in b:
        flavors["postgresql"] = f"postgresql-{b['postgresql_version']}"
    if "jdk_version" in b:
        flavors["jdk"] = str(b["jdk_version"])
    common = dict(ram=ram, ram_source=source, swap=swap, db_flavors=flavors)
    hosts = []
    loose: dict[str, Path] = {}
    shown_of: dict[str, str] = {}
    for p in paths:
        if p.is_dir():
            root_shown = _shown(p)
            tree = Tree(root=Path(os.path.abspath(p)))
            prefix = "" if root_shown == "." else root_shown.rstrip("/") + "/"
            host = build_host(tree, root_shown, **common)
            host.assumptions = assumptions
            hosts.append((host, lambda rel, prefix=prefix, shown=root_shown:
                          shown if rel == "." else prefix + rel))
        else:
            vpath = loose_vpath(p)
            if vpath is None:
                click.echo(f"oomlint: {_shown(p)}: not a file oomlint knows how to read; "
                           "skipped", err=True)
                continue
            loose[vpath] = Path(os.path.abspath(p))
            shown_of[vpath.lstrip("/")] = _shown(p)
    if loose:
        host = build_host(Tree(files=loose), "loose files", loose=True, **common)
        host.assumptions = assumptions
        hosts.append((host, lambda rel: shown_of.get(rel, rel)))
    return hosts


PATHS = click.argument("paths", nargs=-1, required=True,
                       type=click.Path(exists=True, path_type=Path))
RAM = click.option("--ram", type=SizeParam(), help="Host RAM (8G, 16GiB, bytes).")
SWAP = click.option("--swap", type=SizeParam(), help="Host swap, when files cannot tell its size.")
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
def check(paths, ram, swap, fmt, select, ignore, fail_on, config_path):
    """Check configuration trees (directories laid out like /) or loose files."""
    catalog, cfg = _config(config_path, paths)
    for token in _split(select) + _split(ignore):
        if not resolve_selector(token, catalog):
            raise click.BadParameter(f"unknown rule {token!r}", param_hint="--select/--ignore")
    selected = select_rules(catalog, _split(select) or cfg.select, _split(ignore) + cfg.ignore)
    result = run(_hosts(paths, ram, swap, cfg), catalog, cfg, selected)
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
    _, cfg = _config(config_path, paths)
    budgets, failed = [], False
    for host, display in _hosts(paths, ram, swap, cfg):
        internal = [f for f in host.problems if f.rule == "OOM099"]
        try:
            budgets.append(relocate_budget(get_budget(host), display))
        except Exception as exc:  # one host's failure must not hide the others' budgets
            internal.append(f"computing the budget failed: {type(exc).__name__}: {exc}")
        for problem in internal:
            failed = True
            click.echo(f"oomlint: {host.name}: internal error: "
                       f"{getattr(problem, 'message', problem)}", err=True)
    click.echo(BUDGET_FORMATS[fmt](budgets), nl=False)
    if failed:
        sys.exit(2)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rules_cmd(fmt):
    """List every rule: id, name, severity, status, title."""
    catalog = load_catalog()
    if fmt == "json":
        import json

        click.echo(json.dumps([{"id": m.id, "name": m.name, "severity": m.severity.value,
                                "status": m.status, "title": m.title}
                               for m in catalog.values()], indent=2))
        return
    for m in catalog.values():
        status = "" if m.status == "stable" else f" ({m.status})"
        click.echo(f"{m.id}  {m.name:<30} {m.severity.value:<8} {m.title}{status}")


@main.command("rule")
@click.argument("rule_id")
def rule_cmd(rule_id):
    """Show a rule's full text: why it matters, how to fix it, references."""
    catalog = load_catalog()
    ids = resolve_selector(rule_id, catalog)
    if len(ids) != 1:
        raise click.BadParameter(f"unknown rule {rule_id!r}", param_hint="RULE_ID")
    m = catalog[ids.pop()]
    out = [f"{m.id} {m.name} [{m.severity.value}] {m.title}", "", m.summary, "", "Why", ""]
    out += [textwrap.indent(m.why, "  "), "", "How to fix", "", textwrap.indent(m.fix, "  ")]
    if m.exceptions:
        out += ["", "When to waive it", "", textwrap.indent(m.exceptions, "  ")]
    if m.options:
        out += ["", "Options", ""]
        for name, o in m.options.items():
            out.append(f"  {name} ({o.get('type')}, default {o.get('default')!r}): {o.get('doc', '')}")
    out += ["", "References", ""] + [f"  {r['title']}: {r['url']}" for r in m.references]
    out += ["", f"Suppress: # oomlint: disable={m.id} -- reason   (on the line before)"]
    click.echo("\n".join(out))
