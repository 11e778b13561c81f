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


MANUAL = CHECKS / "OOM711" / "fires-manual-adj"
PROTECTED = CHECKS / "OOM711" / "fires-protected-reset"
MATCH = CHECKS / "OOM711" / "quiet"


def test_predicted_kill_order_beside_the_live_one_text():
    r = audit(MANUAL, "--select", "OOM711")
    assert r.exit_code == 1, r.output
    assert "Kill order, predicted from the configuration beside the live one:" in r.output
    assert ("first victim: predicted cache.service, live web.service (pid 800): they differ"
            in r.output)
    assert "cache.service's process pid 700 (cache-server) runs with oom_score_adj -1000" \
        in r.output
    same = audit(MATCH, "--select", "OOM711")
    assert same.exit_code == 0, same.output
    assert "first victim: predicted cache.service, live cache.service (pid 700): the same" \
        in same.output


def test_predicted_kill_order_beside_the_live_one_json():
    doc = json.loads(audit(MANUAL, "--select", "OOM711", "--format", "json").output)
    a = doc["audit"]
    assert [r["pid"] for r in a["kill_list"]] == [800]  # pid 700 runs at -1000
    pred = a["kill_order_predicted"]
    assert [(r["rank"], r["unit"], r["oom_score_adj"]) for r in pred] == \
        [(1, "cache.service", 200), (2, "web.service", 0)]
    assert pred[0]["oom_score_adj_at"].endswith("root/etc/systemd/system/cache.service:7")
    assert a["first_victim"] == {"predicted": "cache.service", "live": "web.service",
                                 "live_pid": 800, "same": False}
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("OOM711", 7)]


def test_protected_first_victim_is_said_with_the_running_value():
    r = audit(PROTECTED, "--select", "OOM710,OOM711")
    assert r.exit_code == 1
    assert "which the configuration protects with OOMScoreAdjust=-900" in r.output
    assert "runs with oom_score_adj 0, not the -900 its unit sets" in r.output
    assert "OOM710" not in r.output.split("Memory,")[0]  # pid 900 still runs with -900


def test_swap_and_commit_figures_come_from_meminfo_without_changing_the_rules():
    # The fstab names /swapfile without a size: the kill order counts SwapTotal (totalpages
    # = (8039872 + 2097148) kB / 4 kB = 2534255, 2534 pages per adj point) ...
    doc = json.loads(audit(MANUAL, "--format", "json", "--select", "OOM301,OOM706").output)
    m = doc["audit"]["memory"]
    assert m["swap_total_bytes"] == 2097148 * 1024 == m["swap_used_by_audit"]
    assert m["swap_configured"] is True and m["swap_configured_bytes"] is None
    assert (m["commit_limit_bytes"], m["committed_as_bytes"]) == (6117084 * 1024,
                                                                   7203112 * 1024)
    cache = doc["audit"]["kill_order_predicted"][0]
    assert cache["badness"] == 3 * 2**30 // 4096 + 200 * 2534
    # ... and OOM301 / OOM706 judge the configuration as before: /swapfile is active.
    assert doc["findings"] == []
    text = audit(MANUAL, "--select", "OOM711").output
    assert "swap 2 GiB (SwapTotal, 2 GiB free); configured: size unknown; the kill order " \
           "below counts SwapTotal" in text
    assert "committed 6.87 GiB (Committed_AS) of CommitLimit 5.83 GiB, 118%" in text


def test_swap_on_by_hand_still_fires_oom301_and_oom706(tmp_path):
    import shutil

    case = tmp_path / "host"
    shutil.copytree(MANUAL, case)
    (case / "root" / "etc" / "fstab").write_text("# no swap\n")
    doc = json.loads(audit(case, "--format", "json", "--select", "OOM301,OOM706").output)
    assert sorted(f["rule"] for f in doc["findings"]) == ["OOM301", "OOM706"]
    m = doc["audit"]["memory"]
    assert m["swap_configured"] is False and m["swap_used_by_audit"] == 2097148 * 1024
