"""An internal error becomes an OOM099 finding and exit code 2, and everything else is still
checked: a crashing check, a crashing reader in the model, a crashing budget."""

from __future__ import annotations

import pytest

import oomlint.analysis.budget as budget_module
import oomlint.model.build as build
from oomlint.checks import oom201_unkillable_service, oom202_memory_max_missing

from .helpers import UNIT_DIR, check, oomlint, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

TREE = {
    f"{UNIT_DIR}/immortal.service": "[Service]\nExecStart=/x\nOOMScoreAdjust=-1000\nMemoryMax=1G\n",
    f"{UNIT_DIR}/unbounded.service": "[Service]\nExecStart=/y\n",
    "etc/sysctl.d/60.conf": "vm.panic_on_oom = 1\n",
    "etc/fstab": "/swapfile none swap sw 0 0\n",
}
ALL = [("OOM201", f"h/{UNIT_DIR}/immortal.service", 3),
       ("OOM202", f"h/{UNIT_DIR}/unbounded.service", 1),
       ("OOM304", "h/etc/sysctl.d/60.conf", 1)]
SELECT = "--select=OOM0,OOM201,OOM202,OOM304"


def _boom(*args, **kwargs):
    raise RuntimeError("kaboom")


def _crashing_check(host, opts):
    raise ZeroDivisionError("division by zero")
    yield


def test_baseline(cwd):
    write_tree(cwd / "h", TREE)
    r = check("h", SELECT)
    assert (r.exit_code, r.triples()) == (1, ALL)


@pytest.mark.parametrize("fail_on", ["warning", "never"])
def test_crashing_check_is_oom099_and_exit_2(cwd, monkeypatch, fail_on):
    write_tree(cwd / "h", TREE)
    monkeypatch.setattr(oom201_unkillable_service, "check", _crashing_check)
    r = check("h", SELECT, f"--fail-on={fail_on}")
    assert r.exit_code == 2
    assert r.triples() == sorted([("OOM099", "h", 0), *[t for t in ALL if t[0] != "OOM201"]])
    message = r.at("OOM099")[0]["message"]
    assert message.startswith("check OOM201 failed: ZeroDivisionError: division by zero (")
    assert r.at("OOM099")[0]["severity"] == "error"


def test_two_crashing_checks_are_two_findings(cwd, monkeypatch):
    write_tree(cwd / "h", TREE)
    monkeypatch.setattr(oom201_unkillable_service, "check", _crashing_check)
    monkeypatch.setattr(oom202_memory_max_missing, "check", _crashing_check)
    r = check("h", SELECT)
    assert r.exit_code == 2
    assert r.triples() == sorted([("OOM099", "h", 0), ("OOM099", "h", 0),
                                  ("OOM304", "h/etc/sysctl.d/60.conf", 1)])


def test_crashing_check_in_text_format(cwd, monkeypatch):
    write_tree(cwd / "h", TREE)
    monkeypatch.setattr(oom201_unkillable_service, "check", _crashing_check)
    r = oomlint("check", "h", "--ram", "8G", SELECT)
    assert r.exit_code == 2
    assert "h: OOM099 [error] check OOM201 failed: ZeroDivisionError" in r.stdout
    assert f"h/{UNIT_DIR}/unbounded.service:1: OOM202" in r.stdout


def _break_step(monkeypatch, name: str) -> None:
    """Make the model's loader step `name` raise."""
    steps = tuple((what, _boom if step.__name__ == name else step) for what, step in build.STEPS)
    assert steps != build.STEPS
    monkeypatch.setattr(build, "STEPS", steps)


@pytest.mark.parametrize("loader, lost", [
    ("load_sysctl", "OOM304"),
    ("load_units", None),  # the units' findings are lost, but not the sysctl one
    ("load_databases", None),
    ("load_jvms", None),
])
def test_crashing_reader_is_oom099_and_exit_2(cwd, monkeypatch, loader, lost):
    write_tree(cwd / "h", TREE)
    _break_step(monkeypatch, loader)
    r = check("h", SELECT)
    assert r.exit_code == 2
    oom099 = r.at("OOM099")
    assert len(oom099) == 1 and oom099[0]["path"] == "h"
    assert "failed: RuntimeError: kaboom" in oom099[0]["message"]
    kept = {t for t in r.triples() if t[0] != "OOM099"}
    if loader == "load_units":
        assert kept == {("OOM304", "h/etc/sysctl.d/60.conf", 1)}
    else:
        assert kept == {t for t in ALL if t[0] != lost}


def test_oom099_from_the_model_survives_a_narrow_selection(cwd, monkeypatch):
    write_tree(cwd / "h", TREE)
    _break_step(monkeypatch, "load_sysctl")
    r = check("h", "--select=OOM201")
    assert (r.exit_code, [t[0] for t in r.triples()]) == (2, ["OOM099", "OOM201"])


def test_crashing_budget_is_exit_2_and_other_hosts_still_print(cwd, monkeypatch):
    write_tree(cwd / "a", TREE)
    write_tree(cwd / "b", TREE)
    real = budget_module.host_budget  # cli.py imports it when the command runs
    monkeypatch.setattr(budget_module, "host_budget",
                        lambda host, a: _boom() if host.name == "a" else real(host, a))
    r = oomlint("budget", "a", "b", "--ram", "8G", "--format", "json")
    assert r.exit_code == 2
    assert [h["name"] for h in r.doc["hosts"]] == ["b"]
    assert "oomlint: a: internal error: computing the budget failed: RuntimeError: kaboom" in \
        r.stderr


def test_crashing_reader_makes_budget_exit_2(cwd, monkeypatch):
    write_tree(cwd / "h", TREE)
    _break_step(monkeypatch, "load_sysctl")
    r = oomlint("budget", "h", "--ram", "8G")
    assert r.exit_code == 2
    assert "reading sysctl failed: RuntimeError: kaboom" in r.stderr
