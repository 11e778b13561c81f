"""A host imports only the domains it has (issue #16): the loader steps detect a program
before they import its model (model/services.py, model/build.py), and the engine imports a
check of a domain (databases, JVMs, php-fpm, Redis, live data) only for a host that has it
(checks/__init__.py `REGISTRY`). What makes that safe is proved here on every fixture tree:
a unit `may_start_jvm` says no to is one `load_jvm` finds nothing in and OOM508 says
nothing about, and a check of a domain a host lacks yields nothing on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import live_parts, write_tree

from oomlint import checks
from oomlint.analysis.context import Context
from oomlint.base.findings import Problems
from oomlint.base.grammar.host import parse_host_size
from oomlint.catalog import load_catalog
from oomlint.config import Config, rule_options
from oomlint.model.build import build_host
from oomlint.model.services import (
    JVM_COMMANDS,
    JVM_WRAPPERS,
    REDIS_BINARIES,
    _may_be_fpm,
    may_start_jvm,
)
from oomlint.sources.tree import Tree

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
CASES = Path(__file__).parent / "checks"
TREES = [*sorted(p.parent for p in CASES.glob("*/*/expected.yaml")),
         ROOT / "tests/data/debian-stock", ROOT / "tests/data/phpredis-lemp",
         ROOT / "tests/data/live-capture",
         *sorted(p for p in (ROOT / "tests/data/jvm_hosts").iterdir() if p.is_dir()),
         *sorted(p for p in (ROOT / "tests/data/oom_hosts").iterdir() if p.is_dir()),
         *sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())]

# What a host of unit files alone must not import: each domain's models, parsers and
# checks. The gated check modules are added from the registry.
DOMAIN_MODULES = {
    "databases": ("oomlint.model.mysql", "oomlint.model.postgresql", "oomlint.parsers.mycnf",
                  "oomlint.parsers.postgresql_conf", "oomlint.base.grammar.postgres",
                  "oomlint.model.server_config"),
    "jvms": ("oomlint.model.jvm_launch", "oomlint.model.hotspot",
             "oomlint.parsers.hotspot_flags", "oomlint.parsers.launchers",
             "oomlint.parsers.java_args", "oomlint.parsers.jvm_options"),
    "php_fpm": ("oomlint.model.php_fpm", "oomlint.parsers.php_ini"),
    "redis": ("oomlint.model.redis", "oomlint.parsers.redis_conf"),
    "live": ("oomlint.model.live", "oomlint.sources.live", "oomlint.parsers.proc",
             "oomlint.parsers.cgroup", "oomlint.base.oom"),
}


def _gated(domain: str) -> set[str]:
    return {f"oomlint.checks.{name}" for name, d in checks.REGISTRY if d == domain}


# -- the tables the cheap tests rely on ---------------------------------------------------


def test_registry_names_every_check_and_its_rule():
    assert tuple(name for name, _ in checks.REGISTRY) == checks.MODULES
    assert len(set(checks.MODULES)) == len(checks.MODULES)
    for name, domain in checks.REGISTRY:
        assert checks.rule_of(name) == checks.load(name).RULE, name
        assert domain is None or domain in DOMAIN_MODULES, (name, domain)
    assert [m.__name__ for m in checks.CHECKS] == [f"oomlint.checks.{n}" for n in checks.MODULES]


def test_jvm_names_are_those_load_jvm_knows():
    from oomlint.parsers import launchers

    assert {"java", *launchers.LAUNCHERS, *launchers._ENTRYPOINTS} == JVM_COMMANDS
    assert {"env", *launchers.SHELLS} == JVM_WRAPPERS


def test_php_fpm_and_redis_first_tests_cover_their_models():
    from oomlint.model import php_fpm, redis

    # _may_be_fpm was written for exactly this expression: change both together.
    assert php_fpm.FPM_BINARY.pattern == r"^php-fpm(\d+\.\d+)?$|^php(\d+\.\d+)-fpm$"
    for name in ("php-fpm", "php-fpm8.2", "php8.2-fpm", "/usr/sbin/php-fpm7.4"):
        assert php_fpm.fpm_binary_version(name)[0] and _may_be_fpm(name)
    assert not _may_be_fpm("/usr/sbin/nginx")
    assert set(redis.BINARIES) <= REDIS_BINARIES


# -- the JVM predicate --------------------------------------------------------------------


def _host(path: Path):
    exp = path / "expected.yaml"
    meta = (yaml.safe_load(exp.read_text()) or {}) if exp.is_file() else {}
    root, live = live_parts(path)
    tree = Tree(root=root)
    ram = meta.get("ram", "16G")
    host = build_host(tree, ".", ram=parse_host_size(str(ram)), live=live)
    return tree, host


def _no_jvm_and_no_trace(tree: Tree, unit) -> None:
    """load_jvm on the unit, as model/services.py `load_jvms` would run it: no JVM, no
    OOM508 hint, nothing reported or read."""
    from oomlint.model.jvm_launch import jvm_unmodelled, load_jvm

    problems, why_not = Problems(), []
    before = (tree.budget, tree.files_left, list(tree.loops))
    assert load_jvm(tree, unit, None, problems, why_not=why_not) is None, unit.name
    assert jvm_unmodelled(unit, why_not) is None, unit.name
    assert problems.items == [] and (tree.budget, tree.files_left, list(tree.loops)) == before


@pytest.mark.parametrize("path", TREES, ids=lambda p: str(p.relative_to(ROOT)))
def test_skipped_units_start_no_jvm_and_gated_checks_say_nothing(path: Path):
    tree, host = _host(path)
    for unit in host.services:
        if unit.fragment is not None and "ExecStart" in unit.settings and \
                not may_start_jvm(tree, unit):
            _no_jvm_and_no_trace(tree, unit)
    if host.nothing_recognised:
        return
    catalog = load_catalog()
    ctx = Context(host)
    for name, domain in checks.REGISTRY:
        if checks.has_domain(host, domain):
            continue
        rule = checks.rule_of(name)
        opts = rule_options(catalog[rule], Config())
        assert list(checks.load(name).check(ctx, opts)) == [], (name, path)


UNIT = "[Service]\nExecStart={}\n"


@pytest.mark.parametrize("exec_start,env,files", [
    ("java -Xmx1g -jar app.jar", "", {}),
    ("/opt/jdk/bin/java -jar app.jar", "", {}),  # not in the tree: found by its name
    ("/usr/share/elasticsearch/bin/systemd-entrypoint -p pid", "", {}),
    ("/bin/sh -c 'exec /usr/bin/java -cp x Main'", "", {}),
    ("/usr/bin/env java Main", "", {}),
    ("/opt/app/start", "", {"opt/app/start": "#!/bin/sh\nexec java -jar /opt/app.jar\n"}),
    ("/usr/bin/app", "Environment=JAVA_OPTS=-Xmx1g\n", {}),  # OOM508: looks like a JVM
    ("{{ java_bin }} -jar app.jar", "", {}),
])
def test_units_that_may_start_a_jvm(tmp_path, exec_start, env, files):
    write_tree(tmp_path, {"etc/systemd/system/app.service": UNIT.format(exec_start) + env,
                          **files})
    tree = Tree(root=tmp_path)
    host = build_host(tree, ".")
    assert may_start_jvm(tree, host.units["app.service"])


def test_unit_that_cannot_start_a_jvm(tmp_path):
    write_tree(tmp_path, {"etc/systemd/system/app.service":
                          UNIT.format("/usr/bin/foo --serve") + "ExecStartPre=/bin/true\n"})
    tree = Tree(root=tmp_path)
    host = build_host(tree, ".")
    unit = host.units["app.service"]
    assert not may_start_jvm(tree, unit)
    _no_jvm_and_no_trace(tree, unit)


# -- what a run imports -------------------------------------------------------------------


def _run(*argv: str) -> tuple[dict, set[str]]:
    """The JSON output and the modules imported by `python -m oomlint ARGV` in a fresh
    interpreter."""
    code = ("import atexit, json, sys\n"
            "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules))))\n"
            "sys.argv = ['oomlint', *sys.argv[1:]]\n"
            "import runpy\n"
            "runpy.run_module('oomlint', run_name='__main__')\n")
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run([sys.executable, "-c", code, *argv, "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    return json.loads(proc.stdout), set(json.loads(proc.stderr.rsplit("MODULES ", 1)[1]))


def test_a_host_of_units_imports_no_domain(tmp_path):
    unit = write_tree(tmp_path, {"foo.service": "[Service]\nExecStart=/usr/bin/foo\nMemoryMax=1G\n"})
    doc, modules = _run("check", str(unit / "foo.service"))
    assert doc["findings"] == []
    for domain, names in DOMAIN_MODULES.items():
        loaded = sorted(modules & {*names, *_gated(domain)})
        assert loaded == [], domain
    assert "oomlint.checks.oom202_memory_max_missing" in modules  # the unit's checks ran


@pytest.mark.parametrize("domain,case,rule", [
    ("databases", "OOM401/fires", "OOM401"),
    ("databases", "OOM451/fires", "OOM451"),
    ("jvms", "OOM501/fires", "OOM501"),
    ("jvms", "OOM508/fires", "OOM508"),
    ("php_fpm", "OOM601/fires", "OOM601"),
    ("redis", "OOM651/fires", "OOM651"),
    ("live", "OOM701/fires-global-oom-in-log", "OOM701"),
])
def test_a_host_with_a_domain_runs_its_checks(domain, case, rule):
    path = CASES / case
    meta = yaml.safe_load((path / "expected.yaml").read_text()) or {}
    args = ["--ram", str(meta["ram"])] if "ram" in meta else []
    root, live = live_parts(path)
    if live is None:
        doc, modules = _run("check", str(path), *args)
    else:
        doc, modules = _run("audit", "--root", str(root), "--proc", str(path / "proc"),
                            "--sys", str(path / "sys"), "--kernel-log", str(path / "kernel.log"),
                            *args)
    assert rule in {f["rule"] for f in doc["findings"]}
    name = next(n for n in checks.MODULES if checks.rule_of(n) == rule)
    assert f"oomlint.checks.{name}" in modules
    _, host = _host(path)
    assert checks.has_domain(host, domain)
    for other in DOMAIN_MODULES:  # the checks of a domain the host lacks stay unimported
        if not checks.has_domain(host, other):
            assert not _gated(other) & modules, other
