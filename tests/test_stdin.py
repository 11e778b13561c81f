"""`oomlint check - --stdin-filename PATH`: one file read from standard input, checked as
the loose file PATH (an absolute PATH is its path on the host)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint.cli import main
from oomlint.sources.tree import MAX_FILE_BYTES

UNIT = "[Service]\nExecStart=/bin/app\nOOMScoreAdjust=-1000\n"


def check(*args, input=None):
    return CliRunner().invoke(main, ["check", *map(str, args)], input=input,
                              catch_exceptions=False)


@pytest.fixture(autouse=True)
def _cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_stdin_is_checked_like_the_same_loose_file(tmp_path):
    write_tree(tmp_path, {"roles/app/files/app.service": UNIT})
    from_disk = check("roles/app/files/app.service", "--ram", "8G", "--format", "json")
    from_stdin = check("-", "--stdin-filename", "roles/app/files/app.service", "--ram", "8G",
                       "--format", "json", input=UNIT)
    assert from_stdin.exit_code == from_disk.exit_code == 1
    assert from_stdin.stdout == from_disk.stdout
    paths = {f["path"] for f in json.loads(from_stdin.stdout)["findings"]}
    assert paths == {"roles/app/files/app.service"}


def test_absolute_filename_is_the_path_on_the_host():
    r = check("-", "--stdin-filename", "/etc/sysctl.d/60-x.conf", "--ram", "8G",
              "--format", "concise", input="vm.overcommit_memory=2\n")
    assert r.exit_code == 1
    assert r.stdout.startswith("/etc/sysctl.d/60-x.conf:1: OOM302 [warning]")


def test_binary_and_oversized_stdin_are_findings():
    r = check("-", "--stdin-filename", "app.service", "--format", "json",
              input=b"[Service]\n\0\xff")
    assert "OOM002" in {f["rule"] for f in json.loads(r.stdout)["findings"]}
    r = check("-", "--stdin-filename", "app.service", "--format", "json",
              input=b"#" * (MAX_FILE_BYTES + 10))
    assert "OOM004" in {f["rule"] for f in json.loads(r.stdout)["findings"]}


@pytest.mark.parametrize("args, message", [
    (["-"], "go together"),
    (["-", "-", "--stdin-filename", "a.service"], "checked alone"),
    (["--stdin-filename", "a.service", "."], "go together"),
    (["-", "--stdin-filename", "README.md"], "not a file oomlint knows how to read"),
    (["-", "--stdin-filename", "x\n::error::y"], "x\\x0a::error::y"),
])
def test_usage_errors(args, message):
    r = check(*args, input="")
    assert r.exit_code == 2 and message in r.stderr
    assert not any(line.startswith("::") for line in r.stderr.splitlines())
