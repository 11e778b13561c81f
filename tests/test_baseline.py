"""Baselines: --write-baseline FILE records the run's findings; --baseline FILE drops the
findings it lists (not printed, not counted toward the exit code), matched by rule, host id,
path and subject, never by line or message; stale entries are counted (and listed in JSON)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint import baseline
from oomlint.base.findings import Finding
from oomlint.base.provenance import Loc
from oomlint.cli import main

UNIT = "etc/systemd/system/app.service"
OTHER = "etc/systemd/system/other.service"
IMMORTAL = "[Service]\nExecStart=/bin/app\nOOMScoreAdjust=-1000\nMemoryMax=1G\n"
FSTAB = {"etc/fstab": "/swapfile none swap sw 0 0\n"}


def cli(*args):
    return CliRunner().invoke(main, ["check", *map(str, args)], catch_exceptions=False)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    write_tree(root / "hosts" / "db", {UNIT: IMMORTAL, **FSTAB})
    (root / ".oomlint.toml").write_text('ram = "8G"\n')
    monkeypatch.chdir(root)
    return root


def test_write_then_apply(repo):
    w = cli("hosts/db", "--write-baseline", "oomlint-baseline.json")
    assert w.exit_code == 0
    assert w.stderr == "oomlint: oomlint-baseline.json: baseline of 1 finding(s) written\n"
    assert "No findings. 1 baselined." in w.stdout
    doc = json.loads((repo / "oomlint-baseline.json").read_text())
    assert doc == {"version": 1, "tool": "oomlint", "entries": [{
        "rule": "OOM201", "host": "hosts/db", "path": UNIT,
        "subject": ["app.service", "OOMScoreAdjust"], "count": 1,
        "message": doc["entries"][0]["message"]}]}
    r = cli("hosts/db", "--baseline", "oomlint-baseline.json")
    assert (r.exit_code, r.stdout) == (0, "No findings. 1 baselined.\n")


def test_new_finding_still_fails_and_is_the_only_one_shown(repo):
    cli("hosts/db", "--write-baseline", "b.json")
    write_tree(repo / "hosts" / "db", {OTHER: IMMORTAL.replace("/bin/app", "/bin/other")})
    r = cli("hosts/db", "--baseline", "b.json", "--format", "concise")
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        r.stdout.splitlines()[0], "1 finding (1 warning), 1 baselined"]
    assert "other.service:3: OOM201" in r.stdout


def test_moved_line_and_reworded_message_still_match(repo, monkeypatch):
    cli("hosts/db", "--write-baseline", "b.json")
    write_tree(repo / "hosts" / "db", {UNIT: "# a comment\n\n" + IMMORTAL})
    assert cli("hosts/db", "--baseline", "b.json").stdout == "No findings. 1 baselined.\n"
    # Reworded: the message is informational only.
    doc = json.loads((repo / "b.json").read_text())
    doc["entries"][0]["message"] = "something else entirely"
    (repo / "b.json").write_text(json.dumps(doc))
    assert cli("hosts/db", "--baseline", "b.json").exit_code == 0


def test_reworded_message_at_the_module_level():
    f = Finding("OOM201", "old words", Loc(UNIT, 3), ("app.service", "OOMScoreAdjust"),
                host="hosts/db")
    b = baseline.parse(baseline.dump([f], {}))
    g = dataclasses.replace(f, message="new words", loc=Loc(UNIT, 30))
    kept, dropped, stale = baseline.apply([g], b, {"hosts/db": "hosts/db"}, {"OOM201"})
    assert (kept, dropped, stale) == ([], [g], [])


def test_host_id_is_stable_across_working_directories(repo, monkeypatch):
    """The baseline written from the repo root matches when oomlint runs from hosts/ (the
    host is shown as "db" there): the id is relative to the config file's directory."""
    cli("hosts/db", "--write-baseline", "b.json")
    monkeypatch.chdir(repo / "hosts")
    r = cli("db", "--baseline", "../b.json")
    assert (r.exit_code, r.stdout) == (0, "No findings. 1 baselined.\n")
    # The JSON fingerprint is the same from both directories too.
    fp_here = json.loads(cli("db", "--format", "json").stdout)["findings"][0]["fingerprint"]
    monkeypatch.chdir(repo)
    fp_root = json.loads(cli("hosts/db", "--format", "json").stdout)["findings"][0]["fingerprint"]
    assert fp_here == fp_root


def test_other_subject_setting_or_host_does_not_match(repo):
    cli("hosts/db", "--write-baseline", "b.json")
    doc = json.loads((repo / "b.json").read_text())
    for key, value in (("host", "hosts/web"), ("path", OTHER), ("rule", "OOM202"),
                       ("subject", ["app.service", "MemoryMax"])):
        changed = {**doc, "entries": [{**doc["entries"][0], key: value}]}
        (repo / "c.json").write_text(json.dumps(changed))
        r = cli("hosts/db", "--baseline", "c.json", "--format", "json")
        assert r.exit_code == 1, key
        assert json.loads(r.stdout)["baseline"]["baselined"] == 0


def test_stale_entries_are_counted_and_listed(repo):
    cli("hosts/db", "--write-baseline", "b.json")
    write_tree(repo / "hosts" / "db", {UNIT: IMMORTAL.replace("-1000", "-500")})
    r = cli("hosts/db", "--baseline", "b.json")
    assert (r.exit_code, r.stdout) == (0, "No findings. 1 stale baseline entry.\n")
    doc = json.loads(cli("hosts/db", "--baseline", "b.json", "--format", "json").stdout)
    assert doc["baseline"] == {"baselined": 0, "stale": [
        {"rule": "OOM201", "host": "hosts/db", "path": UNIT,
         "subject": ["app.service", "OOMScoreAdjust"], "count": 1}]}
    # An entry of a rule not run, or of a host not checked, is not judged stale.
    assert "stale" not in cli("hosts/db", "--baseline", "b.json", "--select=OOM202").stdout


def test_counts_for_findings_with_one_identity():
    fs = [Finding("OOM301", f"m{i}", Loc(".", 0), host="h") for i in range(3)]
    b = baseline.parse(baseline.dump(fs[:2], {"h": "h"}))
    assert [e.count for e in b.entries] == [2]
    kept, dropped, stale = baseline.apply(fs, b, {"h": "h"}, {"OOM301"})
    assert (len(kept), len(dropped), stale) == (1, 2, [])


def test_deterministic_sorted_ascii():
    fs = [Finding("OOM202", "m", Loc("etc/b", 1), ("b\udcff",), host="z"),
          Finding("OOM201", "m", Loc("etc/a", 9), ("é",), host="a"),
          Finding("OOM099", "internal", Loc(".", 0), host="a")]
    text = baseline.dump(fs, {})
    assert text == baseline.dump(list(reversed(fs)), {})
    assert text.isascii()
    entries = baseline.parse(text).entries
    assert [(e.host, e.rule) for e in entries] == [("a", "OOM201"), ("z", "OOM202")]
    assert entries[1].subject == ("b\udcff",)  # the undecodable byte round-trips


@pytest.mark.parametrize("text, message", [
    ("not json", "not a JSON baseline"),
    ("[]", "not an oomlint baseline"),
    ('{"version": 2, "entries": []}', "baseline version 2 is not supported"),
    ('{"version": 1, "entries": [{"rule": 1}]}', "entries[0]: expected rule"),
    ('{"version": 1, "entries": [{"rule": "a", "host": "h", "path": "p", "count": 0}]}',
     "entries[0]"),
])
def test_bad_baseline_is_exit_2(repo, text, message):
    (repo / "bad.json").write_text(text)
    r = cli("hosts/db", "--baseline", "bad.json")
    assert r.exit_code == 2 and message in r.stderr and "Traceback" not in r.output


def test_missing_baseline_and_both_options(repo):
    r = cli("hosts/db", "--baseline", "nope.json")
    assert r.exit_code == 2 and "cannot read the baseline" in r.stderr
    r = cli("hosts/db", "--baseline", "a", "--write-baseline", "b")
    assert r.exit_code == 2 and "cannot be used together" in r.stderr


def test_suppressed_findings_are_not_baselined(repo):
    write_tree(repo / "hosts" / "db", {UNIT: "[Service]\nExecStart=/bin/app\n"
                                       "# oomlint: disable=OOM201 -- reviewed\n"
                                       "OOMScoreAdjust=-1000\nMemoryMax=1G\n"})
    cli("hosts/db", "--write-baseline", "b.json")
    assert json.loads((repo / "b.json").read_text())["entries"] == []


def test_no_inline_suppressions(repo):
    write_tree(repo / "hosts" / "db", {UNIT: "[Service]\nExecStart=/bin/app\n"
                                       "# oomlint: disable=OOM201 -- reviewed\n"
                                       "OOMScoreAdjust=-1000\nMemoryMax=1G\n"})
    assert cli("hosts/db").exit_code == 0
    r = cli("hosts/db", "--no-inline-suppressions", "--format", "json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 1 and doc["suppressed"] == []
    assert [f["rule"] for f in doc["findings"]] == ["OOM201"]  # no OOM090 for the pragma
    # A baseline still applies without inline suppressions.
    cli("hosts/db", "--no-inline-suppressions", "--write-baseline", "b.json")
    assert cli("hosts/db", "--no-inline-suppressions", "--baseline", "b.json").exit_code == 0
