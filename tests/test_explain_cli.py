"""`oomlint explain`: exit codes, formats, --root, standard input, hostile logs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import oomlint as oomlint_package
from oomlint.cli import main
from oomlint.sources import logs

ROOT = Path(__file__).parent.parent
DATA = ROOT / "tests" / "data" / "oom_reports"
ARTICLE = "tests/data/oom_reports/db-prod-article.log"
BAD_STARTS = ("::", "##")
REPORT_KEYS = {"path", "kind", "cgroup", "trigger", "victim", "largest", "kernel", "line",
               "end_line", "notes", "config"}


def run(*args, stdin: bytes | None = None):
    return CliRunner().invoke(main, ["explain", *map(str, args)], input=stdin,
                              catch_exceptions=False)


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_a_report_found_exits_1(at_root):
    r = run(ARTICLE)
    assert r.exit_code == 1
    lines = r.stdout.split("\n")
    assert lines[0] == f"{ARTICLE}:1-20: global OOM, kernel 5.15.0-91-generic"
    assert lines[1] == ("  trigger  pid 1234 mysqld, order 0, gfp_mask 0x100cca "
                        "(GFP_HIGHUSER_MOVABLE), oom_score_adj 0")
    assert lines[2] == ("  victim   pid 1234 mysqld, anon-rss 7.23 GiB, file-rss 0 B, "
                        "shmem-rss 0 B, oom_score_adj 0")
    assert lines[3] == "  largest  pid 1234 mysqld, rss 7.23 GiB (of 5 tasks in the table)"
    assert r.stdout.endswith("\n1 OOM report found\n")


def test_no_report_exits_0(tmp_path):
    (tmp_path / "kern.log").write_text("Jun 18 07:44:51 h kernel: eth0: link up\n"
                                       "Jun 18 07:44:52 h kernel: oom_reaper: reaped process "
                                       "4 (x), now anon-rss:0kB\n")
    r = run(tmp_path / "kern.log")
    assert (r.exit_code, r.stdout) == (0, "No OOM report found.\n")
    r = run(tmp_path / "kern.log", "--format", "json")
    assert (r.exit_code, json.loads(r.stdout)) == (0, {"version": 1, "reports": []})


def test_usage_errors_exit_2(tmp_path):
    r = run(tmp_path / "missing.log")
    assert r.exit_code == 2 and "missing.log: cannot read: No such file or directory" in r.stderr
    r = run(tmp_path)
    assert r.exit_code == 2 and "cannot read" in r.stderr
    assert run("-", "-", stdin=b"").exit_code == 2
    assert run(ARTICLE, "--format", "sarif").exit_code == 2
    r = CliRunner().invoke(main, ["explain"])
    assert r.exit_code == 2
    r = run(DATA / "db-prod-article.log", "--root", tmp_path / "nope")
    assert r.exit_code == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_exits_2_naming_it(tmp_path):
    p = tmp_path / "secret.log"
    p.write_text("x\n")
    p.chmod(0)
    r = run(DATA / "db-prod-article.log", p)
    assert r.exit_code == 2 and "secret.log: cannot read: Permission denied" in r.stderr
    assert r.stdout == ""


def test_a_fifo_is_refused_naming_it(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    r = run(tmp_path / "pipe")
    assert r.exit_code == 2 and "pipe: cannot read: not a regular file (give - and pipe it in)" \
        in r.stderr


def test_standard_input(at_root):
    r = run("-", stdin=(DATA / "db-prod-article.log").read_bytes())
    assert r.exit_code == 1 and r.stdout.startswith("-:1-20: global OOM")


def test_several_files_and_repeats_across_them(at_root):
    r = run(ARTICLE, "tests/data/oom_reports/markdown-indented-6.1-hunt.log", "--format", "json")
    doc = json.loads(r.stdout)
    assert [(x["path"].rsplit("/", 1)[-1], x["line"]) for x in doc["reports"]] == [
        ("db-prod-article.log", 1), ("markdown-indented-6.1-hunt.log", 3),
        ("markdown-indented-6.1-hunt.log", 21)]
    repeated = [n["text"] for n in doc["reports"][0]["notes"] if n["id"] == "repeated"]
    assert repeated and repeated[0].startswith("mysqld was killed in 3 reports")


def test_json_schema(at_root):
    doc = json.loads(run(ARTICLE, "--format", "json").stdout)
    assert set(doc) == {"version", "reports"} and doc["version"] == 1
    (rep,) = doc["reports"]
    assert set(rep) == REPORT_KEYS
    assert rep["trigger"] == {"pid": 1234, "name": "mysqld", "order": 0, "gfp_mask": "0x100cca",
                              "gfp_flags": ["GFP_HIGHUSER_MOVABLE"], "oom_score_adj": 0}
    assert rep["victim"] == {"pid": 1234, "name": "mysqld", "anon_rss_bytes": 7576884 * 1024,
                             "file_rss_bytes": 0, "shmem_rss_bytes": 0, "oom_score_adj": 0}
    assert rep["largest"] == {"pid": 1234, "name": "mysqld", "rss_bytes": 1894221 * 4096}
    assert (rep["kind"], rep["cgroup"], rep["kernel"], rep["line"], rep["end_line"],
            rep["config"]) == ("global", None, "5.15.0-91-generic", 1, 20, None)
    assert [n["id"] for n in rep["notes"]][:2] == ["global", "trigger"]
    assert all(set(n) == {"id", "text", "at"} for n in rep["notes"])


def test_json_nulls_what_a_fragment_does_not_show(at_root):
    doc = json.loads(run("tests/data/oom_reports/fragments.log", "--format", "json").stdout)
    summary, table, kill = doc["reports"]
    assert summary["trigger"] == dict.fromkeys(
        ["pid", "name", "order", "gfp_mask", "gfp_flags", "oom_score_adj"])
    assert summary["victim"] == {"pid": 7001, "name": "worker", "anon_rss_bytes": None,
                                 "file_rss_bytes": None, "shmem_rss_bytes": None,
                                 "oom_score_adj": None}
    assert summary["largest"] == {"pid": None, "name": None, "rss_bytes": None}
    assert table["largest"]["pid"] == 7100
    assert (kill["kind"], kill["largest"]["pid"], kill["kernel"]) == ("unknown", None, None)


def test_json_config_with_root(at_root):
    doc = json.loads(run(ARTICLE, "--root", "examples/db-prod", "--format", "json").stdout)
    c = doc["reports"][0]["config"]
    assert c == {
        "host": "examples/db-prod", "unit": "mariadb.service", "matched_by": "command",
        "memory_max_bytes": 6 << 30,
        "memory_max": {"path": "examples/db-prod/etc/systemd/system/mariadb.service.d/"
                               "override.conf", "line": 2},
        "cgroup_limit_bytes": None, "service_kind": "mysql",
        "worst_case_bytes": c["worst_case_bytes"],
        "worst_case": {"path": "examples/db-prod/etc/mysql/mariadb.conf.d/50-server.cnf",
                       "line": 9},
        "host_worst_case_bytes": 7 << 30,  # mariadb at its 6G cap + billing-api's 1G
        "host_uncapped_worst_case_bytes": c["worst_case_bytes"] + (1 << 30), "ram_bytes": 8 << 30,
        "unbounded": ["report-worker.service"]}
    assert round(c["worst_case_bytes"] / (1 << 30), 2) == 10.15  # MySQLTuner's tier
    at = [a for n in doc["reports"][0]["notes"] for a in n["at"]]
    assert {"label": "innodb_buffer_pool_size = 6 GiB", "line": 9,
            "path": "examples/db-prod/etc/mysql/mariadb.conf.d/50-server.cnf"} in at


def test_text_with_root_names_the_lines_to_change(at_root):
    out = run(ARTICLE, "--root", "examples/db-prod").stdout
    assert "  what the configuration of examples/db-prod says:" in out
    assert re.search(r"\n      innodb_buffer_pool_size = 6 GiB +examples/db-prod/etc/mysql/"
                     r"mariadb\.conf\.d/50-server\.cnf:9\n", out)
    assert "examples/db-prod/etc/systemd/system/mariadb.service.d/override.conf:2" in out


def test_cgroup_report_with_root(at_root):
    r = run("tests/data/oom_reports/php-fpm-6.8-cgroup-journal.log", "--root",
            "tests/data/oom_hosts/web2")
    assert r.exit_code == 1
    assert ("  cgroup   /system.slice/php8.2-fpm.service (systemd unit php8.2-fpm.service)"
            in r.stdout)
    assert ("      MemoryMax  tests/data/oom_hosts/web2/etc/systemd/system/php8.2-fpm.service.d/"
            "memory.conf:2") in r.stdout


def test_readme_shows_the_articles_story(at_root):
    """The README's `oomlint explain` section is this command's output, byte for byte."""
    readme = (ROOT / "README.md").read_text()
    cmd = f"oomlint explain {ARTICLE} --root examples/db-prod"
    assert f"$ {cmd}\n" in readme
    shown = readme.split(f"$ {cmd}\n", 1)[1].split("```", 1)[0]
    assert shown == run(ARTICLE, "--root", "examples/db-prod").stdout


# ---- hostile input ---------------------------------------------------------------------------


def _no_forged_line(out: str) -> None:
    for line in out.split("\n"):
        assert not line.startswith(BAD_STARTS), line
    assert not [c for c in out if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0]


def test_hostile_names_are_escaped(at_root):
    r = run("tests/data/oom_reports/hostile-comm.log")
    assert r.exit_code == 1
    _no_forged_line(r.stdout)
    assert "  trigger  ##vso[task.complete]\\x1b[2J\\x1b]0;t\\x07, order 0" in r.stdout
    assert "  victim   pid 66 a\\x1b[2Jb\\x9b\\xffc, anon-rss 900 KiB" in r.stdout
    doc = json.loads(run("tests/data/oom_reports/hostile-comm.log", "--format", "json").stdout)
    assert doc["reports"][0]["victim"]["name"] == "a\x1b[2Jb\\x9b\\xffc"  # NUL dropped


def test_a_file_name_cannot_forge_a_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "::error file=x::forged.log"
    (tmp_path / name).write_bytes((DATA / "db-prod-article.log").read_bytes())
    r = run(name)
    _no_forged_line(r.stdout)
    assert r.stdout.startswith("\\x3a:error file=x::forged.log:1-20: global OOM")
    r = run("nope\n::error::x")
    _no_forged_line(r.stderr.replace("Error: ", ""))


def test_binary_and_nul_bytes_and_huge_lines(tmp_path):
    binary = bytes(range(256)) * 4000 + b"\0" * 100_000
    (tmp_path / "bin.log").write_bytes(binary)
    r = run(tmp_path / "bin.log")
    assert (r.exit_code, r.stdout) == (0, "No OOM report found.\n")
    huge = b"x" * (8 << 20) + b"\n" + (DATA / "db-prod-article.log").read_bytes()
    (tmp_path / "huge.log").write_bytes(huge)
    r = run(tmp_path / "huge.log", "--format", "json")
    (rep,) = json.loads(r.stdout)["reports"]
    assert (rep["line"], rep["end_line"]) == (2, 21)
    nul = (DATA / "db-prod-article.log").read_bytes().replace(b"\n", b"\0\0\n", 3)
    (tmp_path / "nul.log").write_bytes(b"\0" * 50 + nul)
    r = run(tmp_path / "nul.log", "--format", "json")
    (rep,) = json.loads(r.stdout)["reports"]
    assert rep["victim"]["pid"] == 1234 and rep["trigger"]["pid"] == 1234


def test_only_the_end_of_a_large_log_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "MAX_LOG_BYTES", 4096)
    filler = b"".join(b"[ 1.%06d] eth0: link up\n" % i for i in range(2000))
    (tmp_path / "big.log").write_bytes(filler + (DATA / "db-prod-article.log").read_bytes())
    r = run(tmp_path / "big.log", "--format", "json")
    (rep,) = json.loads(r.stdout)["reports"]
    assert (rep["line"], rep["end_line"]) == (2001, 2020)  # the file's own line numbers
    assert "bytes skipped: only its last" in r.stderr


def test_real_pipes_carry_valid_utf8(at_root):
    env = {**os.environ, "PYTHONPATH": str(Path(oomlint_package.__file__).parent.parent)}
    for fmt in ("text", "json"):
        p = subprocess.run([sys.executable, "-m", "oomlint", "explain",
                            "tests/data/oom_reports/hostile-comm.log", "--format", fmt],
                           capture_output=True, env=env, cwd=ROOT)
        out = p.stdout.decode("utf-8")
        assert p.returncode == 1 and p.stderr == b""
        if fmt == "json":
            assert json.loads(out)["reports"][0]["trigger"]["name"].startswith("##vso")
        else:
            _no_forged_line(out)
