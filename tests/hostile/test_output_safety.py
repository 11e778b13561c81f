"""Forged output: file names and values are printed escaped, so a terminal or a CI runner
reading the log (GitHub Actions ``::error ...::``, Azure ``##vso[...]``) never acts on them.

Text shows C0 controls (``\\n``, ``\\t`` too), DEL, C1 controls, U+2028/U+2029, bidi
overrides and lone surrogates as ``\\xNN`` / ``\\uNNNN`` (an undecodable byte 0xff as
``\\xff``); no output line begins with input text; JSON is valid UTF-8 with the same
``\\xNN`` text for an undecodable byte; long lists are capped in text and complete in JSON.

click's test runner decodes what the command printed with ``errors="replace"``, so a U+FFFD
in `Run.stdout` would mean invalid UTF-8 (no input here contains one); without it the string
encodes back to exactly the bytes printed. One test runs the real command in a fresh
interpreter and checks the bytes of its pipes directly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import oomlint as oomlint_package
from oomlint.analysis.budget import HostBudget, ServiceBudget
from oomlint.base.findings import Term
from oomlint.base.provenance import Loc
from oomlint.report import budget_json, budget_text

from .helpers import IMMORTAL, UNIT_DIR, oomlint, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

# (case, unit name without .service, as text shows it, as JSON carries it)
NAMES = [
    ("newline-annotation", "x\n::error file=README.md,line=1::Forged annotation",
     "x\\x0a::error file=README.md,line=1::Forged annotation",
     "x\n::error file=README.md,line=1::Forged annotation"),
    ("newline-vso", "n\n##vso[task.setvariable variable=x]1",
     "n\\x0a##vso[task.setvariable variable=x]1", "n\n##vso[task.setvariable variable=x]1"),
    ("csi-clear", "a\x1b[2Jb", "a\\x1b[2Jb", "a\x1b[2Jb"),
    ("osc-title", "t\x1b]0;pwned\x07", "t\\x1b]0;pwned\\x07", "t\x1b]0;pwned\x07"),
    ("osc-8-link", "l\x1b]8;;https:evil\x1b\\click\x1b]8;;\x1b\\",
     "l\\x1b]8;;https:evil\\x1b\\click\\x1b]8;;\\x1b\\",
     "l\x1b]8;;https:evil\x1b\\click\x1b]8;;\x1b\\"),
    ("backspace", "bs\x08\x08ok", "bs\\x08\\x08ok", "bs\x08\x08ok"),
    ("tab-cr", "tab\tcr\r", "tab\\x09cr\\x0d", "tab\tcr\r"),
    ("c1", "c1\x9b31m\x80\x9f", "c1\\x9b31m\\x80\\x9f", "c1\x9b31m\x80\x9f"),
    ("del", "del\x7f", "del\\x7f", "del\x7f"),
    ("byte-ff", "ff\udcff", "ff\\xff", "ff\\xff"),
    ("line-separators", "ls\u2028x\u2029y\x85z", "ls\\u2028x\\u2029y\\x85z",
     "ls\u2028x\u2029y\x85z"),
    ("bidi", "bidi\u202egnp\u2066x\u2069", "bidi\\u202egnp\\u2066x\\u2069",
     "bidi\u202egnp\u2066x\u2069"),
    ("backslash-and-unicode", "b\\x41é", "b\\x41é", "b\\x41é"),
]
IDS = [case for case, *_ in NAMES]
# Host directories whose names a CI runner would read as a command at the start of a line.
HOSTS = [("::error file=README.md,line=1::Forged", "\\x3a:error file=README.md,line=1::Forged"),
         ("##vso[task.complete result=Failed]", "\\x23#vso[task.complete result=Failed]")]
BAD_STARTS = ("::", "##")


def _unit_tree(root, name):
    return write_tree(root, {f"{UNIT_DIR}/{name}.service": IMMORTAL})


def _plain(shown: str) -> str:
    """A plain name as long as `shown`, so that tables keep the same widths."""
    return "p" * len(shown)


# Every format of `oomlint check` (text is full's alias).
CHECK_FORMATS = ("full", "concise", "json", "sarif", "github")
# What a line of `--format github` is: our own command, then properties and data.
GITHUB_LINE = re.compile(r"::(error|warning|notice) file=[^:,\r\n]+(,line=\d+)?,title=OOM\d{3} [a-z0-9-]+::")


def _runs(host, *select):
    runs = {"check text": oomlint("check", host, "--ram", "8G", *select),
            "budget text": oomlint("budget", host, "--ram", "8G"),
            "budget json": oomlint("budget", host, "--ram", "8G", "--format", "json")}
    for fmt in CHECK_FORMATS:
        runs[f"check {fmt}"] = oomlint("check", host, "--ram", "8G", "--format", fmt, *select)
    return runs


def _assert_no_forged_line(runs):
    for what, r in runs.items():
        assert "\ufffd" not in r.stdout + r.stderr, what
        if what == "check github":  # every line is an annotation of ours, whole
            assert all(GITHUB_LINE.match(line) for line in r.stdout.splitlines()), r.stdout
            assert "\r" not in r.stdout and "\x1b" not in r.stdout
            for line in r.stderr.split("\n"):
                assert not line.startswith(BAD_STARTS), (what, line)
            continue
        for line in (r.stdout + r.stderr).split("\n"):
            assert not line.startswith(BAD_STARTS), (what, line)


@pytest.mark.parametrize("name, text, _json", [n[1:] for n in NAMES], ids=IDS)
def test_text_shows_the_name_escaped(cwd, name, text, _json):
    """The whole output is the output for a plain name of the same length, with the name
    replaced by its escaped form: in the finding line, its message, the term table, the
    budget's service table and term list."""
    plain = _plain(text)
    runs = {}
    for unit in (plain, name):
        shutil.rmtree(cwd / "h", ignore_errors=True)
        _unit_tree(cwd / "h", unit)
        runs[unit] = [oomlint("check", "h", "--ram", "512M", "--select=OOM201,OOM101"),
                      oomlint("budget", "h", "--ram", "512M")]
    for want, got in zip(runs[plain], runs[name]):
        assert plain in want.stdout and "(unit)" in want.stdout  # with the term table
        assert got.stdout.encode("utf-8") == want.stdout.replace(plain, text).encode("utf-8")
        assert (got.exit_code, got.stderr) == (want.exit_code, "")


def test_text_bytes_of_a_forged_annotation(cwd):
    _unit_tree(cwd / "h", NAMES[0][1])
    r = oomlint("check", "h", "--ram", "8G", "--select=OOM201")
    assert r.stdout.encode("utf-8").split(b"\n")[0] == (
        b"h/etc/systemd/system/x\\x0a::error file=README.md,line=1::Forged annotation.service:3:"
        b" OOM201 [warning] x\\x0a::error file=README.md,line=1::Forged annotation.service:"
        b" OOMScoreAdjust=-1000 makes it immune to the OOM killer; when memory runs out the"
        b" kernel kills the next-largest process instead (often sshd, the journal or another"
        b" service), and a global OOM with nothing else to kill panics the box")


@pytest.mark.parametrize("name, _text, shown", [n[1:] for n in NAMES], ids=IDS)
def test_json_is_valid_utf8_and_keeps_unicode(cwd, name, _text, shown):
    """JSON escapes controls itself; only an undecodable byte becomes ``\\xNN`` text."""
    _unit_tree(cwd / "h", name)
    path = f"h/{UNIT_DIR}/{shown}.service"
    r = oomlint("check", "h", "--ram", "512M", "--format", "json", "--select=OOM201,OOM101")
    assert "\ufffd" not in r.stdout
    doc = json.loads(r.stdout.encode("utf-8").decode("utf-8"))
    (f201,) = [f for f in doc["findings"] if f["rule"] == "OOM201"]
    assert (f201["path"], f201["subject"]) == (path, [f"{shown}.service", "OOMScoreAdjust"])
    assert f201["message"].startswith(f"{shown}.service: OOMScoreAdjust=-1000 makes it immune")
    (f101,) = [f for f in doc["findings"] if f["rule"] == "OOM101"]
    assert f101["calc"]["terms"][0] == {"label": f"{shown}.service (unit)", "bytes": 1 << 30,
                                        "path": path, "line": 4}
    b = oomlint("budget", "h", "--ram", "1G", "--format", "json")
    (service,) = json.loads(b.stdout.encode("utf-8").decode("utf-8"))["hosts"][0]["services"]
    assert (service["name"], service["limit"]) == (f"{shown}.service", {"path": path, "line": 4})


def test_byte_ff_in_json_is_the_text_backslash_xff(cwd):
    _unit_tree(cwd / "h", "ff\udcff")
    r = oomlint("check", "h", "--ram", "8G", "--format", "json", "--select=OOM201")
    assert '"path": "h/etc/systemd/system/ff\\\\xff.service"' in r.stdout
    assert json.loads(r.stdout)["findings"][0]["path"] == "h/etc/systemd/system/ff\\xff.service"


HOSTILE_VALUES = ("[Service]\nExecStart=/bin/app\n"
                  "OOMScoreAdjust=\x1b[2Jbad\n"
                  "MemoryMax=1G\x1b]0;pwned\x07\n"
                  "MemoryHigh=1G\u2028\x85\u202e\x9b\x7f\tx\n")


def test_values_in_messages_are_escaped_once(cwd):
    """A value quoted in the middle of a message and the same value shown as written read
    the same: the formatter escapes the whole message once."""
    write_tree(cwd / "h", {f"{UNIT_DIR}/v.service": HOSTILE_VALUES})
    r = oomlint("check", "h", "--ram", "8G", "--select=OOM203")
    assert r.stdout.split("\n")[:3] == [
        "h/etc/systemd/system/v.service:3: OOM203 [error] v.service: systemd ignores "
        "OOMScoreAdjust=\\x1b[2Jbad ('\\x1b[2Jbad' is not an integer); the processes keep "
        "the default OOM score",
        "h/etc/systemd/system/v.service:4: OOM203 [error] v.service: systemd ignores "
        "MemoryMax=1G\\x1b]0;pwned\\x07 (systemd has no trailing comments: the comment became "
        "part of the value); the service runs without this memory limit",
        "h/etc/systemd/system/v.service:5: OOM203 [error] v.service: systemd ignores "
        "MemoryHigh=1G\\u2028\\x85\\u202e\\x9b\\x7f\\x09x (expected a number at "
        "'\\u2028\\x85\\u202e\\x9b\\x7f\\x09x'); the service runs without this throttling "
        "limit",
    ]
    doc = oomlint("check", "h", "--ram", "8G", "--format", "json", "--select=OOM203").doc
    assert [f["message"].split(" (")[0] for f in doc["findings"]] == [
        "v.service: systemd ignores OOMScoreAdjust=\x1b[2Jbad",
        "v.service: systemd ignores MemoryMax=1G\x1b]0;pwned\x07",
        "v.service: systemd ignores MemoryHigh=1G\u2028\x85\u202e\x9b\x7f\tx"]


@pytest.mark.parametrize("host, shown", HOSTS, ids=["annotation", "vso"])
def test_no_line_starts_with_a_host_name(cwd, host, shown):
    write_tree(cwd / host, {f"{UNIT_DIR}/a.service": IMMORTAL,
                            "etc/sysctl.d/x\n::error::y.conf": "vm.overcommit_memory = 2\n"})
    runs = _runs(host)
    _assert_no_forged_line(runs)
    text = runs["check text"].stdout.split("\n")
    assert f"{shown}/etc/systemd/system/a.service:3: OOM201 [warning] a.service: " \
           "OOMScoreAdjust=-1000 makes it immune to the OOM killer; when memory runs out the " \
           "kernel kills the next-largest process instead (often sshd, the journal or another " \
           "service), and a global OOM with nothing else to kill panics the box" in text
    assert any(line.startswith(f"{shown}/etc/sysctl.d/x\\x0a::error::y.conf:1: OOM302 ")
               for line in text)
    assert runs["budget text"].stdout.startswith(f"{shown}: RAM 8 GiB, swap 0 B\n")
    assert runs["check json"].findings[0]["path"] == host


def test_no_line_of_any_output_starts_with_input_text(cwd):
    """Every hostile name at once, in every file kind a finding can point at, through check
    and budget in text and JSON, and the stderr warning about a loose file."""
    files = {f"{UNIT_DIR}/{name}.service": IMMORTAL for _, name, *_ in NAMES}
    files.update({f"etc/sysctl.d/{name}.conf": "vm.overcommit_memory = 2\n"
                  for _, name, *_ in NAMES})
    files[f"{UNIT_DIR}/v.service"] = HOSTILE_VALUES
    write_tree(cwd / "h", files)
    runs = _runs("h")
    _assert_no_forged_line(runs)
    assert runs["check text"].exit_code == 1
    assert len(runs["check json"].at("OOM201")) == len(NAMES)
    loose = write_tree(cwd, {"::error::x\n##vso[y]": "data\n"}) / "::error::x\n##vso[y]"
    r = oomlint("check", loose, "h", "--ram", "8G", "--select=OOM201")
    _assert_no_forged_line({"loose": r})
    assert r.stderr == ("oomlint: ::error::x\\x0a##vso[y]: not a file oomlint knows how to "
                        "read; skipped\n")


@pytest.mark.subprocess
def test_real_pipes_carry_valid_utf8_and_no_escape_bytes(cwd):
    """The command as CI runs it, stdout a pipe: the bytes decode as UTF-8, hold no control
    character but the newline, and JSON loads from them."""
    write_tree(cwd / "h", {f"{UNIT_DIR}/{name}.service": IMMORTAL for _, name, *_ in NAMES})
    env = {**os.environ, "PYTHONPATH": str(Path(oomlint_package.__file__).parent.parent)}
    runs = [(["check", "h", "--ram", "8G"], fmt) for fmt in ("text",) + CHECK_FORMATS]
    runs += [(["budget", "h", "--ram", "8G"], fmt) for fmt in ("text", "json")]
    for args, fmt in runs:
        p = subprocess.run([sys.executable, "-m", "oomlint", *args, "--format", fmt],
                           cwd=cwd, capture_output=True, env=env)
        out = p.stdout.decode("utf-8")
        assert p.returncode in (0, 1) and p.stderr == b""
        if fmt in ("json", "sarif"):
            doc = json.loads(out)
            assert doc  # parsed from the bytes as printed
            # an undecodable byte: \\xff text in JSON, the byte percent-encoded in a URI
            assert b"\\\\xff" in p.stdout and (fmt == "json" or b"%FF" in p.stdout)
            continue
        assert not [c for c in out if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0
                    or c in "\u2028\u2029"]
        if fmt == "github":  # each line one annotation of ours
            assert all(GITHUB_LINE.match(line) for line in out.splitlines())
        else:
            assert not [line for line in out.split("\n") if line.startswith(BAD_STARTS)]
        assert "ff\\xff.service" in out


def _overridden_tree(root, n):
    return write_tree(root, {f"{UNIT_DIR}/o.service":
                             "[Service]\nExecStart=/bin/app\n" + "MemoryMax=1G\n" * n
                             + "MemoryMax=16G\n"})


def test_related_lines_are_capped_in_text_and_complete_in_json(cwd):
    _overridden_tree(cwd / "h", 50)
    text = oomlint("check", "h", "--ram", "8G", "--select=OOM206").stdout.split("\n")
    assert text[1:23] == [f"    h/{UNIT_DIR}/o.service:{line}: overridden: MemoryMax=1G"
                          for line in range(3, 23)] + ["    \u2026 and 30 more",
                                                        f"      MemoryMax=16G        16 GiB  "
                                                        f"(h/{UNIT_DIR}/o.service:53)"]
    (f,) = oomlint("check", "h", "--ram", "8G", "--select=OOM206", "--format", "json").findings
    assert [r["line"] for r in f["related"]] == list(range(3, 53))


def test_twenty_related_lines_are_all_shown(cwd):
    _overridden_tree(cwd / "h", 20)
    text = oomlint("check", "h", "--ram", "8G", "--select=OOM206").stdout
    assert "more" not in text and "o.service:22: overridden" in text


def test_term_rows_are_capped_in_text_and_complete_in_json(cwd):
    write_tree(cwd / "h", {f"{UNIT_DIR}/u{i:03d}.service": "[Service]\nExecStart=/x\n"
                           "MemoryMax=1G\n" for i in range(45)})
    text = oomlint("check", "h", "--ram", "8G", "--select=OOM101").stdout.split("\n")
    rows = [f"      u{i:03d}.service (unit)  {'1 GiB':>12}  (h/{UNIT_DIR}/u{i:03d}.service:3)"
            for i in range(30)]
    assert text[1:35] == rows + ["      \u2026 and 15 more",
                                 f"      {'worst-case total':<19}  {'45 GiB':>12}",
                                 f"      {'RAM':<19}  {'8 GiB':>12}", ""]
    (f,) = oomlint("check", "h", "--ram", "8G", "--select=OOM101", "--format", "json").findings
    assert len(f["calc"]["terms"]) == 45
    budget = oomlint("budget", "h", "--ram", "8G").stdout
    assert "more" not in budget  # the service table stays complete
    assert all(f"  u{i:03d}.service  unit" in budget for i in range(45))


def test_a_single_services_term_list_is_capped_in_budget_text_only():
    """No service of a real tree has over 30 terms (a JVM has about eight), so this one is
    made by hand: budget text caps the term list of one service, JSON keeps every term."""
    terms = tuple(Term(f"part \x1b{i}", 1 << 20, Loc(f"etc/x{i}.conf", 1)) for i in range(40))
    service = ServiceBudget("big\n.service", "unit", 40 << 20, Loc("etc/x0.conf", 1),
                            terms=terms, notes=("note \x9b1",))
    host = HostBudget("::h", 1 << 30, 0, (service,))
    text = budget_text.render([host]).split("\n")
    assert text[0] == "\\x3a:h: RAM 1 GiB, swap 0 B"
    assert "  big\\x0a.service  unit      40 MiB             none   40 MiB            4%" in text
    start = text.index("  big\\x0a.service (unit)")
    assert text[start + 1:start + 35] == [
        f"    part \\x1b{i:<2}         1 MiB  etc/x{i}.conf:1" for i in range(30)] + [
        "    \u2026 and 10 more", "    = worst case        40 MiB", "    note: note \\x9b1", ""]
    doc = json.loads(budget_json.render([host]))
    assert len(doc["hosts"][0]["services"][0]["terms"]) == 40


def test_configuration_errors_are_escaped(cwd):
    """`.oomlint.toml` comes with the pull request too; its refusal is a usage error on
    stderr, escaped like every other message."""
    write_tree(cwd, {"h/etc/fstab": "", ".oomlint.toml": '[rules."x\\n::error::forged"]\nfoo = 1\n'})
    r = oomlint("check", "h", "--ram", "8G")
    assert r.exit_code == 2
    assert r.stderr.endswith(".oomlint.toml: rules.x\\x0a::error::forged: expected a table for "
                             "one rule id or name\n")
    _assert_no_forged_line({"config": r})
