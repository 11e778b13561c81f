"""oomlint's effective sysctl values against what systemd-sysctl 252 really wrote.

Every case tree under tests/data/sysctl_load/<case>/ was applied by /lib/systemd/systemd-sysctl
(and by procps ``sysctl --system``) over a fake /proc/sys in a private mount namespace; the
writes are in tests/data/sysctl_load.yaml (re-record with tests/data/record_sysctl_load.py, as
root). ``effective`` there is, per judged key written, the last value the kernel accepts (its
ranges from the kernel source, in the recorder), or null when it refuses every write and keeps
its default. oomlint must give the same value for every judged key, and no value for a key
systemd-sysctl did not (successfully) set.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from oomlint.base.grammar.kernel import kernel_parse_int
from oomlint.model.build import build_host
from oomlint.model.sysctl import JUDGED, SYSCTL_INT_RANGES, glob_keys, kernel_keys
from oomlint.sources.tree import Tree

DATA = Path(__file__).parent / "data"
RECORDED = yaml.safe_load((DATA / "sysctl_load.yaml").read_text())
CASES = sorted(RECORDED["cases"])


def host_of(case: str):
    return build_host(Tree(root=DATA / "sysctl_load" / case), ".")


def expected(effective: dict) -> dict:
    return {k: (kernel_parse_int(v) if v is not None else None) for k, v in effective.items()}


def test_every_case_tree_was_recorded():
    trees = sorted(p.name for p in (DATA / "sysctl_load").iterdir() if p.is_dir())
    assert trees == CASES
    assert RECORDED["systemd_sysctl"].startswith("systemd 252")


@pytest.mark.parametrize("case", CASES)
def test_effective_values_match_systemd_sysctl(case):
    want = expected(RECORDED["cases"][case]["systemd_sysctl"]["effective"])
    h = host_of(case)
    got = {k: h.sysctl[k].value for k in JUDGED if k in h.sysctl}
    assert got == {k: v for k, v in want.items() if v is not None}
    # A refused last write: the kernel keeps its default, and oomlint says why (OOM308).
    refused = {k for k, v in want.items() if v is None}
    assert refused <= {ig.assignment.key for ig in h.sysctl_ignored}


# Where procps `sysctl --system` (procps-ng 4.0.2) ends with other values, and why: it writes
# every line in order and then /etc/sysctl.conf, reads hidden files, and parses keys its own
# way. oomlint follows systemd-sysctl, which applies sysctl.d at boot.
PROCPS_DIFFERS = {
    "conf-linked-later-file": "reads /etc/sysctl.conf again after every sysctl.d file",
    "conf-unlinked": "reads /etc/sysctl.conf without any link",
    "conf-unlinked-usr-lib": "reads /etc/sysctl.conf without any link",
    "glob-brace": "does not expand {a,b} in a glob key",
    "glob-same-value-keeps-place": "writes each glob line in file order",
    "hidden-file": "reads hidden sysctl.d files",
    "key-leading-dash": "'- key' is not the key, '--key' is",
    "key-trailing-slash": "'vm/overcommit_ratio/' is not written",
    "last-refused-dash": "writes every assignment: the earlier accepted one stays",
    "last-refused-empty": "writes every assignment: the earlier accepted one stays",
    "last-refused-range": "writes every assignment: the earlier accepted one stays",
    "last-refused-same-file": "writes every assignment: the earlier accepted one stays",
    "last-refused-text": "writes every assignment: the earlier accepted one stays",
    "value-then-exclusion": "writes the value; a later '-key' does not undo it",
}


def test_where_procps_differs_is_what_the_recording_shows():
    differs = {case for case, c in RECORDED["cases"].items()
               if c["procps"]["effective"] != c["systemd_sysctl"]["effective"]}
    assert differs == set(PROCPS_DIFFERS)


def test_kernel_key_table_ships_the_judged_keys_and_expands_globs():
    keys = {k for _, k in kernel_keys()}
    text = (Path(__file__).parents[1] / "src/oomlint/data/sysctl_keys.txt").read_text()
    assert text.startswith("# sysctl keys") and "Generated " in text and "on Linux " in text
    shipped = {ln for ln in text.splitlines() if ln and not ln.startswith("#")}
    assert shipped >= JUDGED and keys == shipped and set(SYSCTL_INT_RANGES) == JUDGED
    assert len(keys) > 150 and all(k.startswith(("vm.", "kernel.")) for k in keys)
    assert glob_keys("vm.overcommit_memor?") == ["vm.overcommit_memory"]
    assert glob_keys("vm.overcommit_[^r]*") == ["vm.overcommit_kbytes", "vm.overcommit_memory"]
    assert glob_keys("*.panic") == ["kernel.panic"]  # '*' stays inside one path component
    assert "kernel.random.boot_id" in glob_keys("kernel.*.boot_id")
    assert glob_keys("vm*") == []  # a directory, not a key
    assert glob_keys("vm.{swappines?,panic_on_oom}") == ["vm.swappiness", "vm.panic_on_oom"]
    assert glob_keys("vm.overcommit_[!r]*") == ["vm.overcommit_kbytes", "vm.overcommit_memory"]
    assert glob_keys("vm.swappines\\?") == []  # an escaped '?' is literal
    assert glob_keys("vm.[z-a]*") == glob_keys("vm.swappiness{") == []
    assert glob_keys("vm.*" + "{a,b}" * 30) == []  # at most 256 alternatives are tried


def test_glob_strict_overcommit_reaches_the_overcommit_rules():
    h = host_of("glob-question")
    assert h.sysctl["vm.overcommit_memory"].loc.path == "etc/sysctl.d/60-overcommit.conf"
    limit = build_host(Tree(root=DATA / "sysctl_load" / "glob-question"), ".",
                       ram=8 << 30).commit_limit(0)
    assert limit is not None and limit.ratio == 80


_SETTING = re.compile(r"^Setting '/proc/sys/(.*)' to '(.*)'$")


@pytest.mark.parametrize("case", [c for c in CASES if not c.startswith("glob-")])
def test_every_key_written_is_the_key_systemd_sysctl_wrote(case):
    """Key normalization: the keys systemd-sysctl logged writing (found in /proc/sys or not:
    ``vm/swappiness.``, ``vm/ swappiness``, ``-vm/overcommit_memory``) are the keys oomlint
    writes, with the same values."""
    logged = {}
    for line in RECORDED["cases"][case]["systemd_sysctl"]["log"]:
        m = _SETTING.match(line)
        if m:
            logged[m.group(1).translate(str.maketrans("./", "/."))] = m.group(2)
    h = host_of(case)
    written = {k: s.raw for k, s in h.sysctl.items()}
    written.update({ig.assignment.key: ig.assignment.value for ig in h.sysctl_ignored})
    assert written == logged


def test_sysctl_conf_not_applied_is_recorded_and_loose_files_keep_it(tmp_path):
    h = host_of("conf-unlinked")
    assert "vm.swappiness" not in h.sysctl
    assert [(s.key, s.raw, s.loc.path, s.loc.line) for s in h.sysctl_not_applied] == [
        ("vm.swappiness", "5", "etc/sysctl.conf", 1)]
    assert host_of("conf-linked").sysctl_not_applied == []
    # A loose sysctl.conf has no tree around it to tell whether a link exists: applied at
    # the place of 99-sysctl.conf, and not reported.
    conf = tmp_path / "sysctl.conf"
    conf.write_text("vm.swappiness = 5\n")
    loose = build_host(Tree(files={"/etc/sysctl.conf": conf}), "loose", loose=True)
    assert loose.sysctl["vm.swappiness"].value == 5 and loose.sysctl_not_applied == []
