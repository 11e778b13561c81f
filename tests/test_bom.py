"""A UTF-8 byte-order mark, handled as systemd 252 and systemd-sysctl handle it.

tests/data/bom/recorded.yaml holds what the real programs said about each case
(tests/data/bom/record.py re-records it): systemd drops a mark that starts a unit file or
drop-in (after looking for a comment, so "\\ufeff# x" is not one); systemd-sysctl and procps
keep it in the key, so the first setting of the file is never applied.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import lint_tree, triples, write_tree

from oomlint.model.build import build_host
from oomlint.sources.tree import Tree

DATA = Path(__file__).parent / "data" / "bom"
RECORDED = __import__("yaml").safe_load((DATA / "recorded.yaml").read_text())
UNIT_DIR = "etc/systemd/system"
# systemd's message -> the rule oomlint reports it with
SYSTEMD_SAYS = {"Invalid memory limit": "OOM203", "Assignment outside of section": "OOM005",
                "Line is not an assignment": "OOM005"}


def _expected(said: list[str], prefix: str) -> list[tuple[str, str, int]]:
    out = []
    for line in said:
        m = re.match(r"(?P<path>[^:]+):(?P<line>\d+): (?P<msg>.*)", line)
        if not m:
            continue
        rule = next(r for text, r in SYSTEMD_SAYS.items() if m["msg"].startswith(text))
        out.append((rule, f"{prefix}/{m['path']}", int(m["line"])))
    return sorted(out)


UNIT_CASES = [n for n in RECORDED["units"] if "/" not in n]


@pytest.mark.parametrize("name", UNIT_CASES)
def test_unit_files_as_systemd_reads_them(tmp_path, name):
    files = {f"{UNIT_DIR}/{n}": case["text"] for n, case in RECORDED["units"].items()
             if n == name or n.startswith(name + ".d/")}
    root = write_tree(tmp_path / "h", files)
    got = triples(lint_tree(root, {"OOM005", "OOM203"}, ram="8G"))
    assert got == _expected(RECORDED["units"][name]["said"], UNIT_DIR)


@pytest.mark.parametrize("name", sorted(RECORDED["sysctl"]))
def test_sysctl_files_as_systemd_sysctl_reads_them(tmp_path, name):
    case = RECORDED["sysctl"][name]
    root = write_tree(tmp_path / "h", {f"etc/sysctl.d/{name}": case["text"]})
    host = build_host(Tree(root=root), ".")
    # The keys systemd-sysctl derived ("Setting '/proc/sys/KEY' to ..."), as oomlint's
    # canonical dotted keys.
    said_keys = {m.group(1).replace("/", ".") for m in
                 (re.match(r"Setting '/proc/sys/([^']+)'", s) for s in case["said"]) if m}
    assert set(host.sysctl) == said_keys
    # The first line never takes effect, and oomlint says so at line 1.
    assert ("OOM005", f"etc/sysctl.d/{name}", 1) in triples(lint_tree(root, {"OOM005"}))
