"""What a run keeps is bounded, through the command line: an effective setting keeps the
last 100 assignments it overrode and counts the older ones, a parser keeps the last 101
assignments of a key per file (and says so), and a host's files together are read up to
the host read budget, past which a file is a finding and the rest of the host is checked."""

from __future__ import annotations

import pytest

from .helpers import IMMORTAL, UNIT_DIR, check, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

CONTROL = ("OOM201", f"h/{UNIT_DIR}/control.service", 3)  # proves the rest was checked
MIB = 1024 * 1024


def _adjust_lines(n: int) -> str:
    return "".join(f"OOMScoreAdjust=-{1000 - i % 2}\n" for i in range(n - 1)) + \
        "OOMScoreAdjust=-1000\n"


def test_override_chain_keeps_the_last_100_and_counts_the_rest(cwd):
    # 60 assignments in the fragment, 60 in a drop-in: no file is pathological, the chain is.
    write_tree(cwd / "h", {
        f"{UNIT_DIR}/app.service": "[Service]\nExecStart=/bin/app\n" + _adjust_lines(60),
        f"{UNIT_DIR}/app.service.d/10-more.conf": "[Service]\n" + _adjust_lines(60),
    })
    r = check(cwd / "h", "--select=OOM201,OOM004")
    assert r.exit_code == 1
    (f,) = r.at("OOM201")
    assert (f["path"], f["line"]) == (f"h/{UNIT_DIR}/app.service.d/10-more.conf", 61)
    related = f["related"]
    assert len(related) == 101
    assert related[0]["note"] == "overridden: 19 earlier assignments of OOMScoreAdjust (not kept)"
    assert related[0]["line"] == related[1]["line"] == 22  # the oldest kept: the fragment's 20th
    assert all(x["note"].startswith("overridden: OOMScoreAdjust=-") for x in related[1:])
    assert related[-1] == {"path": f"h/{UNIT_DIR}/app.service.d/10-more.conf", "line": 60,
                           "note": "overridden: OOMScoreAdjust=-1000"}
    assert not r.at("OOM004")


def test_a_key_repeated_in_one_file_is_bounded_and_reported(cwd):
    write_tree(cwd / "h", {
        f"{UNIT_DIR}/app.service": "[Service]\nExecStart=/bin/app\n" + _adjust_lines(5000),
        f"{UNIT_DIR}/control.service": IMMORTAL,
        "etc/sysctl.d/50-many.conf": "vm.overcommit_memory = 0\n" * 3000
        + "vm.overcommit_memory = 1\n",
    })
    r = check(cwd / "h", "--select=OOM201,OOM004,OOM303")
    assert r.exit_code == 1
    app = next(f for f in r.at("OOM201") if f["path"].endswith("app.service"))
    assert app["line"] == 5002  # the last assignment still wins
    assert len(app["related"]) == 101
    assert app["related"][0]["note"] == ("overridden: 4899 earlier assignments of "
                                         "OOMScoreAdjust (not kept)")
    (strict,) = r.at("OOM303")
    assert (strict["path"], strict["line"]) == ("h/etc/sysctl.d/50-many.conf", 3001)
    assert len(strict["related"]) == 101
    assert strict["related"][0]["note"].startswith("overridden: 2900 earlier assignments")
    too_many = sorted((f["path"], f["line"], f["message"]) for f in r.at("OOM004"))
    assert too_many == [
        ("h/etc/sysctl.d/50-many.conf", 0,
         "2900 assignments not kept: a key set more than 101 times in one file "
         "(vm.overcommit_memory most often) is checked with its last 101 assignments"),
        (f"h/{UNIT_DIR}/app.service", 0,
         "4899 assignments not kept: a key set more than 101 times in one file "
         "(OOMScoreAdjust= in [Service] most often) is checked with its last 101 assignments"),
    ]
    assert CONTROL in r.triples()


def test_host_read_budget_skips_the_file_that_would_pass_it(cwd):
    write_tree(cwd / "h", {f"{UNIT_DIR}/control.service": IMMORTAL,
                           "etc/sysctl.d/99-small.conf": "vm.overcommit_memory = 1\n"})
    filler = b"# " + b"x" * 60 + b"\n"
    for name in ("10-a", "20-b", "30-c"):  # 12 MiB each: the third passes 32 MiB
        (cwd / f"h/etc/sysctl.d/{name}.conf").write_bytes(filler * (12 * MIB // len(filler)))
    r = check(cwd / "h", "--select=OOM201,OOM004,OOM303")
    assert r.exit_code == 1
    assert r.triples() == sorted([
        ("OOM004", "h/etc/sysctl.d/30-c.conf", 0),
        CONTROL,
        ("OOM303", "h/etc/sysctl.d/99-small.conf", 1),  # smaller files after it still fit
    ])
    (budget,) = r.at("OOM004")
    assert budget["message"] == "host read budget of 32 MiB exhausted: file not checked"


def test_the_budget_is_per_host(cwd):
    filler = b"# " + b"x" * 60 + b"\n"
    for h in ("h1", "h2"):
        write_tree(cwd / h, {"etc/sysctl.d/99-small.conf": "vm.overcommit_memory = 1\n"})
        for name in ("10-a", "20-b"):  # 30 MiB a host: within its own budget, not a shared one
            (cwd / f"{h}/etc/sysctl.d/{name}.conf").write_bytes(filler * (15 * MIB // len(filler)))
    r = check(cwd / "h1", cwd / "h2", "--select=OOM004,OOM303")
    assert r.triples() == [("OOM303", "h1/etc/sysctl.d/99-small.conf", 1),
                           ("OOM303", "h2/etc/sysctl.d/99-small.conf", 1)]


def test_host_file_budget_stops_reading_and_says_so_once(cwd, monkeypatch):
    from oomlint.sources import tree

    monkeypatch.setattr(tree, "MAX_HOST_FILES", 3)
    write_tree(cwd / "h", {f"{UNIT_DIR}/a{i}.service": IMMORTAL for i in range(6)})
    r = check(cwd / "h", "--select=OOM201,OOM004")
    assert r.exit_code == 1
    # Units are read in name order: a0-a2 are checked, a3 is the one reported, a4 and a5
    # are neither read nor reported again.
    assert r.triples() == sorted([("OOM201", f"h/{UNIT_DIR}/a{i}.service", 3) for i in range(3)]
                                 + [("OOM004", f"h/{UNIT_DIR}/a3.service", 0)])
    (budget,) = r.at("OOM004")
    assert budget["message"] == ("host file budget of 3 files exhausted: this file and every "
                                 "one read after it are not checked")


def test_a_file_of_many_different_keys_keeps_the_judged_ones(cwd, monkeypatch):
    from oomlint.parsers import sysctl

    monkeypatch.setattr(sysctl, "MAX_KEYS_PER_FILE", 3)
    write_tree(cwd / "h", {f"{UNIT_DIR}/control.service": IMMORTAL,
                           "etc/sysctl.d/50-many.conf": "".join(
                               f"kernel.x{i} = 1\n" for i in range(5)) +
                           "vm.overcommit_memory = 1\n"})
    r = check(cwd / "h", "--select=OOM201,OOM004,OOM303")
    # vm.overcommit_memory comes after the cap, and is still judged (OOM303 at line 6).
    assert r.triples() == sorted([("OOM004", "h/etc/sysctl.d/50-many.conf", 0), CONTROL,
                                  ("OOM303", "h/etc/sysctl.d/50-many.conf", 6)])
    (bound,) = r.at("OOM004")
    assert bound["message"] == ("2 assignments not kept: the file sets more than 3 different "
                                "keys; the first 3 and every key oomlint judges are checked")
