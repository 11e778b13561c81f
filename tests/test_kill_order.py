"""The predicted OOM kill order (analysis/kill_order.py): the kernel's arithmetic against
hand-computed values (tests/data/kill_order_reference.yaml, from mm/oom_kill.c and
fs/proc/base.c), where each oom_score_adj comes from, the per-process split, and the order of
examples/db-prod as `oomlint budget` prints it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from oomlint.analysis.budget import Assumptions, host_budget
from oomlint.analysis.kill_order import (
    KillAssumptions,
    badness,
    kill_order,
    legacy_oom_score,
    oom_score,
)
from oomlint.cli import main
from oomlint.model.build import build_host
from oomlint.sources.tree import Tree

HERE = Path(__file__).parent
EXAMPLES = HERE.parent / "examples"
REF = yaml.safe_load((HERE / "data" / "kill_order_reference.yaml").read_text())
K, M, G = 1 << 10, 1 << 20, 1 << 30
PAGE = 4096


def _order(root, ram, swap=0, **kw):
    host = build_host(Tree(root=root), ".", ram=ram, swap=swap)
    return kill_order(host, host_budget(host), **kw)


@pytest.mark.parametrize("task", REF["tasks"], ids=lambda t: t["name"])
def test_formula_against_hand_computed_values(task):
    t = REF["totalpages"]
    b = badness(task["pages"], task["adj"], t)
    assert b == task["badness"]
    assert oom_score(b, t) == task["oom_score"]
    assert legacy_oom_score(task["pages"], task["adj"], t) == task["legacy_oom_score"]


def test_reference_order_from_units(tree):
    """linux.md §4.2's example as two units on 16 GiB without swap: B (3 GiB, +500) dies
    before A (6 GiB, 0)."""
    root = tree({
        "etc/systemd/system/a.service": "[Service]\nExecStart=/bin/a\nMemoryMax=6G\n",
        "etc/systemd/system/b.service":
            "[Service]\nExecStart=/bin/b\nMemoryMax=3G\nOOMScoreAdjust=500\n",
    })
    k = _order(root, 16 * G)
    assert k.totalpages == REF["totalpages"] and k.per_point == 4194
    got = [(c.service, c.rank, c.footprint_pages, c.adj_term, c.badness, c.oom_score)
           for c in k.ranked]
    assert got == [("b.service", 1, 786432, 500 * 4194, 2883432, 1124),
                   ("a.service", 2, 1572864, 0, 1572864, 916)]
    b = k.get("b.service")
    assert (b.adj_origin, b.adj_loc.path, b.adj_loc.line) == (
        "unit", "etc/systemd/system/b.service", 4)
    assert k.get("a.service").adj_source == "default 0"
    assert all(c.contained for c in k.ranked)  # each worst case is its cap


def test_swap_counts_in_totalpages(tree):
    root = tree({"etc/systemd/system/a.service": "[Service]\nExecStart=/bin/a\nMemoryMax=1G\n"})
    k = _order(root, 8 * G, swap=2 * G)
    assert k.totalpages == 10 * G // PAGE
    (a,) = k.ranked
    assert a.oom_score == (1000 + (G // PAGE) * 1000 // (10 * G // PAGE)) * 2 // 3 == 733


def test_db_prod_order():
    host = build_host(Tree(root=EXAMPLES / "db-prod"), ".", ram=8 * G, swap=0)
    k = kill_order(host, host_budget(host))
    assert k.totalpages == 2097152 and k.per_point == 2097
    assert [(c.service, c.rank, c.badness, c.oom_score) for c in k.ranked] == [
        ("mariadb.service", 1, 6 * G // PAGE, 1166)]
    maria = k.ranked[0]
    assert maria.contained and maria.worst_case > maria.limit == 6 * G
    (billing,) = k.exempt
    assert (billing.service, billing.adj, billing.badness, billing.oom_score) == (
        "billing-api.service", -1000, None, 0)
    assert (billing.adj_loc.path, billing.adj_loc.line) == (
        "etc/systemd/system/billing-api.service", 9)
    (worker,) = k.unknown
    assert worker.service == "report-worker.service" and worker.rank is None
    assert k.overtakes_at(worker) == 6 * G // PAGE


DEBIAN_PG = (HERE / "checks" / "OOM211" / "quiet-debian-postgresql" / "lib" / "systemd" /
             "system" / "postgresql@.service")


def test_debian_postgresql_backends_reset_to_zero(tree):
    """Debian's postgresql@.service gives the postmaster -900; pg_ctlcluster sets
    PG_OOM_ADJUST_FILE, so the backends (the largest tasks) run at 0."""
    root = tree({
        "lib/systemd/system/postgresql@.service": DEBIAN_PG.read_text(),
        "etc/postgresql/15/main/postgresql.conf":
            "shared_buffers = 2GB\nwork_mem = 16MB\nmax_connections = 200\n",
    })
    host = build_host(Tree(root=root), ".", ram=16 * G, swap=0)
    b = host_budget(host)
    k = kill_order(host, b)
    (pg,) = k.ranked
    floor = b.services[0].tiers["shared_floor"]
    assert pg.task_bytes == floor + 16 * M + Assumptions().pg_backend_baseline
    assert (pg.adj, pg.adj_origin, pg.adj_term) == (0, "program", 0)
    assert "postmaster -900" in pg.adj_note and "pg_ctlcluster" in pg.adj_note
    assert pg.badness == pg.task_bytes // PAGE


def test_pg_oom_adjust_value_from_the_unit_environment(tree):
    root = tree({
        "etc/systemd/system/postgresql.service":
            "[Service]\nExecStart=/usr/lib/postgresql/15/bin/postgres -D /var/lib/pg\n"
            "OOMScoreAdjust=-1000\nEnvironment=PG_OOM_ADJUST_FILE=/proc/self/oom_score_adj\n"
            "Environment=PG_OOM_ADJUST_VALUE=100\n",
        "var/lib/pg/postgresql.conf": "shared_buffers = 1GB\n",
    })
    k = _order(root, 8 * G)
    pg = next(c for c in k.candidates if c.kind == "postgresql")
    assert (pg.adj, pg.adj_origin, pg.adj_loc.line) == (100, "program", 5)
    assert pg.rank == 1 and pg.adj_term == 100 * 2097


def test_pg_backends_inherit_without_the_reset(tree):
    root = tree({
        "etc/systemd/system/postgresql.service":
            "[Service]\nExecStart=/usr/lib/postgresql/15/bin/postgres -D /var/lib/pg\n"
            "OOMScoreAdjust=-1000\n",
        "var/lib/pg/postgresql.conf": "shared_buffers = 1GB\n",
    })
    k = _order(root, 8 * G)
    pg = next(c for c in k.candidates if c.kind == "postgresql")
    assert pg.exempt and pg.adj_origin == "unit" and pg.rank is None


def test_default_oom_score_adjust_from_system_conf(tree):
    root = tree({
        "etc/systemd/system.conf": "[Manager]\nDefaultOOMScoreAdjust=200\n",
        "etc/systemd/system/a.service": "[Service]\nExecStart=/bin/a\nMemoryMax=1G\n",
        "etc/systemd/system/b.service":
            "[Service]\nExecStart=/bin/b\nMemoryMax=1G\nOOMScoreAdjust=0\n",
    })
    k = _order(root, 8 * G)
    a, b = k.get("a.service"), k.get("b.service")
    assert (a.adj, a.adj_origin, a.adj_loc.path, a.adj_loc.line) == (
        200, "manager", "etc/systemd/system.conf", 2)
    assert (b.adj, b.adj_origin) == (0, "unit")
    assert [c.service for c in k.ranked] == ["a.service", "b.service"]


def test_ram_unknown_ranks_nothing(tree):
    root = tree({"etc/systemd/system/a.service": "[Service]\nExecStart=/bin/a\nMemoryMax=1G\n"})
    host = build_host(Tree(root=root), ".")
    k = kill_order(host, host_budget(host))
    assert k.totalpages is None and k.ranked == ()
    assert k.candidates[0].badness is None and "RAM unknown" in k.notes[0]


def test_slice_members_are_contained_by_the_slice(tree):
    svc = "[Service]\nExecStart=/bin/x\nSlice=batch.slice\n"
    root = tree({
        "etc/systemd/system/batch.slice": "[Slice]\nMemoryMax=2G\n",
        "etc/systemd/system/a.service": svc,
        "etc/systemd/system/b.service": svc,
    })
    k = _order(root, 8 * G)
    assert [c.service for c in k.candidates] == ["a.service", "b.service"]  # no slice row
    assert all(c.contained and c.within == "batch.slice" and c.task_bytes == 2 * G
               for c in k.candidates)


def test_page_size_assumption(tree):
    root = tree({"etc/systemd/system/a.service": "[Service]\nExecStart=/bin/a\nMemoryMax=1G\n"})
    k = _order(root, 8 * G, a=KillAssumptions(page_size=64 * K))
    assert k.totalpages == 8 * G // (64 * K) and k.ranked[0].footprint_pages == G // (64 * K)


def test_budget_text_shows_the_kill_order():
    r = CliRunner().invoke(main, ["budget", str(EXAMPLES / "db-prod")], catch_exceptions=False)
    assert r.exit_code == 0
    lines = r.output.split("\n")
    i = lines.index("  kill order (global OOM at worst case): totalpages 2097152 (RAM + swap in "
                    "4 KiB pages), 1 oom_score_adj point = 2097 pages")
    assert lines[i + 2].split() == ["1", "mariadb.service", "6", "GiB", "1572864", "0", "+0",
                                    "1572864", "1166", "default", "0"]
    assert lines[i + 3].split()[:7] == ["-", "billing-api.service", "1", "GiB", "262144",
                                        "-1000", "never"]
    assert lines[i + 3].endswith("etc/systemd/system/billing-api.service:9")
    assert "unknown size, not ranked: report-worker.service (no worst case and no cap): " \
           "killed before #1 mariadb.service once its largest task holds more than 1572864 " \
           "pages (6 GiB)" in r.output


def test_budget_json_carries_kill_order_for_every_host():
    r = CliRunner().invoke(main, ["budget", str(EXAMPLES / "db-prod"), str(EXAMPLES / "db-prod"),
                                  "--format", "json"], catch_exceptions=False)
    doc = json.loads(r.output)
    for h in doc["hosts"]:
        ko = h["kill_order"]
        assert [e["service"] for e in ko] == ["mariadb.service", "billing-api.service",
                                              "report-worker.service"]
        first = ko[0]
        assert {k: first[k] for k in ("rank", "badness", "oom_score", "oom_score_adj",
                                      "adj_source", "contained", "unknown", "exempt")} == {
            "rank": 1, "badness": 1572864, "oom_score": 1166, "oom_score_adj": 0,
            "adj_source": "default 0", "contained": True, "unknown": False, "exempt": False}
        assert first["worst_case_bytes"] > first["task_bytes"] == 6 * G
        assert ko[1]["adj_line"] == 9 and ko[1]["rank"] is None and ko[1]["exempt"]
        assert ko[2]["unknown"] and ko[2]["badness"] is None
        assert h["kill_order_totalpages"] == 2097152


def test_budget_text_escapes_a_hostile_service_name(tmp_path):
    root = tmp_path / "h" / "etc" / "systemd" / "system"
    root.mkdir(parents=True)
    (root / "x\x1b[31m.service").write_text("[Service]\nExecStart=/bin/x\nMemoryMax=1G\n"
                                             "OOMScoreAdjust=-1000\n")
    r = CliRunner().invoke(main, ["budget", str(tmp_path / "h"), "--ram", "8G"],
                           catch_exceptions=False)
    assert "\x1b" not in r.output
    assert "x\\x1b[31m.service" in r.output.split("kill order")[1]


def test_readme_shows_the_db_prod_kill_order_as_printed():
    r = CliRunner().invoke(main, ["budget", "examples/db-prod"], catch_exceptions=False)
    lines = r.output.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("  kill order"))
    end = lines.index("", start)
    readme = (HERE.parent / "README.md").read_text()
    assert "\n".join(lines[start:end]) in readme


def test_php_fpm_and_redis_rank_their_largest_task():
    """tests/data/phpredis-lemp: php-fpm's worker is one pool memory_limit (256 MiB from
    php.ini) + opcache's 128 MiB, not 50 × 256 MiB; Redis is the process holding maxmemory
    (4 GiB), not the doubled fork worst case."""
    host = build_host(Tree(root=HERE / "data" / "phpredis-lemp"), ".", ram=8 * G, swap=0)
    b = host_budget(host)
    k = kill_order(host, b)
    fpm, redis = k.get("php8.2-fpm.service"), k.get("redis-server.service")
    assert fpm.task_bytes == 256 * M + 128 * M < fpm.worst_case
    assert redis.task_bytes == 4 * G and redis.worst_case == 8 * G
    assert [c.service for c in k.ranked] == ["redis-server.service", "php8.2-fpm.service"]
    assert [c.service for c in k.unknown] == ["nginx.service"]
