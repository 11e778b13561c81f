"""parsers/kernel_oom.py: every report in a log, whatever the prefix, table header or
verdict form; partial, interleaved and back-to-back reports; caps. Fixtures:
tests/data/oom_reports/ (README.md there says which variant each file holds and where the
shapes come from)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oomlint.base.grammar import gfp
from oomlint.parsers import kernel_oom
from oomlint.parsers.kernel_oom import parse_oom_log
from oomlint.parsers.lines import iter_lines

DATA = Path(__file__).parent / "data" / "oom_reports"
ARTICLE = (DATA / "db-prod-article.log").read_text().splitlines()


def parse(name: str):
    text = (DATA / name).read_bytes().decode("utf-8", "surrogateescape")
    return parse_oom_log(iter_lines(text), name).reports


def facts(r) -> dict:
    """The fields a test compares, flattened."""
    t, v, lg = r.trigger, r.victim, r.largest
    return {
        "lines": (r.line, r.end_line), "kind": r.kind, "cgroup": r.cgroup, "kernel": r.kernel,
        "trigger": (t.pid, t.name, t.order, t.gfp_mask, t.gfp_flags, t.oom_score_adj)
        if t else None,
        "victim": (v.pid, v.name, v.anon_rss_kb, v.file_rss_kb, v.shmem_rss_kb, v.oom_score_adj)
        if v else None,
        "largest": (lg.pid, lg.name, lg.rss) if lg else None,
        "tasks": r.tasks,
    }


# ---- the article's report -----------------------------------------------------------------


def test_the_articles_report():
    (r,) = parse("db-prod-article.log")
    assert facts(r) == {
        "lines": (1, 20), "kind": "global", "cgroup": None, "kernel": "5.15.0-91-generic",
        "trigger": (1234, "mysqld", 0, "0x100cca", ("GFP_HIGHUSER_MOVABLE",), 0),
        "victim": (1234, "mysqld", 7576884, 0, 0, 0),
        "largest": (1234, "mysqld", 1894221), "tasks": 5}
    assert r.task_columns == ("uid", "tgid", "total_vm", "rss", "pgtables_bytes", "swapents",
                              "oom_score_adj")
    assert r.meminfo_value("active_anon") == 1923004
    assert r.meminfo_value("active_file") == 142 and r.meminfo_value("free") == 21344
    ((z),) = r.zones
    assert (z.node, z.name, z.free_kb, z.min_kb, z.line) == (0, "Normal", 85376, 84320, 10)
    assert (r.swap_total_kb, r.memcg, r.page_kb, r.victim.adj_source) == (None, None, 4, "verdict")


# ---- every prefix form gives the same report ------------------------------------------------

PREFIXES = {
    "printk": lambda i: f"[{1000 + i:>5}.{i:06d}] ",
    "printk-caller": lambda i: f"[{1000 + i:>5}.{i:06d}] [ T1234] ",
    "dmesg-T": lambda i: "[Thu Dec  7 00:05:14 2017] ",
    "dmesg-T-german": lambda i: "[Di Aug 12 03:54:03 2025] ",
    "kern.log": lambda i: f"Jun 18 07:44:52 db-prod kernel: [64377.{i:06d}] ",
    "syslog-no-printk": lambda i: "Jan  5 02:12:02 db-prod kernel: ",
    "journal-short": lambda i: "Nov 23 15:36:19 db-prod kernel: ",
    "journal-masked-host": lambda i: "Feb 03 19:57:08 ** kernel: ",
    "journal-short-iso": lambda i: "2024-05-01T10:11:12+0000 db-prod kernel: ",
    "journal-short-precise": lambda i: "Nov 23 15:36:19.123456 db-prod kernel: ",
    "journal-short-full": lambda i: "Thu 2024-05-02 10:11:12 UTC db-prod kernel: ",
    "journal-short-monotonic": lambda i: f"[{1000 + i:>5}.{i:06d}] db-prod kernel: ",
    "rfc3339": lambda i: "2024-05-01T10:11:12.123456+00:00 db-prod kernel: ",
    "kernel-only": lambda i: "kernel: ",
    "printk-level": lambda i: f"<6>[{1000 + i:>5}.{i:06d}] ",
    "vmware-relay": lambda i: f"2023-12-04T10:49:30.127Z In(05) vcpu-5 - Guest: <6>[3929.{i:06d}] ",
    "markdown-indent": lambda i: "    ",
    "tab-indent": lambda i: "\t",
    "crlf-and-trailing-blanks": lambda i: "",
}


@pytest.mark.parametrize("form", sorted(PREFIXES))
def test_every_prefix_form_reads_the_same_report(form):
    make = PREFIXES[form]
    lines = [make(i) + line + ("  \r" if form == "crlf-and-trailing-blanks" else "")
             for i, line in enumerate(ARTICLE)]
    (r,) = parse_oom_log(lines, "x").reports
    (want,) = parse("db-prod-article.log")
    assert facts(r) == facts(want)
    assert r.meminfo == want.meminfo and r.zones == want.zones
    host = {"kern.log": "db-prod", "syslog-no-printk": "db-prod", "journal-short": "db-prod",
            "journal-masked-host": "**", "journal-short-iso": "db-prod",
            "journal-short-precise": "db-prod", "journal-short-full": "db-prod",
            "journal-short-monotonic": "db-prod",
            "rfc3339": "db-prod"}.get(form)
    assert r.host == host


def test_continuation_lines_without_prefix_belong_to_the_report():
    lines = [f"Jun 18 07:44:52 db-prod kernel: {line}" if not line.startswith(" ") else
             "                " + line for line in ARTICLE]
    (r,) = parse_oom_log(lines, "x").reports
    assert r.meminfo_value("active_file") == 142 and r.meminfo_value("free") == 21344


# ---- every task table generation ------------------------------------------------------------

TABLES = {
    # header columns between pid and name, and a victim row with adj 300
    "3.x nr_ptes": ("[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
                    "[ 4242]  1000  4242   300000   250000     500        0           300 "
                    "worker a"),
    "4.0-4.13 nr_pmds": ("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents "
                         "oom_score_adj name",
                         "[ 4242]  1000  4242   300000   250000     500       4        0     "
                         "      300 worker a"),
    "4.14 nr_puds": ("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds nr_puds swapents "
                     "oom_score_adj name",
                     "[ 4242]  1000  4242   300000   250000     500       4       3        0  "
                     "         300 worker a"),
    "4.15+ pgtables_bytes": ("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents "
                             "oom_score_adj name",
                             "[   4242]  1000  4242   300000   250000  2048000        0        "
                             "   300 worker a"),
    "6.8+ rss_anon": ("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem "
                      "pgtables_bytes swapents oom_score_adj name",
                      "[   4242]  1000  4242   300000   250000   249000     1000         0  "
                      "2048000        0           300 worker a"),
}


@pytest.mark.parametrize("gen", sorted(TABLES))
def test_every_task_table_generation(gen):
    head, row = TABLES[gen]
    small = row.replace("[ 4242]", "[ 4300]").replace("[   4242]", "[   4300]").replace(
        "  4242 ", "  4300 ").replace("250000", "  1000").replace(" 300 worker a", "   0 sh")
    lines = ["worker a invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=300",
             head, row, small,
             "Out of memory: Kill process 4242 (worker a) score 900 or sacrifice child",
             "Killed process 4242 (worker a) total-vm:1200000kB, anon-rss:996000kB, "
             "file-rss:4000kB"]
    (r,) = parse_oom_log(lines, "x").reports
    assert r.tasks == 2
    assert (r.largest.pid, r.largest.name, r.largest.rss) == (4242, "worker a", 250000)
    assert (r.victim.oom_score_adj, r.victim.adj_source) == (300, "table")
    assert r.victim.chosen_pid is None  # chosen and killed are the same pid
    assert r.page_kb == 4


def test_rows_without_a_header_and_a_pid_wider_than_the_padding():
    (r,) = parse("proxmox-lxc-docker-5.15.log")
    assert (r.largest.pid, r.largest.rss, r.tasks) == (3902942, 3195335, 3)
    lines = ["[3902942]  1000 3902942  3685044  3195335 27021312        0             0 php-fpm",
             "Out of memory: Killed process 3902942 (php-fpm) total-vm:14740176kB, "
             "anon-rss:12625252kB, file-rss:0kB, shmem-rss:156088kB"]
    (r,) = parse_oom_log(lines, "x").reports
    assert (r.largest.pid, r.largest.name, r.victim.oom_score_adj) == (3902942, "php-fpm", 0)


# ---- every verdict form -------------------------------------------------------------------------

VERDICTS = {
    "<=5.0 global": (["Out of memory: Kill process 6576 (mysqld) score 651 or sacrifice child",
                      "Killed process 6576 (mysqld) total-vm:33914892kB, anon-rss:20629004kB, "
                      "file-rss:0kB, shmem-rss:0kB"],
                     "global", (6576, "mysqld", 20629004, 0, 0, None)),
    "3.10 no shmem": (["Killed process 28438 (java) total-vm:20255636kB, anon-rss:466160kB, "
                       "file-rss:13684kB"], "unknown", (28438, "java", 466160, 13684, None, None)),
    "RHEL 6 UID": (["Out of memory: Kill process 11726 (mysqld) score 901 or sacrifice child",
                    "Killed process 11726, UID 498, (mysqld) total-vm:7823732kB, "
                    "anon-rss:2539268kB, file-rss:768kB"],
                   "global", (11726, "mysqld", 2539268, 768, None, None)),
    "RHEL 7 UID": (["Memory cgroup out of memory: Kill process 42452 (memcg_test_1) score 0 or "
                    "sacrifice child",
                    "Killed process 42452 (memcg_test_1), UID 0, total-vm:7296kB, "
                    "anon-rss:96kB, file-rss:164kB, shmem-rss:0kB"],
                   "cgroup", (42452, "memcg_test_1", 96, 164, 0, None)),
    "<=5.0 memcg": (["Memory cgroup out of memory: Kill process 24572 (java) score 0 or "
                     "sacrifice child",
                     "Killed process 28438 (java) total-vm:20255636kB, anon-rss:466160kB, "
                     "file-rss:13684kB, shmem-rss:0kB"],
                    "cgroup", (28438, "java", 466160, 13684, 0, None)),
    "5.1-5.3": (["Out of memory: Killed process 15925 ((resolved)) total-vm:168424kB, "
                 "anon-rss:4064kB, file-rss:3584kB, shmem-rss:0kB"],
                "global", (15925, "(resolved)", 4064, 3584, 0, None)),
    "5.4+": (["Out of memory: Killed process 401 (systemd-journal) total-vm:32724kB, "
              "anon-rss:1112kB, file-rss:8888kB, shmem-rss:4kB, UID:0 pgtables:84kB "
              "oom_score_adj:-250"], "global", (401, "systemd-journal", 1112, 8888, 4, -250)),
    "5.4+ memcg": (["Memory cgroup out of memory: Killed process 63214 (uwsgi) "
                    "total-vm:3149468kB, anon-rss:164992kB, file-rss:52176kB, shmem-rss:92kB, "
                    "UID:0 pgtables:1372kB oom_score_adj:986"],
                   "cgroup", (63214, "uwsgi", 164992, 52176, 92, 986)),
    "allocating task": (["Out of memory (oom_kill_allocating_task): Killed process 77 (cc1plus) "
                         "total-vm:900kB, anon-rss:800kB, file-rss:0kB, shmem-rss:0kB, UID:1000 "
                         "pgtables:8kB oom_score_adj:0"],
                        "global", (77, "cc1plus", 800, 0, 0, 0)),
    "2.6 or a child": (["Out of memory: kill process 22011 (apache2) score 190120 or a child",
                        "Killed process 22014 (apache2)"],
                       "global", (22014, "apache2", None, None, None, None)),
    "name with parens and spaces": (["Out of memory: Killed process 9 (npm (x) start) "
                                     "total-vm:10kB, anon-rss:8kB, file-rss:0kB, shmem-rss:0kB"],
                                    "global", (9, "npm (x) start", 8, 0, 0, None)),
}


@pytest.mark.parametrize("form", sorted(VERDICTS))
def test_every_verdict_form(form):
    lines, kind, victim = VERDICTS[form]
    (r,) = parse_oom_log(lines, "x").reports
    v = r.victim
    assert (v.pid, v.name, v.anon_rss_kb, v.file_rss_kb, v.shmem_rss_kb, v.oom_score_adj) == victim
    assert r.kind == kind and (r.line, r.end_line) == (1, len(lines))


def test_no_killable_processes_and_panic():
    _, r = parse("sysrq-and-no-killable.log")
    assert r.no_killable and r.panic and r.victim is None
    assert (r.largest.name, r.largest.oom_score_adj) == ("appserver", -1000)
    assert (r.line, r.end_line) == (14, 29)


def test_sysrq_f():
    r, _ = parse("sysrq-and-no-killable.log")
    assert r.sysrq and r.trigger.order == -1
    assert (r.victim.pid, r.victim.oom_score_adj) == (1101, 200)


def test_sacrifice_child_victim_is_the_killed_child():
    (r,) = parse("rhel7-3.10-printk.log")
    v = r.victim
    assert (v.pid, v.name, v.chosen_pid, v.chosen_name, v.score) == (
        6577, "mysqld", 6576, "mysqld_safe", 651)
    assert (v.oom_score_adj, v.adj_source) == (0, "table")
    assert r.trigger.gfp_flags == ("GFP_HIGHUSER_MOVABLE", "__GFP_COLD")
    assert r.trigger.gfp_flags_decoded
    assert (r.swap_free_kb, r.swap_total_kb) == (0, 0)
    assert [z.name for z in r.zones] == ["DMA", "DMA32", "Normal"]
    assert r.task_columns == ("uid", "tgid", "total_vm", "rss", "nr_ptes", "swapents",
                              "oom_score_adj")


# ---- the fixtures, report by report ---------------------------------------------------------------


def test_dmesg_t_order_2():
    (r,) = parse("dmesg-T-4.9-order2.log")
    assert facts(r) == {
        "lines": (1, 23), "kind": "global", "cgroup": None, "kernel": "4.9.0-4-amd64",
        "trigger": (3124, "chromium", 2, "0x27000c0",
                    ("GFP_KERNEL_ACCOUNT", "__GFP_NOTRACK"), 300),
        "victim": (3124, "chromium", 150220, 11024, 0, 300),
        "largest": (1874, "firefox-esr", 91203), "tasks": 3}
    assert r.meminfo_value("active_file") == 180210  # a continuation line with no prefix
    assert (r.swap_free_kb, r.swap_total_kb) == (1949624, 2097148)
    assert r.task_columns[4:6] == ("nr_ptes", "nr_pmds")
    assert r.buddy == (("Normal (node 0)", ((4, 28673), (8, 1201), (16, 0), (32, 0), (64, 0),
                                            (128, 0))),)


def test_kern_log_skips_daemon_and_logger_lines():
    (r,) = parse("kernlog-4.15-syslog.log")
    assert facts(r) == {
        "lines": (2, 24), "kind": "global", "cgroup": None, "kernel": "4.15.0-20-generic",
        "trigger": (22411, "cp", 0, "0x14000c0", ("GFP_KERNEL",), -998),
        "victim": (1190, "backup-agent", 1880480, 0, 0, -998),
        "largest": (1190, "backup-agent", 470120), "tasks": 3}
    assert r.host == "jbarnes-g45" and r.reaped
    assert not r.victim.chosen_pid  # chosen and killed are the same


def test_memcg_v2_kubernetes():
    (r,) = parse("k8s-5.4-memcg-v2-rfc3339.log")
    pod = "/kubepods/burstable/pod6e4c1a5b-7d2f-4a8e-9c3b-1f2e3d4c5b6a"
    assert facts(r) == {
        "lines": (1, 22), "kind": "cgroup", "cgroup": pod, "kernel": "5.4.0-150-generic",
        "trigger": (63220, "uwsgi", 0, "0xcc0", ("GFP_KERNEL",), 986),
        "victim": (63214, "uwsgi", 164992, 52176, 92, 986),
        "largest": (63214, "uwsgi", 54317), "tasks": 3}
    assert (r.memcg.usage_kb, r.memcg.limit_kb, r.memcg.failcnt) == (1048576, 1048576, 141)
    assert (r.memcg.swap_usage_kb, r.constraint) == (0, "CONSTRAINT_MEMCG")
    assert r.task_memcg.startswith(pod + "/4f1e2d3c")


def test_cgroup_oom_of_a_systemd_unit_on_6x():
    (r,) = parse("php-fpm-6.8-cgroup-journal.log")
    assert facts(r) == {
        "lines": (1, 25), "kind": "cgroup", "cgroup": "/system.slice/php8.2-fpm.service",
        "kernel": "6.12.12-amd64",
        "trigger": (48211, "php-fpm8.2", 0, "0x140cca", ("GFP_HIGHUSER_MOVABLE", "__GFP_COMP"),
                    0),
        "victim": (48240, "php-fpm8.2", 173200, 6844, 0, 0),
        "largest": (48240, "php-fpm8.2", 45011), "tasks": 4}
    assert r.task_columns[4:7] == ("rss_anon", "rss_file", "rss_shmem")
    assert r.kind_evidence == "oom-kill: oom_memcg="


def test_lxc_and_vmware():
    (r,) = parse("proxmox-lxc-docker-5.15.log")
    assert (r.kind, r.cgroup, r.victim.shmem_rss_kb) == ("cgroup", "/lxc/39004", 156088)
    (r,) = parse("vmware-relay-6.1.log")
    assert facts(r)["trigger"] == (2211, "java", 0, "0x140cca",
                                   ("GFP_HIGHUSER_MOVABLE", "__GFP_COMP"), 0)
    assert (r.kind, r.task_memcg, r.zones[0].free_kb, r.zones[0].min_kb) == (
        "global", "/system.slice/tomcat10.service", 105428, 121952)
    assert (r.line, r.end_line, r.swap_total_kb) == (1, 15, 0)


def test_back_to_back_reports_in_an_indented_paste():
    a, b = parse("markdown-indented-6.1-hunt.log")
    assert (a.line, a.end_line, b.line, b.end_line) == (3, 20, 21, 28)
    assert (a.victim.pid, b.victim.pid) == (911, 3310)
    assert (a.largest.name, a.largest.oom_score_adj, a.tasks) == ("billing-api", -1000, 4)
    assert a.reaped and not b.reaped
    assert b.zones == () and b.meminfo == ()  # nothing borrowed from the report before
    assert any(True for _ in [a]) and "npm start" not in (a.largest.name,)


def test_a_name_with_a_space_in_the_table():
    (a, _) = parse("markdown-indented-6.1-hunt.log")
    lines = (DATA / "markdown-indented-6.1-hunt.log").read_text().splitlines()
    assert lines[16].endswith("npm start") and a.tasks == 4


def test_fragments():
    reports = parse("fragments.log")
    assert [(r.line, r.end_line, r.kind) for r in reports] == [
        (8, 8, "global"), (9, 11, "global"), (12, 12, "unknown")]
    summary, table, kill = reports
    assert (summary.victim.pid, summary.victim.name, summary.victim.source) == (
        7001, "worker", "summary")
    assert summary.victim.anon_rss_kb is None and summary.trigger is None
    assert (table.largest.pid, table.victim.pid, table.tasks) == (7100, 7100, 2)
    assert (kill.victim.pid, kill.largest, kill.tasks) == (7202, None, 0)


def test_interleaved_hosts_are_kept_apart():
    db, app = parse("interleaved-hosts-syslog.log")
    assert (db.host, db.line, db.end_line, db.kind) == ("db1", 1, 14, "global")
    assert (app.host, app.line, app.end_line, app.kind) == ("app1", 2, 15, "cgroup")
    assert (db.trigger.pid, db.victim.pid, db.largest.pid) == (2001, 2001, 2001)
    assert (app.trigger.pid, app.victim.pid, app.largest.rss) == (5100, 5100, 520012)
    assert app.memcg.limit_kb == 2097152 and db.memcg is None
    assert app.cgroup == "/system.slice/tomcat10.service" and db.cgroup is None
    assert app.task_columns[4] == "rss_anon" and db.task_columns[4] == "pgtables_bytes"


def test_kernel_2_6():
    old, rhel6 = parse("kernel-2.6.log")
    assert facts(old)["trigger"] == (23105, "apt-check", 0, "0x201da",
                                     ("GFP_HIGHUSER_MOVABLE", "__GFP_COLD"), None)
    assert (old.trigger.oom_adj, old.kernel, old.kind) == (0, "2.6.30", "global")
    assert (old.victim.pid, old.victim.chosen_pid, old.victim.total_vm_kb) == (22014, 22011, None)
    assert old.meminfo_value("active_anon") == 290797  # written Active_anon:
    assert old.meminfo_value("inactive_file") == 77
    assert [(z.node, z.name, z.free_kb, z.min_kb) for z in old.zones] == [
        (None, "DMA32", 5588, 5608)]
    assert (rhel6.host, rhel6.victim.uid, rhel6.victim.anon_rss_kb) == ("**", 498, 2539268)
    assert (rhel6.trigger.oom_adj, rhel6.trigger.oom_score_adj) == (0, 0)
    assert rhel6.kernel == "2.6.32-431.el6.x86_64"


def test_memcg_v1_task_in_and_group_kill():
    (r,) = parse("memcg-v1-4.14-group.log")
    assert (r.kind, r.cgroup, r.kind_evidence) == ("cgroup", "/docker/1e479e75a3b2c4d5",
                                                   "Memory cgroup out of memory")
    assert (r.victim.pid, r.victim.chosen_pid) == (28438, 24572)
    assert (r.group_kill, r.extra_kills, r.end_line) == (True, 1, 17)
    assert r.memcg.swap_limit_kb == 1048576  # memory+swap


def test_memcg_evidence_from_the_stack_alone():
    lines = ["[1.0] java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
             "[1.1]  mem_cgroup_out_of_memory+0xbd/0xe0",
             "[1.2] Killed process 5 (java) total-vm:10kB, anon-rss:8kB, file-rss:0kB"]
    (r,) = parse_oom_log(lines, "x").reports
    assert (r.kind, r.kind_evidence, r.cgroup) == ("cgroup", "memcg stack frame", None)


def test_early_5x_memcg_with_constraint_none():
    lines = ["oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
             "oom_memcg=/system.slice/x.service,task_memcg=/system.slice/x.service,task=x,"
             "pid=3,uid=0",
             "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
             "global_oom,task_memcg=/system.slice/docker-ab12.scope,task=a,b,pid=4,uid=0"]
    a, b = parse_oom_log(lines, "x").reports
    assert (a.kind, a.cgroup, b.kind, b.cgroup) == ("cgroup", "/system.slice/x.service",
                                                    "global", None)
    assert (b.victim.name, b.victim.pid) == ("a,b", 4)  # a comm with a comma


def test_page_size_from_the_victims_row():
    r, cut = parse("sparc64-8k-and-resolved.log")
    assert (r.page_kb, r.victim.name, r.largest.name) == (8, "(resolved)", "(resolved)")
    assert cut.trigger.name == "tmux: client" and cut.trigger.order == 3
    assert cut.victim is None and cut.largest is None and cut.page_kb == 4
    lines = (DATA / "sparc64-8k-and-resolved.log").read_text().splitlines()
    assert lines[7].endswith(" R") and r.tasks == 2


def test_printk_time_going_backwards_ends_a_report():
    first, second = parse("concatenated-boots.log")
    assert (first.line, first.end_line, first.victim) == (1, 5, None)
    assert (second.line, second.victim.pid) == (6, 410)


def test_what_is_not_a_report():
    """A page allocation failure, oom_reaper for another pid, systemd's and systemd-oomd's
    lines, a user-space `logger` line tagged kernel[pid]."""
    lines = ["[1.0] kswapd0: page allocation failure: order:0, mode:0xa20(GFP_ATOMIC)",
             "[1.1] Mem-Info:", "[1.2] active_anon:1 inactive_anon:1 isolated_anon:0",
             "[1.3] Node 0 Normal free:1kB min:2kB low:3kB high:4kB",
             "[2.0] oom_reaper: reaped process 4358 (bash), now anon-rss:0kB",
             "Mar 04 10:00:01 web2 systemd[1]: x.service: A process of this unit has been "
             "killed by the OOM killer.",
             "Mar 04 10:00:01 web2 kernel[19202]: Out of memory: Killed process 1 (init) "
             "total-vm:1kB, anon-rss:1kB, file-rss:0kB",
             "vmalloc: allocation failure: 0 bytes, mode:0xcc0(GFP_KERNEL)"]
    assert parse_oom_log(lines, "x").reports == ()


def test_a_mem_info_dump_that_a_table_follows_starts_the_report():
    lines = ["Mem-Info:", "active_anon:10 inactive_anon:0 isolated_anon:0",
             " active_file:1 inactive_file:1 isolated_file:0",
             "Tasks state (memory values in pages):",
             "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
             "[    1]     0     1      100       10     4096        0             0 init"]
    (r,) = parse_oom_log(lines, "x").reports
    assert (r.line, r.end_line, r.kind, r.meminfo_value("active_anon")) == (1, 6, "global", 10)


# ---- bounds --------------------------------------------------------------------------------


def test_reports_past_the_cap_are_counted(monkeypatch):
    monkeypatch.setattr(kernel_oom, "MAX_REPORTS", 3)
    lines = [f"Out of memory: Killed process {i} (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB"
             for i in range(10)]
    log = parse_oom_log(lines, "x")
    assert ([r.victim.pid for r in log.reports], log.dropped) == ([0, 1, 2], 7)


def test_task_rows_past_the_cap_still_count_for_the_largest(monkeypatch):
    monkeypatch.setattr(kernel_oom, "MAX_TASK_ROWS", 10)
    head = "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name"
    rows = [f"[{p:>7}]     0 {p:>5}      100 {p:>8}     4096        0             0 t{p}"
            for p in range(1, 101)]
    (r,) = parse_oom_log(["x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
                          "oom_score_adj=0", head, *rows], "x").reports
    assert (r.tasks, r.largest.pid, r.truncated) == (100, 100, True)


def test_long_lines_are_cut_and_huge_numbers_do_not_overflow():
    lines = ["x" * 1_000_000 + " invoked oom-killer: gfp_mask=0xcc0, order=0",
             "y invoked oom-killer: gfp_mask=0x" + "f" * 5000 + ", order=" + "9" * 5000,
             "Out of memory: Killed process " + "9" * 5000 + " (z) total-vm:1kB"]
    log = parse_oom_log(lines, "x")
    # the first trigger is past MAX_LINE, the kill line's pid is no kernel pid
    assert [r.trigger.name for r in log.reports] == ["y"]
    assert log.reports[0].trigger.order is None and log.reports[0].trigger.gfp_mask is None


# ---- GFP flags -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mask, era, want", [
    (0x201da, "2.6-4.3", ("GFP_HIGHUSER_MOVABLE", "__GFP_COLD")),  # 3.10 EL7
    (0xd0, "2.6-4.3", ("GFP_KERNEL",)),
    (0x24000c0, "4.4-4.12", ("GFP_KERNEL",)),
    (0x27000c0, "4.4-4.12", ("GFP_KERNEL_ACCOUNT", "__GFP_NOTRACK")),
    (0x24201ca, "4.4-4.12", ("GFP_HIGHUSER_MOVABLE", "__GFP_COLD")),
    (0xcc0, "5.0+", ("GFP_KERNEL",)),
    (0x400cc0, "5.0+", ("GFP_KERNEL_ACCOUNT",)),
    (0x100cca, "5.0+", ("GFP_HIGHUSER_MOVABLE",)),
    (0x140dca, "5.0+", ("GFP_HIGHUSER_MOVABLE", "__GFP_ZERO", "__GFP_COMP")),
    (0xa20, "5.0+", ("GFP_ATOMIC",)),
    (0x1100cca, "5.0+", ("GFP_HIGHUSER_MOVABLE", "0x1000000")),
])
def test_gfp_decode(mask, era, want):
    assert gfp.decode(mask, era) == want


def test_gfp_era():
    assert [gfp.era_of(v) for v in (None, (2, 6), (3, 10), (4, 4), (4, 12), (4, 15), (5, 4),
                                    (6, 8))] == ["2.6-4.3", "2.6-4.3", "2.6-4.3", "4.4-4.12",
                                                 "4.4-4.12", "", "5.0+", "5.0+"]
    assert gfp.decode(0xcc0, "") == ()


def test_broken_lines_leave_fields_unknown_not_wrong():
    """A terminal cut with `>`, an e-mail wrap inside a token, GitHub's autolinking of `#1`."""
    lines = ["mysqld invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_sc>",
             "CPU: 2 PID: 1234 Comm: mysqld Not tainted 5.15.0-91-generic containers/crun#1",
             "Out of memory: Killed process 1234 (mysqld) total-vm:8380416kB, anon-rss:7576",
             "884kB, file-rss:0kB, shmem-rss:0kB, UID:111 pgtables:15904768B oom_score_adj:0"]
    (r,) = parse_oom_log(lines, "x").reports
    assert (r.trigger.order, r.trigger.oom_score_adj, r.trigger.pid) == (0, None, 1234)
    assert r.kernel == "5.15.0-91-generic"
    assert (r.victim.pid, r.victim.total_vm_kb, r.victim.anon_rss_kb, r.victim.file_rss_kb) == (
        1234, 8380416, None, None)


def test_rows_kept_by_open_reports_are_bounded_together(monkeypatch):
    """Interleaved hosts each with a table: the rows kept across open reports stay under one
    budget; the largest task is still found past it."""
    monkeypatch.setattr(kernel_oom, "MAX_OPEN_ROWS", 50)
    lines = []
    for h in range(4):
        lines.append(f"May  1 03:00:01 h{h} kernel: x invoked oom-killer: gfp_mask=0xcc0, order=0")
    for h in range(4):  # the tables one after another, every report still open
        for p in range(1, 41):
            lines.append(f"May  1 03:00:01 h{h} kernel: [{p:>7}]     0 {p:>5}      100 "
                         f"{p * 10:>8}     4096        0             0 t{p}")
    log = parse_oom_log(lines, "x")
    assert [(r.host, r.tasks, r.largest.pid) for r in log.reports] == [
        (f"h{h}", 40, 40) for h in range(4)]
    assert [r.truncated for r in log.reports] == [False, True, True, True]
