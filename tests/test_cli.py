"""The command line contract: exit codes, formats, selection, configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint import __version__
from oomlint.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"
IMMORTAL = {
    "etc/systemd/system/app.service": "[Unit]\nDescription=x\n\n[Service]\nExecStart=/bin/app\n"
    "OOMScoreAdjust=-1000\nMemoryMax=1G\n",
    "etc/fstab": "/swapfile none swap sw 0 0\n",
}


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(*args):
        runner = CliRunner()
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_version(cli):
    r = cli("--version")
    assert r.exit_code == 0 and __version__ in r.output


def test_python_dash_m():
    r = subprocess.run([sys.executable, "-m", "oomlint", "--version"], capture_output=True,
                       text=True)
    assert r.returncode == 0 and __version__ in r.stdout


def test_exit_1_on_warning_and_text_format(cli, tmp_path):
    write_tree(tmp_path / "h", IMMORTAL)
    r = cli("check", "h", "--ram", "8G")
    assert r.exit_code == 1
    assert r.output.splitlines()[0] == (
        "h/etc/systemd/system/app.service:6: OOM201 [warning] app.service: OOMScoreAdjust=-1000 "
        "makes it immune to the OOM killer; when memory runs out the kernel kills the "
        "next-largest process instead (often sshd, the journal or another service), and a "
        "global OOM with nothing else to kill panics the box")
    assert "oomlint rule ID" in r.output


def test_fail_on_levels(cli, tmp_path):
    write_tree(tmp_path / "h", IMMORTAL)
    assert cli("check", "h", "--fail-on", "error").exit_code == 0
    assert cli("check", "h", "--fail-on", "never").exit_code == 0
    assert cli("check", "h", "--fail-on", "info").exit_code == 1


def test_exit_0_clean(cli):
    r = cli("check", EXAMPLES / "healthy")
    assert r.exit_code == 0, r.output
    assert "No findings." in r.output


def test_json_contract(cli, tmp_path):
    write_tree(tmp_path / "h", IMMORTAL)
    r = cli("check", "h", "--format", "json", "--ram", "8G")
    doc = json.loads(r.output)
    assert doc["version"] == 1
    f = doc["findings"][0]
    assert set(f) >= {"rule", "name", "severity", "host", "path", "line", "message", "related"}
    assert (f["rule"], f["name"], f["severity"], f["host"], f["path"], f["line"]) == (
        "OOM201", "unkillable-service", "warning", "h", "h/etc/systemd/system/app.service", 6)


def test_output_is_deterministic(cli):
    a = cli("check", EXAMPLES / "db-prod", "--format", "json").output
    b = cli("check", EXAMPLES / "db-prod", "--format", "json").output
    assert a == b


@pytest.mark.parametrize("sel,expect", [
    (["--select", "OOM3"], {"OOM301"}),
    (["--select", "unkillable-service"], {"OOM201"}),
    (["--ignore", "OOM2"], {"OOM301"}),
    (["--select", "OOM201,OOM301"], {"OOM201", "OOM301"}),
])
def test_select_ignore(cli, tmp_path, sel, expect):
    write_tree(tmp_path / "h", {**IMMORTAL, "etc/fstab": "# none\n"})
    r = cli("check", "h", "--format", "json", "--ram", "8G", *sel)
    assert {f["rule"] for f in json.loads(r.output)["findings"]} == expect


def test_unknown_rule_is_usage_error(cli, tmp_path):
    write_tree(tmp_path / "h", IMMORTAL)
    r = cli("check", "h", "--select", "OOM999")
    assert r.exit_code == 2 and "OOM999" in r.output


def test_missing_path_is_usage_error(cli):
    assert cli("check", "does-not-exist").exit_code == 2


def test_bad_ram_is_usage_error(cli, tmp_path):
    write_tree(tmp_path / "h", IMMORTAL)
    assert cli("check", "h", "--ram", "lots").exit_code == 2


def test_config_file_found_upward(cli, tmp_path, monkeypatch):
    write_tree(tmp_path / "h", IMMORTAL)
    (tmp_path / "pyproject.toml").write_text('[tool.oomlint]\nignore = ["OOM201"]\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    r = cli("check", tmp_path / "h")
    assert r.exit_code == 0, r.output


def test_config_rule_options_and_severity(cli, tmp_path):
    write_tree(tmp_path / "h", IMMORTAL)
    (tmp_path / ".oomlint.toml").write_text(
        '[rules.OOM201]\nseverity = "error"\n\n[rules.memory-max-missing]\nallow_units = []\n')
    r = cli("check", "h", "--format", "json", "--ram", "8G")
    assert json.loads(r.output)["findings"][0]["severity"] == "error"
    (tmp_path / ".oomlint.toml").write_text('[rules.OOM201]\nallow_units = ["app.service"]\n')
    assert cli("check", "h").exit_code == 0


@pytest.mark.parametrize("text,key", [
    ("colour = 1\n", "colour"),
    ('fail-on = "sometimes"\n', "fail-on"),
    ('ram = "lots"\n', "ram"),
    ('[rules.OOM201]\nallow_units = "app.service"\n', "allow_units"),
    ('[rules.OOM201]\nwhatever = 1\n', "whatever"),
    ('[rules.OOM999]\nseverity = "error"\n', "OOM999"),
    ('select = ["OOM999"]\n', "OOM999"),
    ("not toml [\n", "invalid TOML"),
])
def test_bad_config_is_exit_2_naming_the_key(cli, tmp_path, text, key):
    write_tree(tmp_path / "h", IMMORTAL)
    (tmp_path / ".oomlint.toml").write_text(text)
    r = cli("check", "h")
    assert r.exit_code == 2 and key in r.output, r.output


def test_config_per_path_ignores(cli, tmp_path):
    write_tree(tmp_path / "h", IMMORTAL)
    (tmp_path / ".oomlint.toml").write_text(
        '[per-path-ignores]\n"h/etc/systemd/system/*.service" = ["OOM201"]\n')
    r = cli("check", "h", "--format", "json", "--ram", "8G")
    doc = json.loads(r.output)
    assert doc["findings"] == [] and doc["suppressed"][0]["rule"] == "OOM201"


def test_config_per_path_ignores_tree_path(cli, tmp_path):
    # the same glob written as the path inside the tree
    write_tree(tmp_path / "h", IMMORTAL)
    (tmp_path / ".oomlint.toml").write_text(
        '[per-path-ignores]\n"etc/systemd/system/*.service" = ["OOM201"]\n')
    doc = json.loads(cli("check", "h", "--format", "json", "--ram", "8G").output)
    assert doc["findings"] == []
    assert [(s["rule"], s["path"], s["justification"]) for s in doc["suppressed"]] == [
        ("OOM201", "h/etc/systemd/system/app.service",
         "per-path-ignores: etc/systemd/system/*.service")]


def test_loose_unit_file(cli, tmp_path):
    p = tmp_path / "app.service"
    p.write_text(IMMORTAL["etc/systemd/system/app.service"])
    r = cli("check", "app.service", "--format", "json")
    doc = json.loads(r.output)
    assert [(f["rule"], f["path"], f["line"]) for f in doc["findings"]] == [
        ("OOM201", "app.service", 6)]


def test_loose_templated_unit(cli, tmp_path):
    p = tmp_path / "app.service.j2"
    p.write_text("[Service]\nExecStart=/bin/app\nMemoryMax={{ app_memory_max }}\n")
    r = cli("check", "app.service.j2", "--format", "json")
    rules = [f["rule"] for f in json.loads(r.output)["findings"]]
    assert rules == ["OOM007"]  # unknown value, not invalid and not missing
    assert r.exit_code == 0


def test_rules_and_rule(cli):
    r = cli("rules")
    assert r.exit_code == 0 and "OOM201" in r.output and "unkillable-service" in r.output
    r = cli("rule", "OOM201")
    assert r.exit_code == 0 and "Why" in r.output and "References" in r.output
    assert cli("rule", "swap-absent").exit_code == 0
    assert cli("rule", "OOM999").exit_code == 2


def test_internal_error_is_exit_2(cli, tmp_path, monkeypatch):
    from oomlint.checks import oom201_unkillable_service as mod

    def boom(host, opts):
        raise RuntimeError("kaboom")
        yield

    monkeypatch.setattr(mod, "check", boom)
    write_tree(tmp_path / "h", IMMORTAL)
    r = cli("check", "h", "--format", "json")
    assert r.exit_code == 2
    rules = {f["rule"] for f in json.loads(r.output)["findings"]}
    assert "OOM099" in rules and "OOM301" not in rules or "OOM099" in rules


def test_inline_suppression_with_reason(cli, tmp_path):
    unit = IMMORTAL["etc/systemd/system/app.service"].replace(
        "OOMScoreAdjust=-1000", "# oomlint: disable=OOM201 -- VPN gateway must survive\n"
        "OOMScoreAdjust=-1000")
    write_tree(tmp_path / "h", {**IMMORTAL, "etc/systemd/system/app.service": unit})
    r = cli("check", "h", "--format", "json", "--ram", "8G")
    doc = json.loads(r.output)
    assert r.exit_code == 0
    assert doc["suppressed"][0]["justification"] == "VPN gateway must survive"
