"""Precision test: oomlint on a stock Debian 12 configuration tree.

tests/data/debian-stock/ holds systemd units, drop-ins, sysctl files and
system.conf exactly as shipped by ~40 real Debian bookworm packages (see
PACKAGES.txt there; rebuild with tests/data/make_debian_stock.sh). Vendor files
are not the administrator's doing, so oomlint must not warn about them. The
only acceptable warnings are host-level facts about the tree as a whole, such
as "no swap is configured" (nothing in the tree sets up swap).
"""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path

import pytest

TREE = Path(__file__).parent / "data" / "debian-stock"

# Rules that describe the host as a whole rather than a vendor file.
HOST_LEVEL_RULES = {"OOM301"}  # swap-absent

UNIT_SUFFIXES = (
    ".service", ".socket", ".timer", ".target", ".mount", ".automount",
    ".path", ".slice", ".scope", ".swap", ".device",
)


def _require_tree() -> None:
    if not TREE.is_dir():
        pytest.skip(f"{TREE} is missing; run tests/data/make_debian_stock.sh")


def _cli_runner():
    from click.testing import CliRunner

    # Keep stderr out of the JSON: Click < 8.2 mixes it into .output unless told
    # not to; Click >= 8.2 has no mix_stderr and always keeps .stdout pure.
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


def test_debian_stock_no_vendor_warnings(monkeypatch, tmp_path):
    _require_tree()
    from oomlint.cli import main

    # Run from an empty directory so no .oomlint.toml / pyproject.toml
    # [tool.oomlint] from the repository can select or ignore rules.
    monkeypatch.chdir(tmp_path)
    result = _cli_runner().invoke(
        main,
        ["check", str(TREE), "--format", "json", "--ram", "8G", "--fail-on", "never"],
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output

    report = json.loads(result.stdout)
    assert report["version"] == 1
    findings = report["findings"]

    by_rule = collections.Counter(
        (f["rule"], f.get("name", ""), f["severity"]) for f in findings
    )
    print(f"\noomlint on {TREE.name}: {len(findings)} finding(s)")
    for (rule, name, severity), count in sorted(by_rule.items()):
        print(f"  {rule} {name:<32} {severity:<8} {count}")

    unexpected = [
        f for f in findings
        if f["severity"] in ("warning", "error") and f["rule"] not in HOST_LEVEL_RULES
    ]
    assert not unexpected, "false positives on vendor files:\n" + "\n".join(
        f"  {f['rule']} {f['severity']} {f.get('path')}:{f.get('line')}: {f.get('message')}"
        for f in unexpected
    )


def test_debian_stock_tree_is_nontrivial():
    _require_tree()
    units = []
    for dirpath, _dirnames, filenames in os.walk(TREE, followlinks=False):
        for name in filenames:
            path = Path(dirpath) / name
            if name.endswith(UNIT_SUFFIXES) and not path.is_symlink() and path.is_file():
                units.append(path)
    assert len(units) >= 200, f"only {len(units)} unit files under {TREE}"
