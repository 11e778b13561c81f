"""systemd's own fuzz corpus (tests/hostile/corpus, see its README) through the whole
command line: once as one tree of units, and file by file, each in a host of its own (as a
unit and in four other files oomlint reads), several hosts per run. Every run must end
with findings and exit code 0 or 1: no traceback, no internal error, every host checked."""

from __future__ import annotations

import hashlib

import pytest

from . import samples
from .helpers import CORPUS, IMMORTAL, UNIT_DIR, corpus_files, oomlint, unit_name, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

UNITS = corpus_files("unit-files")
CONFIG_PARSE = corpus_files("config-parse")
ALL = [("unit-files/" + n, d) for n, d in UNITS] + [("config-parse/" + n, d) for n, d in CONFIG_PARSE]


def test_corpus_is_systemds_own():
    sums = dict(reversed(line.split("  ", 1)) for line in
                (CORPUS / "SHA256SUMS").read_text().splitlines())
    got = {name: hashlib.sha256(data).hexdigest() for name, data in ALL}
    assert got == sums
    assert len(UNITS) == 41 and len(CONFIG_PARSE) == 138


def _no_crash(r, hosts: list[str]) -> None:
    assert r.exit_code in (0, 1), r.stdout[-2000:]
    assert "OOM099" not in r.stdout
    seen = {f["host"] for f in r.findings}
    assert seen == set(hosts), set(hosts) - seen


def test_whole_corpus_as_one_tree(cwd):
    files: dict[str, str | bytes] = {f"{UNIT_DIR}/control.service": IMMORTAL}
    for name, data in UNITS:  # as stored: the fuzzer's type line stays, a hostile first line
        fname, _ = unit_name(name, data)
        files[f"{UNIT_DIR}/{fname}"] = data
    for name, data in CONFIG_PARSE:  # other config_parse() formats, read as unit files
        base = name.replace("/", "-")
        files[f"{UNIT_DIR}/{base}.service"] = data
        files[f"{UNIT_DIR}/{base}.service.d/{base}.conf"] = data
    env = [name for name, _ in CONFIG_PARSE if name.startswith("fuzz-env-file/")]
    files[f"{UNIT_DIR}/java.service"] = "[Service]\n" + "".join(
        f"EnvironmentFile=/etc/env/{n.split('/')[-1]}\n" for n in env) + \
        "ExecStart=/usr/bin/java $VARIABLE $OPTION -jar /x.jar\nMemoryMax=1G\n"
    for name, data in CONFIG_PARSE:
        if name in env:
            files[f"etc/env/{name.split('/')[-1]}"] = data
    write_tree(cwd / "h", files)
    r = oomlint("check", "h", "--ram", "8G", "--format", "json")
    _no_crash(r, ["h"])
    assert ("OOM201", f"h/{UNIT_DIR}/control.service") in {(f["rule"], f["path"]) for f in r.findings}
    assert len({f["path"] for f in r.findings}) > 100
    b = oomlint("budget", "h", "--ram", "8G", "--format", "json")
    assert b.exit_code == 0 and b.doc["hosts"][0]["name"] == "h"


# The slots oomlint reads besides the unit directory. Each corpus file goes into its unit
# slot (named by the type the fuzzer input declares) and into four of these, rotating, so
# that every slot meets about a third of the corpus; the large inputs (long lines) rotate
# over the line readers only.
SLOTS = ["etc/sysctl.d/60-memory.conf", "etc/mysql/conf.d/50-server.cnf",
         "etc/postgresql/15/main/conf.d/10-memory.conf", "etc/fstab",
         "etc/systemd/zram-generator.conf", "etc/dphys-swapfile", "etc/systemd/system.conf",
         f"{UNIT_DIR}/api.service.d/50-memory.conf", "etc/default/api", "etc/api/jvm.args",
         "etc/elasticsearch/jvm.options", "opt/tomcat/bin/setenv.sh"]


def _host(data: bytes, name: str, index: int) -> dict[str, str | bytes]:
    fname, body = unit_name(name, data)
    files: dict[str, str | bytes] = {**samples.TREE, f"{UNIT_DIR}/control.service": IMMORTAL}
    slots = SLOTS if len(body) < 64 * 1024 else SLOTS[:3]
    for k in range(4 if len(slots) > 4 else 1):
        files[slots[(index * 4 + k) % len(slots)]] = body
    files[f"{UNIT_DIR}/{fname}"] = body
    return files


BATCH = 12
BATCHES = [ALL[i:i + BATCH] for i in range(0, len(ALL), BATCH)]


@pytest.mark.parametrize("batch", range(len(BATCHES)))
def test_each_corpus_file_in_a_tree_of_its_own(cwd, batch):
    hosts = []
    for i, (name, data) in enumerate(BATCHES[batch]):
        write_tree(cwd / f"h{i}", _host(data, name.split("/", 1)[1], batch * BATCH + i))
        hosts.append(f"h{i}")
    r = oomlint("check", *hosts, "--ram", "8G")  # text: thousands of findings, cheaper
    assert r.exit_code in (0, 1) and "OOM099" not in r.stdout, r.stdout[-2000:]
    for h in hosts:  # every host was checked to the end
        assert f"\n{h}/{UNIT_DIR}/control.service:3: OOM201 [warning]" in r.stdout
