"""The same input gives byte-identical output: run after run, from copies of the tree in
different directories, whatever order the filesystem lists entries in and whatever the
hash seed; the default formats carry no timestamps."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from . import samples
from .helpers import IMMORTAL, UNIT_DIR, corpus_files, oomlint, unit_name, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

COMMANDS = [("check", "text"), ("check", "concise"), ("check", "json"), ("check", "sarif"),
            ("check", "github"), ("budget", "text"), ("budget", "json")]


def _tree(root):
    """The sample host, some broken files and part of the systemd fuzz corpus."""
    files: dict[str, str | bytes] = {**samples.TREE, f"{UNIT_DIR}/control.service": IMMORTAL,
                                     f"{UNIT_DIR}/bin.service": b"[Service]\n\0\xff",
                                     "etc/sysctl.d/10-latin.conf": b"# caf\xe9\nvm.swappiness=300\n",
                                     "etc/mysql/conf.d/z.cnf": "[mysqld]\n!include /nope\nx\n"}
    for name, data in corpus_files("unit-files")[:12]:
        if len(data) < 50_000:
            fname, body = unit_name(name, data)
            files[f"{UNIT_DIR}/{fname}"] = body
    write_tree(root, files)
    os.symlink("loop.service", root / UNIT_DIR / "loop.service")
    return root


def _run_all(cwd):
    out = {}
    for command, fmt in COMMANDS:
        r = oomlint(command, "host", "--ram", "8G", "--format", fmt)
        out[(command, fmt)] = (r.exit_code, r.stdout)
    return out


def test_same_input_same_output_run_after_run(tmp_path, monkeypatch):
    _tree(tmp_path / "host")
    monkeypatch.chdir(tmp_path)
    first = _run_all(tmp_path)
    assert first == _run_all(tmp_path)
    assert first[("check", "json")][0] == 1


def test_copies_in_different_directories_give_identical_output(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "elsewhere" / "deeper" / "b"
    _tree(a / "host")
    _tree(b / "host")
    monkeypatch.chdir(a)
    from_a = _run_all(a)
    monkeypatch.chdir(b)
    from_b = _run_all(b)
    assert from_a == from_b


def test_filesystem_listing_order_does_not_matter(tmp_path, monkeypatch):
    _tree(tmp_path / "host")
    monkeypatch.chdir(tmp_path)
    expected = _run_all(tmp_path)
    from oomlint.sources.fs import DirectoryFS

    real_listdir = os.listdir
    real_scan = DirectoryFS.scan
    monkeypatch.setattr(os, "listdir", lambda p=".": list(reversed(real_listdir(p))))
    monkeypatch.setattr(DirectoryFS, "scan", lambda self, p: None if (
        found := real_scan(self, p)) is None else dict(reversed(found.items())))
    assert _run_all(tmp_path) == expected


_RUN = ("import sys; from click.testing import CliRunner; from oomlint.cli import main; "
        "r = CliRunner().invoke(main, sys.argv[1:], catch_exceptions=False); "
        "sys.stdout.write(r.stdout)")


@pytest.mark.subprocess
def test_hash_seed_does_not_matter(tmp_path):
    _tree(tmp_path / "host")
    outputs = set()
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.add(subprocess.run(
            [sys.executable, "-c", _RUN, "check", "host", "--ram", "8G", "--format", "json"],
            cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout)
    assert len(outputs) == 1


# ISO dates, times of day, and today's date as `date` prints it (byte counts look too much
# like epoch seconds to test for those; the run-to-run and hash-seed tests cover them).
_TIMESTAMP = re.compile(r"\b(19|20)\d\d-\d\d-\d\d|\b\d\d:\d\d:\d\d\b|"
                        + time.strftime("%b") + rf" +0?{time.localtime().tm_mday}\b")


def test_no_timestamps_and_a_stable_json_shape(tmp_path, monkeypatch):
    _tree(tmp_path / "host")
    monkeypatch.chdir(tmp_path)
    out = _run_all(tmp_path)
    for (command, fmt), (_, stdout) in out.items():
        assert not _TIMESTAMP.search(stdout), (command, fmt, _TIMESTAMP.search(stdout))
    doc = json.loads(out[("check", "json")][1])
    assert set(doc) == {"version", "findings", "suppressed"}
    keys = [f["rule"] + f["path"] + str(f["line"]) + f["message"] for f in doc["findings"]]
    assert len(keys) == len(set(keys))
    assert [(f["path"], f["line"], f["rule"]) for f in doc["findings"]] == sorted(
        (f["path"], f["line"], f["rule"]) for f in doc["findings"])
    assert all(not f["path"].startswith("/") for f in doc["findings"])
