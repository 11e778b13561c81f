"""`oomlint audit`: the live audit through the command line, on captured trees and on the
machine the tests run on (whatever it is: only the exit code and well-formed output are
asserted there)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from oomlint.cli import main

ROOT = Path(__file__).parent.parent
CHECKS = Path("tests") / "checks"
CAPTURE = Path("tests") / "data" / "live-capture"
LOOP = CHECKS / "OOM702" / "fires-kill-loop"
GLOBAL = CHECKS / "OOM701" / "fires-global-oom-in-log"
HEALTHY = CHECKS / "OOM701" / "quiet-healthy"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch):
    monkeypatch.chdir(ROOT)  # paths are shown relative to the current directory


def audit(case: Path, *args):
    opts = ["audit", "--root", case / "root", "--proc", case / "proc", "--sys", case / "sys"]
    if (case / "kernel.log").is_file():
        opts += ["--kernel-log", case / "kernel.log"]
    return CliRunner().invoke(main, [*map(str, opts), *map(str, args)], catch_exceptions=False)


def test_captured_machine_reports_check_and_live_findings():
    r = audit(CAPTURE, "--format", "json")
    assert r.exit_code == 1, r.output
    doc = json.loads(r.output)
    got = sorted((f["rule"], f["path"], f["line"]) for f in doc["findings"])
    # OOM301 comes from the static checks on the same files, OOM705 from the running kernel.
    cap = CAPTURE.as_posix()
    assert got == [("OOM301", f"{cap}/root", 0),
                   ("OOM705", f"{cap}/root/etc/sysctl.d/60-memory.conf", 2)]
    assert [row["pid"] for row in doc["audit"]["kill_list"]] == [28463]  # pid 1 is never killed


def test_static_findings_are_those_of_check():
    checked = CliRunner().invoke(main, ["check", str(CAPTURE / "root"), "--format", "json"])
    audited = audit(CAPTURE, "--format", "json", "--ignore", "OOM7")
    assert json.loads(checked.output)["findings"] == json.loads(audited.output)["findings"]


def test_healthy_host_is_clean():
    r = audit(HEALTHY)
    assert r.exit_code == 0, r.output
    assert "Live kill list" in r.output and "app" in r.output


def test_kill_loop_text_and_json():
    text = audit(LOOP, "--select", "OOM702")
    assert text.exit_code == 1
    assert "app.service: 5 processes OOM-killed inside it" in text.output
    assert "Restart=always" in text.output
    doc = json.loads(audit(LOOP, "--select", "OOM702", "--format", "json").output)
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("OOM702", 5)]
    # Live paths are shown under the captured directory given.
    assert doc["findings"][0]["path"] == \
        f"{LOOP.as_posix()}/sys/fs/cgroup/system.slice/app.service/memory.events"


def test_global_oom_is_explained_against_the_host():
    r = audit(GLOBAL, "--select", "OOM701")
    assert r.exit_code == 1
    assert "Kernel OOM reports still in the log, explained" in r.output
    assert "killed pid 473206 (doxygen)" in r.output
    doc = json.loads(audit(GLOBAL, "--select", "OOM701", "--format", "json").output)
    reports = doc["audit"]["oom_reports"]
    assert isinstance(reports, (list, dict)) and reports


def test_fail_on_and_usage_errors():
    assert audit(LOOP, "--select", "OOM702", "--fail-on", "error").exit_code == 0
    assert audit(LOOP, "--select", "OOM999").exit_code == 2
    r = CliRunner().invoke(main, ["audit", "--proc", "/nonexistent-dir"])
    assert r.exit_code == 2


def test_missing_kernel_log_is_said_once_and_the_audit_goes_on(tmp_path):
    r = audit(HEALTHY, "--kernel-log", tmp_path / "gone.log", "--format", "json")
    doc = json.loads(r.output)
    unread = [f for f in doc["findings"] if f["rule"] == "OOM715"]
    assert len(unread) == 1 and "gone.log" in unread[0]["message"]
    assert r.exit_code == 0  # OOM715 is info: below the default --fail-on warning


def test_audit_of_this_machine_does_not_crash():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    for fmt in ("text", "json"):
        p = subprocess.run([sys.executable, "-m", "oomlint", "audit", "--format", fmt],
                           capture_output=True, env=env, timeout=300)
        assert p.returncode in (0, 1), p.stderr.decode()
        assert b"Traceback" not in p.stderr
        if fmt == "json":
            doc = json.loads(p.stdout)
            assert "findings" in doc and "kill_list" in doc["audit"]
        else:
            assert p.stdout.decode("utf-8")


def test_an_empty_configuration_root_is_said(tmp_path):
    (tmp_path / "root").mkdir()
    r = CliRunner().invoke(main, ["audit", "--root", str(tmp_path / "root"), "--proc",
                                  str(CAPTURE / "proc"), "--sys", str(CAPTURE / "sys")])
    assert r.exit_code in (0, 1)
    assert "no configuration oomlint reads was found there" in r.output
