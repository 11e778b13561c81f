"""`oomlint check` output options: --format full|text|concise|json|sarif|github, -o/--output,
several --format/--output pairs (paired in order), --statistics, --quiet, --color/NO_COLOR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"
UNIT = "etc/systemd/system/app.service"
TREE = {UNIT: "[Service]\nExecStart=/bin/app\nOOMScoreAdjust=-1000\n",
        "etc/fstab": "/swapfile none swap sw 0 0\n"}


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "h", TREE)

    def invoke(*args, env=None):
        return CliRunner().invoke(main, ["check", "h", "--ram", "8G", *map(str, args)],
                                  catch_exceptions=False, env=env)

    return invoke


def test_full_is_the_default_and_text_its_alias(cli):
    default, full, text = cli(), cli("--format", "full"), cli("--format", "text")
    assert default.stdout == full.stdout == text.stdout
    assert "h/etc/systemd/system/app.service:3: OOM201 [warning]" in full.stdout
    assert full.exit_code == 1


def test_concise_is_one_line_per_finding(cli):
    full, concise = cli(), cli("--format", "concise")
    lines = concise.stdout.splitlines()
    assert lines[-1] == "2 findings (2 warning)"
    assert lines[:-1] == [line for line in full.stdout.splitlines() if ": OOM" in line
                          and line.startswith("h/")]
    assert len(lines) == 3 and concise.exit_code == 1


def test_one_format_to_a_file(cli, tmp_path):
    r = cli("--format", "json", "-o", "out.json")
    assert r.exit_code == 1 and r.stdout == ""
    doc = json.loads((tmp_path / "out.json").read_text("utf-8"))
    assert {f["rule"] for f in doc["findings"]} == {"OOM201", "OOM202"}


def test_pairs_in_order(cli, tmp_path):
    r = cli("--format", "full", "--format", "sarif", "--format", "github",
            "-o", "-", "-o", "out.sarif", "--output", "gh.txt")
    assert r.exit_code == 1
    assert r.stdout == cli().stdout
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"
    assert (tmp_path / "gh.txt").read_text().startswith("::warning file=h/")


@pytest.mark.parametrize("args, message", [
    (["--format", "full", "--format", "sarif"], "2 --format options need 2 --output"),
    (["--format", "full", "--format", "sarif", "-o", "a"], "2 --format options need 2"),
    (["--format", "full", "-o", "a", "-o", "b"], "one --format takes one --output"),
    (["--format", "full", "--format", "json", "-o", "-", "-o", "-"], "only one --format"),
    (["--format", "full", "--format", "json", "-o", "a", "-o", "a"], "given once"),
    (["--format", "yaml"], "Invalid value"),
])
def test_bad_pairings_are_usage_errors(cli, args, message):
    r = cli(*args)
    assert r.exit_code == 2 and message in r.stderr


def test_unwritable_output_is_exit_2(cli, tmp_path):
    r = cli("--format", "json", "-o", tmp_path / "missing" / "out.json")
    assert r.exit_code == 2 and "cannot write" in r.stderr


def test_statistics(cli):
    r = cli("--statistics")
    assert r.stdout.splitlines() == ["1  OOM201  unkillable-service  [warning]",
                                     "1  OOM202  memory-max-missing  [warning]",
                                     "2 findings (2 warning)"]
    assert r.exit_code == 1
    # Machine formats are not changed by --statistics.
    assert cli("--statistics", "--format", "json").stdout == cli("--format", "json").stdout


def test_quiet(cli, tmp_path):
    q = cli("--quiet", "--format", "concise")
    assert len(q.stdout.splitlines()) == 2 and "findings" not in q.stdout
    assert "Explain a rule" not in cli("-q").stdout
    clean = CliRunner().invoke(main, ["check", "h", "--ram", "8G", "--select=OOM209", "-q"])
    assert (clean.exit_code, clean.stdout) == (0, "")


def test_colour(cli):
    plain = cli("--format", "concise")
    assert "\x1b[" not in plain.stdout  # not a terminal
    always = cli("--format", "concise", "--color", "always")
    assert "[\x1b[1;33mwarning\x1b[0m]" in always.stdout
    assert always.stdout.replace("\x1b[1;33m", "").replace("\x1b[1m", "").replace(
        "\x1b[0m", "") == plain.stdout
    # Machine formats never get colour.
    assert "\x1b" not in cli("--format", "json", "--color", "always").stdout
    assert "\x1b" not in cli("--color", "never").stdout


def test_colour_auto_follows_the_terminal_and_no_color(cli, monkeypatch):
    import oomlint.cli as cli_mod

    class Tty:
        def isatty(self):
            return True

    monkeypatch.setattr(cli_mod.sys, "stdout", Tty())
    assert cli_mod._use_color("auto", "-") is True
    assert cli_mod._use_color("auto", "out.txt") is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli_mod._use_color("auto", "-") is False
    assert cli_mod._use_color("always", "-") is True
    assert cli_mod._use_color("never", "-") is False


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "sarif", "github"])
def test_every_format_runs_on_the_examples(monkeypatch, fmt):
    monkeypatch.chdir(EXAMPLES.parent)
    for ex in ("db-prod", "healthy", "jvm-apps"):
        r = CliRunner().invoke(main, ["check", f"examples/{ex}", "--format", fmt],
                               catch_exceptions=False)
        assert r.exit_code in (0, 1), (ex, r.output)
        if fmt in ("json", "sarif"):
            json.loads(r.stdout)
