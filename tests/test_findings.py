"""A finding's subject and fingerprint: what it is about, stable when lines move or the
message is reworded, different for a different unit or setting."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import lint_fixture, lint_tree, write_tree

from oomlint.base.findings import Finding, fingerprint
from oomlint.base.ids import INPUT_RULES
from oomlint.base.provenance import Loc
from oomlint.cli import main

UNIT = "etc/systemd/system/app.service"
IMMORTAL = "[Service]\nExecStart=/bin/app\nOOMScoreAdjust=-1000\nMemoryMax=1G\n"
MOVED = "[Unit]\nDescription=moved down\n\n[Service]\nMemoryMax=1G\nExecStart=/bin/app\n" \
        "OOMScoreAdjust=-1000\n"
# Findings about the host as a whole: nothing narrower to name.
HOST_LEVEL = {"OOM010", "OOM101", "OOM102", "OOM301"}


def _oom201(tmp_path, name, files):
    root = write_tree(tmp_path / name, files)
    [f] = [f for f in lint_tree(root, {"OOM201"}).findings if f.rule == "OOM201"]
    return f


def test_subject_names_the_unit_and_setting(tmp_path):
    f = _oom201(tmp_path, "a", {UNIT: IMMORTAL})
    assert f.subject == ("app.service", "OOMScoreAdjust")


def test_moved_line_keeps_the_fingerprint(tmp_path):
    a = _oom201(tmp_path, "a", {UNIT: IMMORTAL})
    b = _oom201(tmp_path, "b", {UNIT: MOVED})
    assert (a.loc.line, b.loc.line) == (3, 7)
    assert fingerprint(a) == fingerprint(b)


def test_reworded_message_keeps_the_fingerprint(tmp_path):
    a = _oom201(tmp_path, "a", {UNIT: IMMORTAL})
    assert fingerprint(dataclasses.replace(a, message="reworded")) == fingerprint(a)


def test_other_unit_rule_host_or_path_changes_the_fingerprint(tmp_path):
    a = _oom201(tmp_path, "a", {UNIT: IMMORTAL})
    other = _oom201(tmp_path, "b", {"etc/systemd/system/api.service": IMMORTAL})
    assert other.subject == ("api.service", "OOMScoreAdjust")
    assert fingerprint(other) != fingerprint(a)
    assert fingerprint(dataclasses.replace(a, host="db1")) != fingerprint(a)
    assert fingerprint(dataclasses.replace(a, rule="OOM202")) != fingerprint(a)
    assert fingerprint(dataclasses.replace(a, loc=Loc("etc/x.service", 3))) != fingerprint(a)


def test_fingerprint_is_16_hex_and_ignores_the_line():
    f = Finding("OOM305", "m", Loc("etc/sysctl.conf", 4), subject=("vm.oom_kill_allocating_task",),
                host="h")
    fp = fingerprint(f)
    assert len(fp) == 16 and int(fp, 16) >= 0
    assert fingerprint(dataclasses.replace(f, loc=Loc("etc/sysctl.conf", 40))) == fp
    # the parts are separated: ("a", "bc") is not ("ab", "c")
    assert fingerprint(dataclasses.replace(f, subject=("a", "bc"))) != \
        fingerprint(dataclasses.replace(f, subject=("ab", "c")))


def test_json_carries_subject_and_fingerprint(tmp_path, monkeypatch):
    write_tree(tmp_path / "h", {UNIT: IMMORTAL, "etc/fstab": "/swapfile none swap sw 0 0\n"})
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "h", "--format", "json", "--select", "OOM201"],
                           catch_exceptions=False)
    doc = json.loads(r.output)
    assert doc["version"] == 1
    [f] = doc["findings"]
    assert (f["path"], f["line"], f["subject"]) == (f"h/{UNIT}", 3, ["app.service", "OOMScoreAdjust"])
    assert f["fingerprint"] == fingerprint(Finding("OOM201", "", Loc(UNIT, 3), host="h",
                                                   subject=("app.service", "OOMScoreAdjust")))


CASES = sorted(p for p in (Path(__file__).parent / "checks").glob("OOM*/fires*")
               if p.parent.name not in INPUT_RULES and p.parent.name not in HOST_LEVEL)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}-{p.name}")
def test_every_check_names_a_subject(case):
    rule = case.parent.name
    _, result = lint_fixture(case)
    found = [f for f in result.findings if f.rule == rule]
    assert found and all(f.subject and all(f.subject) for f in found), \
        [(f.rule, f.subject) for f in found]
