"""The pre-commit hook (.pre-commit-hooks.yaml) and the GitHub Action (action.yml with its
run script scripts/github-action.sh), exercised as far as they can be without pre-commit or
GitHub: the hook's entry and args run as pre-commit would run them, and the action's script
runs against examples/ with the environment action.yml gives it."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src"
ENV = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1"}
ENV.pop("GITHUB_OUTPUT", None)


def _oomlint_cmd() -> list[str]:
    """The console script the hook's entry names, as this test environment runs it."""
    return [sys.executable, "-m", "oomlint"]


def test_hook_definition():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "oomlint" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    script = shlex.split(hook["entry"])[0]
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'{script} = "oomlint.__main__:main"' in pyproject  # the console script pip installs


@pytest.mark.parametrize("example, code", [("db-prod", 1), ("healthy", 0)])
def test_hook_entry_runs_on_a_repository(tmp_path, example, code):
    """pre-commit runs `entry args` in the repository root: here a repository laid out like
    / (a copy of an example)."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / example, repo)
    argv = _oomlint_cmd() + shlex.split(hook["entry"])[1:] + hook["args"]
    p = subprocess.run(argv, cwd=repo, capture_output=True, text=True, env=ENV)
    assert p.returncode == code, p.stdout + p.stderr
    last = p.stdout.splitlines()[-1]
    assert last == "No findings." if code == 0 else re.match(r"\d+ findings \(", last)


def _action_steps():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    return action, action["runs"]["steps"]


def test_action_definition():
    action, steps = _action_steps()
    run = next(s for s in steps if s.get("id") == "run")
    assert run["run"] == 'bash "$GITHUB_ACTION_PATH/scripts/github-action.sh"'
    assert (ROOT / "scripts" / "github-action.sh").is_file()
    # Inputs reach shell code through env only: no expression inside a `run:` text.
    for step in steps:
        assert "${{" not in step.get("run", ""), step
    script = (ROOT / "scripts" / "github-action.sh").read_text()
    for var in run["env"]:
        assert var in script, var
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ steps.run.outputs.sarif-file }}"
    assert set(action["outputs"]) == {"exit-code", "sarif-file"}


def _run_action(tmp_path, cwd=ROOT, **env):
    out = tmp_path / "github_output"
    out.write_text("")
    e = {**ENV, "OOMLINT_INSTALL": "false", "OOMLINT_CMD": f"{sys.executable} -m oomlint",
         "GITHUB_OUTPUT": str(out), **env}
    p = subprocess.run(["bash", str(ROOT / "scripts" / "github-action.sh")], cwd=cwd,
                       capture_output=True, text=True, env=e)
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
    return p, outputs


def test_action_script_on_db_prod(tmp_path):
    sarif = tmp_path / "oomlint.sarif"
    p, outputs = _run_action(tmp_path, OOMLINT_PATHS="examples/db-prod",
                             OOMLINT_SARIF=str(sarif), OOMLINT_ANNOTATIONS="true")
    assert p.returncode == 0, p.stderr  # the action's last step fails the job, after upload
    assert outputs == {"exit-code": "1", "sarif-file": str(sarif)}
    assert p.stdout.startswith("::warning file=examples/db-prod,title=OOM301 swap-absent::")
    doc = json.loads(sarif.read_text())
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())
    assert len(doc["runs"][0]["results"]) == 11


def test_action_script_clean_and_fail_on(tmp_path):
    p, outputs = _run_action(tmp_path, OOMLINT_PATHS="examples/healthy",
                             OOMLINT_SARIF=str(tmp_path / "a.sarif"))
    assert outputs["exit-code"] == "0" and p.stdout == "No findings.\n"
    p, outputs = _run_action(tmp_path, OOMLINT_PATHS="examples/db-prod", OOMLINT_FAIL_ON="never",
                             OOMLINT_SARIF=str(tmp_path / "b.sarif"))
    assert outputs["exit-code"] == "0" and "11 findings" in p.stdout


def test_action_script_with_a_baseline(tmp_path):
    baseline = tmp_path / "b.json"
    subprocess.run(_oomlint_cmd() + ["check", "examples/db-prod", "--write-baseline",
                                     str(baseline), "-q"], cwd=ROOT, env=ENV, check=True,
                   capture_output=True)
    p, outputs = _run_action(tmp_path, OOMLINT_PATHS="examples/db-prod",
                             OOMLINT_BASELINE=str(baseline), OOMLINT_SARIF=str(tmp_path / "c.sarif"))
    assert outputs["exit-code"] == "0" and p.stdout == "No findings. 11 baselined.\n"


def test_action_script_usage_error_is_2(tmp_path):
    p, outputs = _run_action(tmp_path, OOMLINT_PATHS="examples/db-prod", OOMLINT_ARGS="--bogus",
                             OOMLINT_SARIF=str(tmp_path / "d.sarif"))
    assert outputs == {"exit-code": "2"}  # no SARIF: nothing to upload


def test_action_script_with_empty_paths_checks_the_configured_hosts(tmp_path):
    """`paths: ""` runs `oomlint check` with no path: every host of examples/infra's
    .oomlint.toml, findings pointing into the role templates."""
    sarif = tmp_path / "oomlint.sarif"
    p, outputs = _run_action(tmp_path, cwd=ROOT / "examples" / "infra", OOMLINT_PATHS="",
                             OOMLINT_SARIF=str(sarif))
    assert p.returncode == 0, p.stderr
    assert outputs["exit-code"] == "1", p.stdout + p.stderr
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(sarif.read_text())["runs"][0]["results"]}
    assert "roles/mysql/templates/my.cnf.j2" in uris
