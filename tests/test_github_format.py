"""`--format github`: workflow-command annotations with GitHub's escaping (actions/toolkit
command.ts: data escapes % CR LF; properties also : and ,)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import write_tree

from oomlint.cli import main
from oomlint.report.escape import github_data, github_lines, github_property

EXAMPLES = Path(__file__).parent.parent / "examples"
IMMORTAL = "[Service]\nExecStart=/bin/app\nOOMScoreAdjust=-1000\nMemoryMax=1G\n"


def gh(*args):
    r = CliRunner().invoke(main, ["check", "--format", "github", *map(str, args)],
                           catch_exceptions=False)
    return r


def test_escaping_of_data_and_properties():
    assert github_data("50% of RAM\r\nnext") == "50%25 of RAM\\x0d\\x0anext"
    assert github_lines(["a%", "b"]) == "a%25%0Ab"
    assert github_property("a:b,c%d") == "a%3Ab%2Cc%25d"
    # Controls and a forged command are shown escaped, never raw.
    assert github_property("x\n::error::y") == "x\\x0a%3A%3Aerror%3A%3Ay"
    assert github_data("\x1b[31m") == "\\x1b[31m"


def test_db_prod_annotations(monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    r = gh("examples/db-prod")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert len(lines) == 11 and all(line.startswith("::") for line in lines)
    assert ("::warning file=examples/db-prod/etc/systemd/system/billing-api.service,line=9,"
            "title=OOM201 unkillable-service::billing-api.service: OOMScoreAdjust=-1000 makes "
            "it immune") in r.stdout
    # A host-level finding has no line; info is a notice; % in a message is encoded.
    assert lines[0].startswith("::warning file=examples/db-prod,title=OOM301 swap-absent::")
    assert any(line.startswith("::notice ") and "OOM209" in line for line in lines)
    oom302 = next(line for line in lines if "OOM302" in line)
    assert "50%25 of RAM" in oom302 and "%0A  = CommitLimit: 4 GiB" in oom302


def test_a_hostile_unit_name_cannot_forge_a_command(tmp_path, monkeypatch):
    name = "x,line=1::%0A\n::error file=README.md::Forged"
    write_tree(tmp_path / "h", {f"etc/systemd/system/{name}.service": IMMORTAL})
    monkeypatch.chdir(tmp_path)
    r = gh("h", "--ram", "8G", "--select=OOM201")
    (line,) = r.stdout.splitlines()
    assert line == ("::warning file=h/etc/systemd/system/x%2Cline=1%3A%3A%250A\\x0a%3A%3Aerror "
                    "file=README.md%3A%3AForged.service,line=3,title=OOM201 unkillable-service::"
                    "x,line=1::%250A\\x0a::error file=README.md::Forged.service: "
                    "OOMScoreAdjust=-1000 makes it immune to the OOM killer; when memory runs out "
                    "the kernel kills the next-largest process instead (often sshd, the journal "
                    "or another service), and a global OOM with nothing else to kill panics the "
                    "box")


def test_clean_run_prints_nothing(tmp_path, monkeypatch):
    write_tree(tmp_path / "h", {"etc/systemd/system/a.service":
                                "[Service]\nExecStart=/bin/app\nMemoryMax=1G\n",
                                "etc/fstab": "/swapfile none swap sw 0 0\n"})
    monkeypatch.chdir(tmp_path)
    r = gh("h", "--ram", "8G", "--select=OOM201")
    assert (r.exit_code, r.stdout) == (0, "")
