"""Every bad file is a finding, wherever oomlint meets it, and the rest of the tree is still
checked: binary, not UTF-8, UTF-16, empty, a directory, a FIFO, a link loop, permission
denied, a file that vanishes or fails while being read, a 100 MB file, a line longer than
systemd allows. All through the command line, with exact rule ids and exit codes."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap

import pytest

from . import samples
from .helpers import IMMORTAL, UNIT_DIR, check, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

CONTROL = ("OOM201", f"h/{UNIT_DIR}/control.service", 3)  # proves the rest was checked
SELECT = "--select=OOM001,OOM002,OOM003,OOM004,OOM006,OOM201"

# Every kind of file oomlint reads, each reached the way oomlint reaches it: unit search
# path, drop-in, slice, system.conf, sysctl.d and sysctl.conf, fstab, zram-generator.conf,
# dphys-swapfile, my.cnf and its !includedir/!include files, postgresql.conf and its
# include_dir/include files, EnvironmentFile=, an @argfile, jvm.options(.d), setenv.sh and
# /etc/default/<script> of launchers.
SLOTS = [p for p in samples.TREE if not p.endswith("multi-user.target.wants/worker@1.service")]


def host(root, **changes):
    """The sample host plus a control unit, with `changes` (path -> bytes, or a callable
    that makes the entry) applied."""
    files = {**samples.TREE, f"{UNIT_DIR}/control.service": IMMORTAL}
    write_tree(root, {p: t for p, t in files.items() if p not in changes})
    for path, change in changes.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if callable(change):
            change(target)
        else:
            target.write_bytes(change)
    return root


def test_the_sample_host_is_clean_under_the_input_rules(cwd):
    host(cwd / "h")
    r = check("h", SELECT)
    assert (r.exit_code, r.triples()) == (1, [CONTROL])


@pytest.mark.parametrize("slot", SLOTS)
def test_binary_file(cwd, slot):
    host(cwd / "h", **{slot: b"# generated\n\0\x01\x02\x7fELF"})
    r = check("h", SELECT)
    assert (r.exit_code, r.triples()) == (1, sorted([("OOM002", f"h/{slot}", 2), CONTROL]))
    assert r.at("OOM002")[0]["message"] == "binary content (NUL byte): file not parsed"


@pytest.mark.parametrize("slot", SLOTS)
def test_latin1_file_is_reported_and_still_read(cwd, slot):
    host(cwd / "h", **{slot: b"# Caf\xe9 cr\xe8me\n" + samples.TREE[slot].encode()})
    r = check("h", SELECT)
    assert (r.exit_code, r.triples()) == (1, sorted([("OOM003", f"h/{slot}", 1), CONTROL]))
    assert r.at("OOM003")[0]["message"] == (
        "not valid UTF-8 at byte 0xe9 (invalid continuation byte; Latin-1 or Windows-1252 "
        "text?); 2 undecodable byte sequences replaced, the rest of the file was read")


def test_non_utf8_keeps_what_can_be_read(cwd):
    unit = b"[Unit]\nDescription=Caf\xe9\n[Service]\nExecStart=/x\nOOMScoreAdjust=-1000\n"
    host(cwd / "h", **{f"{UNIT_DIR}/latin.service": unit,
                       "etc/sysctl.d/70-x.conf": b"# \xff\xfe\nvm.panic_on_oom = 1\n"})
    r = check("h", SELECT + ",OOM304")
    assert (r.exit_code, r.triples()) == (1, sorted([
        ("OOM003", f"h/{UNIT_DIR}/latin.service", 2), ("OOM201", f"h/{UNIT_DIR}/latin.service", 5),
        ("OOM003", "h/etc/sysctl.d/70-x.conf", 1), ("OOM304", "h/etc/sysctl.d/70-x.conf", 2),
        CONTROL]))
    assert "invalid start byte" in r.at("OOM003")[0]["message"]


@pytest.mark.parametrize("slot", [f"{UNIT_DIR}/api.service", "etc/mysql/my.cnf",
                                  "etc/postgresql/15/main/postgresql.conf", "etc/fstab"])
def test_utf16_file_says_so(cwd, slot):
    host(cwd / "h", **{slot: samples.TREE[slot].encode("utf-16")})
    r = check("h", SELECT)
    assert (r.exit_code, r.triples()) == (1, sorted([("OOM003", f"h/{slot}", 1), CONTROL]))
    assert r.at("OOM003")[0]["message"].startswith(
        "UTF-16 little-endian text (byte-order mark FF FE), not UTF-8")


@pytest.mark.parametrize("slot", SLOTS)
def test_empty_file(cwd, slot):
    host(cwd / "h", **{slot: b""})
    r = check("h", SELECT)
    assert (r.exit_code, r.triples()) == (1, [CONTROL])


def test_every_file_empty_at_once(cwd):
    host(cwd / "h", **{slot: b"" for slot in SLOTS})
    r = check("h")
    assert r.exit_code == 1
    assert ("OOM201", f"h/{UNIT_DIR}/control.service", 3) in r.triples()
    assert not {"OOM001", "OOM002", "OOM003", "OOM004", "OOM006", "OOM099"} & r.rules()


def test_empty_unit_masks_it_as_systemd_does(cwd):
    host(cwd / "h", **{f"{UNIT_DIR}/mariadb.service": b""})
    r = check("h", "--select=OOM202")
    assert f"h/{UNIT_DIR}/mariadb.service" not in {f["path"] for f in r.findings}


# A directory, a FIFO or a link loop where a file is expected. Where the real program
# itself skips a directory (postgres in an include_dir, its data directory's auto.conf),
# the loss is reported through the server's refusal or not at all; everything else is
# OOM001 (directory, FIFO) or OOM006 (loop) at the entry.
NOT_A_FILE = {
    # postgres: "could not open configuration file ...": a refusal (OOM452) at the include
    "etc/postgresql/15/main/extra.conf": ("OOM452", "h/etc/postgresql/15/main/postgresql.conf", 7),
}
# A file postgres cannot read in an include_dir or an include stops it too (OOM452 at the
# directive), besides the file's own OOM001 / OOM006.
PG_REFUSAL = {
    "etc/postgresql/15/main/conf.d/10-memory.conf":
        ("OOM452", "h/etc/postgresql/15/main/postgresql.conf", 5),
    "etc/postgresql/15/main/extra.conf": ("OOM452", "h/etc/postgresql/15/main/postgresql.conf", 7),
}


def refusal(slot: str) -> list:
    return [PG_REFUSAL[slot]] if slot in PG_REFUSAL else []
SKIPPED_DIR = {"etc/postgresql/15/main/conf.d/10-memory.conf",  # ParseConfigDirectory skips dirs
               "var/lib/postgresql/15/main/postgresql.auto.conf"}


@pytest.mark.parametrize("slot", SLOTS)
def test_directory_where_a_file_is_expected(cwd, slot):
    host(cwd / "h", **{slot: lambda p: (p.mkdir(), (p / "x").write_text("x"))})
    r = check("h", SELECT + ",OOM452")
    if slot in SKIPPED_DIR:
        expected = [CONTROL]
    elif slot in NOT_A_FILE:
        expected = sorted([NOT_A_FILE[slot], CONTROL])
    else:
        expected = sorted([("OOM001", f"h/{slot}", 0), CONTROL])
    assert (r.exit_code, r.triples()) == (1, expected)
    for f in r.at("OOM001"):
        assert f["message"] == "a directory where a file is expected"


@pytest.mark.parametrize("slot", SLOTS)
def test_fifo_does_not_block(cwd, slot):
    host(cwd / "h", **{slot: lambda p: os.mkfifo(p)})
    r = check("h", SELECT + ",OOM452")
    if slot == "var/lib/postgresql/15/main/postgresql.auto.conf":
        expected = [CONTROL]
    else:
        expected = [("OOM001", f"h/{slot}", 0), CONTROL, *refusal(slot)]
    assert (r.exit_code, r.triples()) == (1, sorted(expected))
    for f in r.at("OOM001"):
        assert f["message"] == "not a regular file"


@pytest.mark.parametrize("slot", SLOTS)
def test_link_loop(cwd, slot):
    host(cwd / "h", **{slot: lambda p: os.symlink(p.name, p)})
    r = check("h", SELECT + ",OOM452")
    expected = [("OOM006", f"h/{slot}", 0), CONTROL, *refusal(slot)]
    assert (r.exit_code, r.triples()) == (1, sorted(expected))


def _failing_open(monkeypatch, name: str, exc: OSError):
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if os.fspath(path).endswith("/" + name):
            raise exc
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


@pytest.mark.parametrize("slot", SLOTS)
def test_permission_denied(cwd, slot, monkeypatch):
    host(cwd / "h")
    _failing_open(monkeypatch, slot, PermissionError(errno.EACCES, "Permission denied"))
    r = check("h", SELECT + ",OOM452")
    expected = [CONTROL, ("OOM001", f"h/{slot}", 0), *refusal(slot)]
    assert (r.exit_code, r.triples()) == (1, sorted(expected))
    assert r.at("OOM001")[0]["message"] == "permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied_for_real(cwd):
    root = host(cwd / "h")
    secret = root / "etc/sysctl.d/60-memory.conf"
    secret.chmod(0)
    try:
        r = check("h", SELECT)
    finally:
        secret.chmod(0o644)
    assert (r.exit_code, r.triples()) == (1, sorted([
        ("OOM001", "h/etc/sysctl.d/60-memory.conf", 0), CONTROL]))


@pytest.mark.parametrize("slot", [f"{UNIT_DIR}/api.service", "etc/sysctl.d/60-memory.conf",
                                  "etc/mysql/conf.d/50-server.cnf", "etc/default/api",
                                  "etc/postgresql/15/main/postgresql.conf"])
def test_file_vanishes_between_listing_and_reading(cwd, slot, monkeypatch):
    host(cwd / "h")
    _failing_open(monkeypatch, slot, FileNotFoundError(errno.ENOENT, "No such file"))
    r = check("h", SELECT)
    assert (r.exit_code, r.triples()) == (1, sorted([("OOM001", f"h/{slot}", 0), CONTROL]))
    assert r.at("OOM001")[0]["message"] == "file vanished during the run"


@pytest.mark.parametrize("error", [errno.ENOENT, errno.EIO, errno.ESTALE])
def test_file_fails_while_being_read(cwd, monkeypatch, error):
    host(cwd / "h")
    real_open, real_read = os.open, os.read
    doomed = set()

    def fake_open(path, flags, *args, **kwargs):
        fd = real_open(path, flags, *args, **kwargs)
        if os.fspath(path).endswith("/etc/fstab"):
            doomed.add(fd)
        return fd

    def fake_read(fd, n):
        if fd in doomed:
            doomed.discard(fd)  # the number is reused once oomlint closes it
            raise OSError(error, os.strerror(error))
        return real_read(fd, n)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "read", fake_read)
    r = check("h", SELECT)
    assert (r.exit_code, r.triples()) == (1, sorted([("OOM001", "h/etc/fstab", 0), CONTROL]))


@pytest.mark.parametrize("kind", ["file", None])
def test_file_listed_but_gone(cwd, monkeypatch, kind):
    """A unit directory listing names a file that is gone by the time it is looked up or
    read: the listing's entry said a regular file (`kind`), or did not tell."""
    from oomlint.sources.fs import DirectoryFS

    host(cwd / "h")
    real_listdir = os.listdir
    real_scan = DirectoryFS.scan

    def fake_listdir(path):
        names = real_listdir(path)
        return names + ["ghost.service"] if os.fspath(path).endswith(UNIT_DIR) else names

    def fake_scan(self, path):
        found = real_scan(self, path)
        if found is not None and path.endswith(UNIT_DIR):
            found["ghost.service"] = kind
        return found

    monkeypatch.setattr(os, "listdir", fake_listdir)
    monkeypatch.setattr(DirectoryFS, "scan", fake_scan)
    r = check("h", SELECT)
    assert (r.exit_code, r.triples()) == (1, sorted([
        ("OOM001", f"h/{UNIT_DIR}/ghost.service", 0), CONTROL]))


# -- size limits -------------------------------------------------------------------------

LONG = 1024 * 1024  # systemd's LONG_LINE_MAX, in bytes


@pytest.mark.parametrize("line, refused", [
    ("Description=" + "a" * (LONG - 13), False),        # LONG - 1 bytes: accepted
    ("Description=" + "a" * (LONG - 12), True),         # LONG bytes: "Line too long"
    ("Description=" + "é" * (LONG // 2), True),         # half as many characters, in UTF-8
    ("Description=" + ("a" * 1000 + "\\\n") * 1100 + "b", True),  # continuation lines joined
])
def test_line_longer_than_systemd_allows(cwd, line, refused):
    unit = f"[Unit]\n{line}\n[Service]\nExecStart=/x\nOOMScoreAdjust=-1000\n"
    host(cwd / "h", **{f"{UNIT_DIR}/long.service": unit.encode()})
    r = check("h", SELECT)
    if refused:  # systemd refuses the whole file: its OOMScoreAdjust= never applies
        assert (r.exit_code, r.triples()) == (1, sorted([
            ("OOM004", f"h/{UNIT_DIR}/long.service", 2), CONTROL]))
        assert "1 MiB limit: systemd refuses the file" in r.at("OOM004")[0]["message"]
    else:
        assert (r.exit_code, r.triples()) == (1, sorted([
            ("OOM201", f"h/{UNIT_DIR}/long.service", 5), CONTROL]))


_MEASURE = textwrap.dedent("""
    import json, re, sys
    from click.testing import CliRunner
    from oomlint.cli import main
    r = CliRunner().invoke(main, ["check", "--ram", "8G", "--format", "json"] + sys.argv[1:],
                           catch_exceptions=False)
    with open("/proc/self/status") as fh:  # VmHWM: this process's own peak RSS, in kB
        peak = int(re.search(r"VmHWM:\\s*(\\d+)", fh.read()).group(1))
    print(json.dumps({"exit": r.exit_code, "peak_kib": peak, "out": r.stdout}))
""")


def _measure(cwd, *args) -> dict:
    """One run over `big` and one over `small`, each in a fresh interpreter: the difference
    of their peak RSS is what the big file cost. This process's peak says nothing (other
    tests set it), and neither does a child's ru_maxrss, which starts at the parent's RSS
    at fork (Linux keeps it across exec); VmHWM belongs to the child's own memory map."""
    if not os.path.exists("/proc/self/status"):
        pytest.skip("a process's own peak RSS is read from /proc (Linux)")

    def run(*argv):
        out = subprocess.run([sys.executable, "-c", _MEASURE, *argv], cwd=cwd, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)

    small = run("small", *args)
    big = run("big", *args)
    return {**big, "growth_kib": big["peak_kib"] - small["peak_kib"]}


HUNDRED_MB = 100 * 1024 * 1024
BOUND_KIB = 96 * 1024  # well below the 100 MB a whole read would need


@pytest.mark.subprocess
def test_100mb_text_file_is_truncated_in_bounded_memory(cwd):
    write_tree(cwd / "small", {f"{UNIT_DIR}/control.service": IMMORTAL})
    write_tree(cwd / "big", {f"{UNIT_DIR}/control.service": IMMORTAL, "etc/sysctl.d/0.conf": ""})
    with open(cwd / "big/etc/sysctl.d/50-dump.conf", "w") as fh:
        fh.write("vm.swappiness = 150\n")
        block = "# " + "log line of a runaway generator " * 3 + "\n"
        fh.write(block * (HUNDRED_MB // len(block) + 1))
        fh.write("vm.overcommit_memory = 1\n")  # past the cut: never applied
    assert (cwd / "big/etc/sysctl.d/50-dump.conf").stat().st_size > HUNDRED_MB
    got = _measure(cwd, "--select=OOM0,OOM201,OOM303,OOM306")
    doc = json.loads(got["out"])
    triples = sorted((f["rule"], f["path"], f["line"]) for f in doc["findings"])
    assert (got["exit"], triples) == (1, [
        ("OOM004", "big/etc/sysctl.d/50-dump.conf", 0),
        ("OOM201", f"big/{UNIT_DIR}/control.service", 3),
        ("OOM306", "big/etc/sysctl.d/50-dump.conf", 1)])
    message = next(f["message"] for f in doc["findings"] if f["rule"] == "OOM004")
    assert message.startswith("larger than 16 MiB: only the first ") and "lines were checked" in message
    assert got["growth_kib"] < BOUND_KIB, got["growth_kib"]


@pytest.mark.subprocess
def test_100mb_sparse_file_is_truncated_in_bounded_memory(cwd):
    write_tree(cwd / "small", {f"{UNIT_DIR}/control.service": IMMORTAL})
    write_tree(cwd / "big", {f"{UNIT_DIR}/control.service": IMMORTAL})
    with open(cwd / f"big/{UNIT_DIR}/hole.service", "wb") as fh:
        fh.write(b"[Service]\nExecStart=/x\nMemoryMax=1G\n")
        fh.truncate(HUNDRED_MB)  # a hole: NUL bytes that take no disk space
    got = _measure(cwd, "--select=OOM0,OOM201")
    triples = sorted((f["rule"], f["path"], f["line"]) for f in json.loads(got["out"])["findings"])
    assert (got["exit"], triples) == (1, [
        ("OOM002", f"big/{UNIT_DIR}/hole.service", 4),
        ("OOM004", f"big/{UNIT_DIR}/hole.service", 0),
        ("OOM201", f"big/{UNIT_DIR}/control.service", 3)])
    assert got["growth_kib"] < BOUND_KIB, got["growth_kib"]
