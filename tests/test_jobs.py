"""`check --jobs N`: hosts spread over worker processes give the same findings,
suppressions, order and exit code as one in-process run (--jobs 1), whatever N."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_tree

import oomlint.model.build as build
from oomlint import runner
from oomlint.catalog import load_catalog
from oomlint.cli import main
from oomlint.config import Config
from oomlint.engine import run, select_rules
from oomlint.sources.hosts import discover_hosts

DATA = Path(__file__).parent / "data"
UNIT = "etc/systemd/system/app.service"


@pytest.fixture
def fleet(tmp_path, monkeypatch):
    """Several hosts: recorded ones (a JVM, a LEMP stack, the stock Debian tree) and
    written ones with pragmas (used and unused), a loose file, and the same tree twice."""
    monkeypatch.chdir(tmp_path)
    for name in ("jenkins", "elasticsearch8", "wrapper"):
        shutil.copytree(DATA / "jvm_hosts" / name, tmp_path / name, symlinks=True)
    shutil.copytree(DATA / "phpredis-lemp", tmp_path / "lemp", symlinks=True)
    shutil.copytree(DATA / "debian-stock", tmp_path / "stock", symlinks=True)
    for i, adj in enumerate((-1000, -900, 0)):
        write_tree(tmp_path / f"w{i}", {
            UNIT: "[Service]\nExecStart=/bin/app\n"
                  "# oomlint: disable=OOM201 -- the watchdog must survive\n"
                  f"OOMScoreAdjust={adj}\n",
            "etc/sysctl.d/60.conf": "# oomlint: disable=OOM303\nvm.overcommit_memory = 1\n",
        })
    write_tree(tmp_path / "loose", {"db.service": "[Service]\nExecStart=/usr/sbin/db\n"})
    return ["jenkins", "w1", "lemp", "w0", "stock", "elasticsearch8", "w2", "wrapper",
            "loose/db.service", "w1"]


def _check(*args):
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_jobs_2_is_jobs_1(fleet, fmt):
    one = _check("--jobs", "1", "--ram", "8G", "--format", fmt, *fleet)
    two = _check("--jobs", "2", "--ram", "8G", "--format", fmt, *fleet)
    three = _check("-j", "3", "--ram", "8G", "--format", fmt, *fleet)
    assert one.exit_code == 1
    assert (two.exit_code, two.output, two.stderr) == (one.exit_code, one.output, one.stderr)
    assert (three.exit_code, three.output) == (one.exit_code, one.output)
    if fmt == "json":
        doc = json.loads(one.output)
        assert len({f["host"] for f in doc["findings"]}) >= 6
        assert doc["suppressed"]  # the pragmas were applied in the workers too


def test_selection_and_fail_on_reach_the_workers(fleet):
    args = ["--ram", "8G", "--select", "OOM201,OOM090", "--fail-on", "error", *fleet]
    one, two = _check("--jobs", "1", *args), _check("--jobs", "2", *args)
    assert (two.exit_code, two.output) == (one.exit_code, one.output)
    assert "OOM201" in one.output and "OOM202" not in one.output


def test_internal_error_in_a_worker_is_exit_2_and_the_others_still_print(fleet, monkeypatch):
    """A model loader that crashes (OOM099, exit 2) on every host: the workers
    report it as the in-process run does."""
    def crash(host, tree, *args, **kwargs):
        raise RuntimeError("kaboom")

    steps = tuple((what, crash if step.__name__ == "load_php_fpm_services" else step)
                  for what, step in build.STEPS)
    assert steps != build.STEPS
    monkeypatch.setattr(build, "STEPS", steps)
    one, two = _check("--jobs", "1", *fleet), _check("--jobs", "2", *fleet)
    assert one.exit_code == 2 and "OOM099" in one.output
    assert (two.exit_code, two.output) == (one.exit_code, one.output)


def test_runner_is_engine_run_over_every_host(fleet):
    """The streamed, merged result equals engine.run given every host's model at once (as
    cli.py did before hosts were checked one at a time)."""
    catalog, cfg = load_catalog(), Config()
    selected = select_rules(catalog, None, [])
    sources = discover_hosts([Path(p) for p in fleet])
    hosts = list(runner.iter_hosts(sources, cfg, 8 << 30, None))
    expected = run(hosts, catalog, cfg, selected)
    for jobs in (1, 2):
        got = runner.check_hosts(sources, catalog, cfg, selected, 8 << 30, None, jobs)
        assert got.findings == expected.findings
        assert got.suppressed == expected.suppressed
        assert got.internal_error == expected.internal_error
        assert list(got.shown) == list(expected.shown)


def test_default_jobs_is_at_most_two():
    assert 1 <= runner.default_jobs() <= 2
