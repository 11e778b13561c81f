"""Start-up stays small: `--version` answered before click is imported, each command
importing only its own pipeline, and the faster spellings of slow-to-compile regexes
matching exactly what the originals did. (No timings here: bench/speed.py prints them.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from oomlint.cli import main
from oomlint.parsers import postgresql_conf

SRC = Path(__file__).resolve().parent.parent / "src"
UNIT = Path(__file__).resolve().parent / "data/debian-stock/lib/systemd/system/cron.service"


def _modules_after(*argv: str, **env_vars: str) -> tuple[str, set[str]]:
    """stdout and the modules imported by `python -m oomlint ARGV` in a fresh interpreter
    (`env_vars` added to its environment)."""
    code = ("import atexit, json, sys\n"
            "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules))))\n"
            "sys.argv = ['oomlint', *sys.argv[1:]]\n"
            "import runpy\n"
            "runpy.run_module('oomlint', run_name='__main__')\n")
    env = dict(os.environ, PYTHONPATH=str(SRC), **env_vars)
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          env=env)
    modules = json.loads(proc.stderr.rsplit("MODULES ", 1)[1])
    return proc.stdout, set(modules)


def test_version_fast_path_matches_click():
    out, modules = _modules_after("--version")
    assert out == CliRunner().invoke(main, ["--version"], prog_name="oomlint").output
    assert "click" not in modules
    assert not [m for m in modules if m.startswith("oomlint.") and m != "oomlint.__main__"]


def test_check_imports_only_its_pipeline():
    out, modules = _modules_after("check", str(UNIT))
    assert "No findings" in out
    for unused in ("oomlint.parsers.kernel_oom", "oomlint.analysis.explain",
                   "oomlint.report.budget_text", "oomlint.report.budget_json",
                   "oomlint.report.explain_text", "oomlint.report.explain_json",
                   "oomlint.report.json", "oomlint.sources.logs"):
        assert unused not in modules, unused
    assert "oomlint.report.full" in modules


def test_help_imports_no_pipeline():
    _, modules = _modules_after("--help")
    for unused in ("oomlint.engine", "oomlint.model.build", "oomlint.checks",
                   "oomlint.parsers.kernel_oom", "oomlint.report.full", "yaml"):
        assert unused not in modules, unused


def test_formats_resolve_lazily_to_the_render_functions():
    from oomlint.report import BUDGET_FORMATS, EXPLAIN_FORMATS, FORMATS, full
    from oomlint.report import json as json_report

    assert sorted(FORMATS) == ["concise", "full", "github", "json", "sarif", "text"]
    assert FORMATS["full"] is full.render
    assert FORMATS["text"] is full.render and FORMATS["json"] is json_report.render
    assert sorted(BUDGET_FORMATS) == sorted(EXPLAIN_FORMATS) == ["json", "text"]


def test_postgresql_letter_classes_match_guc_file_l_on_every_code_point():
    """guc-file.l's LETTER classes as first written, against the complement spellings the
    parser compiles (the originals compile a bitmap of all of Unicode: 45 ms)."""
    letter = r"A-Za-z_\x80-\U0010ffff"
    pairs = [(rf"[{letter}]", postgresql_conf._LETTER),
             (rf"[{letter}0-9]", postgresql_conf._LETTER_DIGIT),
             (rf"[{letter}0-9\-._:/]", postgresql_conf._UNQUOTED_CHAR)]
    every = "".join(map(chr, range(0x110000)))
    for original, fast in pairs:
        assert re.findall(original, every) == re.findall(fast, every), fast


def test_a_checkout_reads_its_compiled_catalogue_and_imports_no_yaml():
    """src/oomlint/_catalog.json is current (tests/test_catalog_load.py): neither `rules`
    nor `check` parses rules/*.yaml or imports PyYAML."""
    for argv in (("rules",), ("check", str(UNIT))):
        _, modules = _modules_after(*argv)
        assert "yaml" not in modules, argv


def test_rules_imports_no_model_and_no_configuration_parser():
    """The CLI imports oomlint.config for every command; the budget's Assumptions (and the
    host model behind them), the host specs and tomllib come in only when a configuration
    is loaded."""
    out, modules = _modules_after("rules")
    assert "OOM201" in out
    for unused in ("oomlint.analysis.budget", "oomlint.model.host", "oomlint.sources.hosts",
                   "tomllib", "oomlint.engine"):
        assert unused not in modules, unused
