"""analysis/explain.py: the plain-words reading of each report, and with a host, what its
configuration predicted (fixtures: tests/data/oom_reports/, hosts examples/db-prod and
tests/data/oom_hosts/web2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oomlint.analysis.budget import host_budget
from oomlint.analysis.explain import cgroup_owner, explain_reports
from oomlint.base.grammar.host import parse_host_size
from oomlint.model.build import build_host
from oomlint.parsers.kernel_oom import MAX_REPORTS, parse_oom_log
from oomlint.parsers.lines import iter_lines
from oomlint.report import explain_json, explain_text
from oomlint.sources.tree import Tree

ROOT = Path(__file__).parent.parent
DATA = ROOT / "tests" / "data" / "oom_reports"


def reports(*names):
    out = []
    for name in names:
        text = (DATA / name).read_bytes().decode("utf-8", "surrogateescape")
        out += parse_oom_log(iter_lines(text), name).reports
    return out


def host_of(root: Path, ram: str):
    host = build_host(Tree(root=root), root.name, ram=parse_host_size(ram))
    return host, host_budget(host)


def ids(e):
    return [n.id for n in e.notes]


def note(e, id_):
    (n,) = [n for n in e.notes if n.id == id_]
    return n


def test_the_articles_story():
    """Global OOM, the trigger is the victim, order 0, the victim is the largest task, free
    pinned at the min watermark, almost all memory anonymous."""
    (e,) = explain_reports(reports("db-prod-article.log"))
    assert ids(e) == ["global", "trigger", "order-0", "victim", "largest-is-victim", "watermark",
                      "anon-vs-file"]
    assert "here it was also the victim" in note(e, "trigger").text
    assert note(e, "watermark").text.startswith("Zone Normal (node 0): free 83.38 MiB against "
                                                "the min watermark 82.34 MiB: pinned")
    assert (e.anon_rss, e.file_rss, e.largest_rss) == (7576884 * 1024, 0, 1894221 * 4096)
    assert e.config is None


def test_the_articles_report_against_db_prod():
    """--root examples/db-prod ties the mysqld kill to mariadb.service and the my.cnf lines
    of its worst case."""
    host, budget = host_of(ROOT / "examples" / "db-prod", "8G")
    (e,) = explain_reports(reports("db-prod-article.log"), host, budget)
    c = e.config
    assert (c.unit, c.matched_by, c.service_kind) == ("mariadb.service", "command", "mysql")
    assert (c.memory_max, c.memory_max_loc.path, c.memory_max_loc.line) == (
        6 << 30, "etc/systemd/system/mariadb.service.d/override.conf", 2)
    assert c.worst_case == budget.uncapped_total - (1 << 30)  # uncapped, minus billing-api
    assert [n.id for n in e.notes if n.id.startswith("config-")] == [
        "config-unit", "config-memory-max", "config-worst-case", "config-host-budget"]
    wc = note(e, "config-worst-case")
    assert [(loc.path, loc.line) for _, loc in wc.at] == [
        ("etc/mysql/mariadb.conf.d/50-server.cnf", line) for line in (9, 13, 14, 15, 11)]
    assert wc.at[0][0] == "innodb_buffer_pool_size = 6 GiB"  # MySQLTuner's tier: the pool leads
    assert "7.23 GiB of it resident at death" in wc.text
    assert "not in force" in note(e, "config-memory-max").text  # 7.23 GiB > MemoryMax 6G
    assert "predicted this OOM" in note(e, "config-host-budget").text
    assert "report-worker.service" in note(e, "config-host-budget").text


def test_a_cgroup_oom_against_its_unit():
    host, budget = host_of(ROOT / "tests" / "data" / "oom_hosts" / "web2", "4G")
    (e,) = explain_reports(reports("php-fpm-6.8-cgroup-journal.log"), host, budget)
    assert (e.unit, e.container) == ("php8.2-fpm.service", None)
    c = e.config
    assert (c.unit, c.matched_by, c.memory_max, c.cgroup_limit) == (
        "php8.2-fpm.service", "cgroup", 512 << 20, 512 << 20)
    mm = note(e, "config-memory-max")
    assert "is the unit's MemoryMax" in mm.text
    assert [(loc.path, loc.line) for _, loc in mm.at] == [
        ("etc/systemd/system/php8.2-fpm.service.d/memory.conf", 2)]
    assert "config-host-budget" not in ids(e)  # a cgroup OOM is not the host's budget


def test_a_cgroup_limit_the_configuration_does_not_know(tree):
    root = tree({"etc/systemd/system/php8.2-fpm.service":
                 "[Service]\nExecStart=/usr/sbin/php-fpm8.2 --nodaemonize\n"})
    host, budget = host_of(root, "4G")
    (e,) = explain_reports(reports("php-fpm-6.8-cgroup-journal.log"), host, budget)
    mm = note(e, "config-memory-max")
    assert "sets no MemoryMax" in mm.text and mm.at[0][1].line == 1


def test_the_largest_task_is_exempt_by_the_configuration(tree):
    """Hunt that one: the fat row that did not die is a unit with OOMScoreAdjust=-1000."""
    root = tree({"etc/systemd/system/billing-api.service":
                 "[Service]\nExecStart=/opt/billing/bin/billing-api\nOOMScoreAdjust=-1000\n",
                 "etc/systemd/system/mariadb.service": "[Service]\nExecStart=/usr/sbin/mysqld\n"})
    host, budget = host_of(root, "8G")
    first, second = explain_reports(reports("markdown-indented-6.1-hunt.log"), host, budget)
    for e in (first, second):
        hunt = note(e, "largest-not-victim")
        assert "billing-api" in hunt.text and "exempt (oom_score_adj -1000)" in hunt.text
        assert hunt.text.endswith("Hunt that one.")
        big = note(e, "config-largest")
        assert "OOMScoreAdjust=-1000" in big.text and big.at[0][1].line == 3
        assert e.config.unit == "mariadb.service"
        assert "mysqld was killed in 2 reports" in note(e, "repeated").text
    # the first report's summary names the victim's cgroup; the second has no summary
    assert (first.config.matched_by, second.config.matched_by) == ("task cgroup", "command")


@pytest.mark.parametrize("name, want", [
    ("rhel7-3.10-printk.log", [["global", "trigger", "order-0", "victim", "sacrifice-child",
                                "watermark", "watermark", "watermark", "swap", "anon-vs-file"]]),
    ("dmesg-T-4.9-order2.log", [["global", "trigger", "order-high", "victim",
                                 "victim-expendable", "largest-not-victim", "watermark",
                                 "watermark", "fragmented", "swap", "anon-vs-file"]]),
    ("kernlog-4.15-syslog.log", [["global", "trigger", "order-0", "victim", "victim-protected",
                                  "largest-is-victim", "watermark", "swap", "anon-vs-file"]]),
    ("k8s-5.4-memcg-v2-rfc3339.log", [["cgroup", "trigger", "order-0", "victim",
                                       "victim-expendable", "largest-is-victim"]]),
    ("sysrq-and-no-killable.log", [["sysrq", "trigger", "victim", "victim-expendable",
                                    "watermark", "anon-vs-file"],
                                   ["global", "trigger", "order-0", "no-killable",
                                    "anon-vs-file"]]),
    ("memcg-v1-4.14-group.log", [["cgroup", "trigger", "order-0", "victim", "sacrifice-child",
                                  "group-kill", "anon-vs-file"]]),
    ("sparc64-8k-and-resolved.log", [["global", "trigger", "order-0", "victim",
                                      "largest-is-victim", "anon-vs-file", "page-size"],
                                     ["global", "trigger", "order-high", "watermark",
                                      "partial"]]),
    ("fragments.log", [["global", "victim", "partial", "repeated"],
                       ["global", "victim", "largest-is-victim", "anon-vs-file", "partial",
                        "repeated"],
                       ["kind-unknown", "victim", "anon-vs-file", "partial", "repeated"]]),
])
def test_notes_per_fixture(name, want):
    assert [ids(e) for e in explain_reports(reports(name))] == want


def test_the_same_kill_in_two_logs_is_no_repeat():
    twice = reports("db-prod-article.log", "db-prod-article.log")
    assert [ids(e).count("repeated") for e in explain_reports(twice)] == [0, 0]


def test_fragmentation_and_swap_readings():
    (e,) = explain_reports(reports("dmesg-T-4.9-order2.log"))
    assert "16 KiB" in note(e, "order-high").text
    assert all("fragmentation" in n.text for n in e.notes if n.id == "watermark")
    assert note(e, "fragmented").text.startswith(
        "Zone Normal (node 0): 121.39 MiB free in blocks smaller than 16 KiB, and no free block "
        "that large")
    assert note(e, "swap").text.startswith("Swap: 1.86 GiB free of 2 GiB (not full)")
    (e,) = explain_reports(reports("rhel7-3.10-printk.log"))
    assert note(e, "swap").text.startswith("No swap at all")
    assert "decoded by oomlint" in note(e, "trigger").text


def test_no_killable_names_the_exempt_giant():
    _, e = explain_reports(reports("sysrq-and-no-killable.log"))
    assert note(e, "no-killable").text.endswith(
        "The largest task, appserver (pid 980, rss 7.36 GiB), was exempt (oom_score_adj -1000).")


def test_a_partial_report_borrows_nothing():
    """The summary-only fragment names its victim and nothing else."""
    summary, *_ = explain_reports(reports("fragments.log"))
    r = summary.report
    assert (r.trigger, r.largest, r.zones, r.meminfo) == (None, None, (), ())
    assert (summary.anon_rss, summary.largest_rss) == (None, None)
    assert note(summary, "partial").text.startswith("Partial report: no trigger line, no kill "
                                                    "line, no task table")


@pytest.mark.parametrize("path, unit, container", [
    ("/system.slice/php8.2-fpm.service", "php8.2-fpm.service", None),
    ("/kubepods/burstable/pod6e4c1a5b-7d2f-4a8e-9c3b-1f2e3d4c5b6a", None,
     "Kubernetes pod 6e4c1a5b-7d2f-4a8e-9c3b-1f2e3d4c5b6a"),
    ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6e4c1a5b_7d2f_4a8e_9c3b_"
     "1f2e3d4c5b6a.slice/cri-containerd-4f1e2d3c4b5a.scope", "cri-containerd-4f1e2d3c4b5a.scope",
     "Kubernetes pod 6e4c1a5b-7d2f-4a8e-9c3b-1f2e3d4c5b6a, container 4f1e2d3c4b5a"),
    ("/system.slice/docker-a59e3f4d2c1b0a99.scope", "docker-a59e3f4d2c1b0a99.scope",
     "Docker container a59e3f4d2c1b"),
    ("/docker/1e479e75a3b2c4d5", None, "Docker container 1e479e75a3b2"),
    ("/lxc/39004", None, "LXC container 39004"),
    ("/user.slice/user-1000.slice/session-2.scope", "session-2.scope", None),
    ("/system.slice", "system.slice", None),
    (None, None, None),
])
def test_cgroup_owner(path, unit, container):
    assert cgroup_owner(path) == (unit, container)


# ---- fuzzing: the parser and everything after it never raise ------------------------------------

_FIXTURE_LINES = [line for p in sorted(DATA.glob("*.log"))
                  for line in p.read_bytes().decode("utf-8", "surrogateescape").splitlines()]
_PREFIXES = ["", "[ 12.5] ", "<6>", "kernel: ", "Jun 18 07:44:52 h kernel: ", "    ",
             "2024-05-01T10:11:12Z h kernel: ", "[Di Aug 12 03:54:03 2025] ", "h systemd[1]: "]


@st.composite
def _line(draw):
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.text(max_size=120))
    base = draw(st.sampled_from(_FIXTURE_LINES))
    if kind == 2:  # cut, as a terminal or an excerpt window would
        cut = draw(st.integers(0, len(base)))
        base = base[:cut]
    elif kind == 3:  # splice random text in
        at = draw(st.integers(0, len(base)))
        base = base[:at] + draw(st.text(max_size=20)) + base[at:]
    return draw(st.sampled_from(_PREFIXES)) + base


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_line(), max_size=60))
def test_fuzz_parser_never_raises(lines):
    log = parse_oom_log(lines, "fuzz")
    assert len(log.reports) <= MAX_REPORTS
    for r in log.reports:
        assert 1 <= r.line <= r.end_line <= max(len(lines), 1)
    explained = explain_reports(log.reports)
    explain_text.render(explained)
    explain_json.render(explained)


INGEST = ROOT / "tests" / "data" / "oom_hosts" / "ingest1"


def test_the_victims_running_adj_and_swap_against_the_configuration():
    """ingest.service sets OOMScoreAdjust=-500 and no swap is configured; the report shows
    the worker killed at 0 and 2 GiB of swap."""
    host, budget = host_of(INGEST, "8G")
    (e,) = explain_reports(reports("ingest-6.1-adj-and-swap.log"), host, budget)
    assert e.config.unit == "ingest.service"
    adj = note(e, "config-oom-score-adj")
    assert adj.text.startswith("ingest (pid 2210) was killed with oom_score_adj 0, but "
                               "ingest.service gives its processes OOMScoreAdjust=-500")
    assert [(label, loc.path, loc.line) for label, loc in adj.at] == [
        ("OOMScoreAdjust", "etc/systemd/system/ingest.service", 8)]
    sw = note(e, "config-swap")
    assert sw.text.startswith("The report shows 2 GiB of swap, but this host's configuration "
                              "sets up none")
    doc = json.loads(explain_json.render([e]))
    (got,) = [n for n in doc["reports"][0]["notes"] if n["id"] == "config-oom-score-adj"]
    assert (got["at"][0]["path"], got["at"][0]["line"]) == (
        "etc/systemd/system/ingest.service", 8)
    assert "config-swap" in [n["id"] for n in doc["reports"][0]["notes"]]
    # Without a host the report alone has nothing to compare with.
    (bare,) = explain_reports(reports("ingest-6.1-adj-and-swap.log"))
    assert not {"config-oom-score-adj", "config-swap"} & set(ids(bare))


def test_running_adj_and_swap_that_match_say_nothing(tree):
    root = tree({"etc/systemd/system/ingest.service":
                 "[Service]\nExecStart=/usr/local/bin/ingest\n",
                 "etc/fstab": "/swapfile none swap sw 0 0\n"})
    host, budget = host_of(root, "8G")
    (e,) = explain_reports(reports("ingest-6.1-adj-and-swap.log"), host, budget)
    assert e.config.unit == "ingest.service"
    assert not {"config-oom-score-adj", "config-swap"} & set(ids(e))


def test_configured_swap_the_report_does_not_show(tree):
    root = tree({"etc/systemd/system/mariadb.service":
                 "[Service]\nExecStart=/usr/sbin/mariadbd\nOOMScoreAdjust=0\n",
                 "etc/fstab": "/dev/sda2 none swap sw 0 0\n"})
    host, budget = host_of(root, "8G")
    (e,) = explain_reports(reports("markdown-indented-6.1-hunt.log")[:1], host, budget)
    sw = note(e, "config-swap")
    assert sw.text.startswith("The report shows no swap (Total swap = 0kB), but this host's "
                              "configuration sets up swap")
    assert [(loc.path, loc.line) for _, loc in sw.at] == [("etc/fstab", 1)]
    assert "config-oom-score-adj" not in ids(e)  # mysqld was killed at 0, as configured
