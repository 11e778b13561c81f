"""Every rule's fixture trees: tests/checks/<RULE>/{fires,quiet}/ with an expected.yaml.

expected.yaml holds the run's host facts (`ram`, `swap`, optional `options` per rule) and
`expected`, the exact list of (rule, path, line) the rule must report; `quiet` trees expect
none. Only the rule under test runs, through the real pipeline, with the rules listed in an
optional `select` (OOM090 judges a pragma only when a rule it names runs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint_fixture, triples

HERE = Path(__file__).parent / "checks"
CASES = sorted(p for p in HERE.glob("OOM*/*") if (p / "expected.yaml").is_file())


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}-{p.name}")
def test_fixture(case: Path):
    rule = case.parent.name
    exp, result = lint_fixture(case)
    # A check that raised is an OOM099, not a quiet case: no fixture may pass that way.
    crashed = [f.message for f in result.findings if f.rule == "OOM099"]
    assert not result.internal_error and crashed == []
    want = sorted((e["rule"], e["path"], e["line"]) for e in exp.get("expected") or [])
    got = [t for t in triples(result) if t[0] == rule]
    assert got == want
    if case.name.startswith("quiet"):
        assert want == []


def test_every_check_has_fires_and_quiet():
    # OOM004 needs files over 1 MiB / 16 MiB: tests/test_input.py makes them at test time.
    from oomlint.checks import CHECKS, INPUT_RULES

    missing = []
    for rule in [m.RULE for m in CHECKS] + [r for r in INPUT_RULES if r not in ("OOM099", "OOM004")]:
        kinds = {p.name.split("-")[0] for p in HERE.glob(f"{rule}/*")}
        if not {"fires", "quiet"} <= kinds:
            missing.append(rule)
    assert missing == []
