"""`oomlint budget`: the arithmetic a person can check by hand, and the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import write_tree

from oomlint.analysis.budget import host_budget
from oomlint.cli import main
from oomlint.model.build import build_host
from oomlint.model.postgresql import shared_memory_size, shared_memory_terms
from oomlint.sources.tree import Tree

EXAMPLES = Path(__file__).parent.parent / "examples"
K, M, G = 1024, 1024**2, 1024**3


def budget_json(*args):
    r = CliRunner().invoke(main, ["budget", *map(str, args), "--format", "json"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_db_prod_mariadb_by_hand(monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    doc = budget_json("examples/db-prod")
    host = doc["hosts"][0]
    assert host["ram_bytes"] == 8 * G and host["swap_bytes"] == 0
    svc = {s["name"]: s for s in host["services"]}
    maria = svc["mariadb.service"]
    assert maria["kind"] == "mysql" and maria["limit_bytes"] == 6 * G
    # 50-server.cnf: buffer pool 6G, log buffer 64M, key buffer 256M; MariaDB 10.11 defaults:
    # query cache 1M, aria pagecache 128M.
    global_ = 6 * G + 64 * M + 256 * M + 1 * M + 128 * M
    # per connection (MySQLTuner's per_thread_buffers): read 128K (default), read_rnd 1M,
    # sort 4M, join 4M, thread_stack 292K (299008, default); min(tmp 64M, heap 32M) = 32M
    # once.
    per_conn = 128 * K + 1 * M + 4 * M + 4 * M + 299008
    assert maria["worst_case_bytes"] == global_ + 32 * M + 400 * per_conn
    assert maria["tiers"]["mysqltuner"] == maria["worst_case_bytes"]
    # the stress tier: the other 399 temporary tables and 400 binlog caches (32K default)
    assert maria["tiers"]["stress"] == maria["worst_case_bytes"] + 399 * 32 * M + 400 * 32 * K
    assert maria["settings"]["max_connections"] == 400
    assert maria["settings"]["sort_buffer_size"] == 4 * M
    bp = next(t for t in maria["terms"] if t["label"] == "innodb_buffer_pool_size")
    assert (bp["path"], bp["line"], bp["bytes"]) == (
        "examples/db-prod/etc/mysql/mariadb.conf.d/50-server.cnf", 9, 6 * G)
    tmp = next(t for t in maria["terms"] if "min(tmp_table_size" in t["label"])
    assert (tmp["line"], tmp["bytes"]) == (17, 32 * M)  # max_heap_table_size wins
    more = next(t for t in maria["stress_terms"] if "min(tmp_table_size" in t["label"])
    assert (more["line"], more["bytes"]) == (17, 399 * 32 * M)
    assert svc["report-worker.service"]["worst_case_bytes"] is None
    assert host["unbounded"] == ["report-worker.service"]
    # MemoryMax=6G caps MariaDB's 22.6 GiB worst case: the host sums min(worst case, cap),
    # the uncapped figure is kept beside it.
    assert maria["counted_bytes"] == 6 * G
    assert host["total_worst_case_bytes"] == 6 * G + 1 * G
    assert host["uncapped_total_worst_case_bytes"] == maria["worst_case_bytes"] + 1 * G


def test_terms_carry_file_and_line(tree):
    root = tree({
        "lib/systemd/system/mariadb.service": "[Service]\nExecStart=/usr/sbin/mariadbd\n",
        "etc/mysql/my.cnf": "[mysqld]\nmax_connections = 10\n\n[mysqld]\nsort_buffer_size = 8M\n",
    })
    b = host_budget(build_host(Tree(root=root), ".", ram=8 * G))
    s = b.services[0]
    sort = next(t for t in s.terms if "sort_buffer_size" in t.label)
    assert (sort.loc.path, sort.loc.line, sort.bytes) == ("etc/mysql/my.cnf", 5, 10 * 8 * M)


def test_postgresql_tiers_by_hand(tree):
    root = tree({
        "etc/postgresql/15/main/postgresql.conf":
            "shared_buffers = 2GB\nwork_mem = 16MB\nmax_connections = 200\n"
            "maintenance_work_mem = 512MB\n",
    })
    b = host_budget(build_host(Tree(root=root), ".", ram=16 * G))
    s = b.services[0]
    assert s.kind == "postgresql" and s.name == "postgresql@15-main.service"
    # the floor is model/postgresql.py's shared_memory_size (checked against postgres -C
    # in test_databases.py); its terms add up to it, and the buffers dominate
    floor = s.tiers["shared_floor"]
    db = build_host(Tree(root=root), ".", ram=16 * G).databases[0]
    assert floor == shared_memory_size(db.config)
    assert sum(t.bytes for t in s.terms[:len(shared_memory_terms(db.config)) + 1]
               if t.bytes) >= floor
    buffers = next(t for t in s.terms if t.label.startswith("shared_buffers ("))
    assert buffers.bytes == 2 * G // 8192 * 8372 and buffers.loc.line == 1
    wal = next(t for t in s.terms if t.label.startswith("wal_buffers ("))
    assert wal.bytes == 2048 * (8192 + 8)  # -1: shared_buffers / 32, capped at 16 MB
    av = 3 * 512 * M  # autovacuum_work_mem -1 -> maintenance_work_mem
    assert s.tiers["plausible_peak"] == floor + 200 * (5 * M + 16 * M) + av + 512 * M
    stress = floor + (200 + 8) * (5 * M + 8 * M + int(3 * 16 * M * 2.0)) + av + 512 * M
    assert s.tiers["stress"] == stress
    assert s.worst_case == s.tiers["plausible_peak"]


def test_slice_cap_counted_once(tree):
    svc = "[Service]\nExecStart=/bin/x\nSlice=batch.slice\n"
    root = tree({
        "etc/systemd/system/a.service": svc,
        "etc/systemd/system/b.service": svc,
        "etc/systemd/system/batch.slice": "[Slice]\nMemoryMax=1G\n",
    })
    b = host_budget(build_host(Tree(root=root), ".", ram=8 * G))
    # Every service is listed; the members are counted once, as the slice.
    assert [(s.name, s.kind, s.counted, s.within) for s in b.services] == [
        ("a.service", "unit", None, "batch.slice"), ("b.service", "unit", None, "batch.slice"),
        ("batch.slice", "slice", G, None)]
    assert b.total == G and b.unbounded == ()


def test_budget_json_contract(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "h", {
        "lib/systemd/system/mariadb.service": "[Service]\nExecStart=/usr/sbin/mariadbd\n",
        "etc/mysql/my.cnf": "[mysqld]\ninnodb_buffer_pool_size = 1G\n",
    })
    doc = budget_json("h", "--ram", "4G")
    assert doc["version"] == 1
    h = doc["hosts"][0]
    assert set(h) >= {"name", "ram_bytes", "swap_bytes", "services", "total_worst_case_bytes"}
    s = h["services"][0]
    assert set(s) >= {"name", "kind", "worst_case_bytes", "tiers", "limit_bytes", "settings",
                      "terms"}
    assert s["settings"]["innodb_buffer_pool_size"] == G
    t = next(t for t in s["terms"] if t["label"] == "innodb_buffer_pool_size")
    assert (t["path"], t["line"]) == ("h/etc/mysql/my.cnf", 2)


def test_budget_text_shows_arithmetic():
    r = CliRunner().invoke(main, ["budget", str(EXAMPLES / "db-prod")], catch_exceptions=False)
    assert r.exit_code == 0
    assert "400 × sort_buffer_size" in r.output and "= worst case" in r.output
    assert "unbounded" in r.output


def test_config_file_names_its_unit(tree):
    root = tree({
        "etc/systemd/system/reporting-db.service":
            "[Service]\nExecStart=/opt/db/bin/start\nMemoryMax=1G\n",
        "etc/mysql/my.cnf": "# oomlint: unit=reporting-db.service\n[mysqld]\n"
                            "innodb_buffer_pool_size = 2G\n",
    })
    b = host_budget(build_host(Tree(root=root), ".", ram=8 * G))
    db = next(s for s in b.services if s.kind == "mysql")
    assert db.name == "reporting-db.service" and db.limit == G
    assert [s.name for s in b.services if s.kind == "unit"] == []  # counted once, as the db


def test_jvm_threads_per_unit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "h", {
        "etc/systemd/system/kafka.service":
            "[Service]\nExecStart=/usr/bin/java -Xmx1g -Xss1m -jar /opt/k.jar\nMemoryMax=4G\n",
    })
    (tmp_path / ".oomlint.toml").write_text('[budget]\njvm_threads_by_unit = {"kafka.service" = 800}\n')
    doc = budget_json("h", "--ram", "8G")
    s = doc["hosts"][0]["services"][0]
    assert s["settings"]["assumed_threads"] == 800
    t = next(t for t in s["terms"] if "threads" in t["label"])
    assert t["bytes"] == 800 * M


def test_capped_service_counts_its_cap_uncapped_beside_it(tmp_path, monkeypatch):
    """A footprint above its MemoryMax counts min(worst case, MemoryMax) in the host's sum;
    the uncapped figure is shown beside it (text: the counted column and the total line)."""
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "h", {
        "lib/systemd/system/mariadb.service": "[Service]\nExecStart=/usr/sbin/mariadbd\n",
        "etc/systemd/system/mariadb.service.d/cap.conf": "[Service]\nMemoryMax=1G\n",
        "etc/mysql/my.cnf": "[mysqld]\ninnodb_buffer_pool_size = 2G\n",
    })
    doc = budget_json("h", "--ram", "8G")["hosts"][0]
    maria = doc["services"][0]
    assert maria["worst_case_bytes"] > 2 * G and maria["counted_bytes"] == G
    assert doc["total_worst_case_bytes"] == G
    assert doc["uncapped_total_worst_case_bytes"] == maria["worst_case_bytes"]
    r = CliRunner().invoke(main, ["budget", "h", "--ram", "8G"], catch_exceptions=False)
    row = next(line for line in r.output.splitlines() if line.startswith("  mariadb.service"))
    # MariaDB 10.11, MySQLTuner: 2048 + 128 + 16 + 1 + 128 + 16 MiB + 151 x 2980 KiB = 2.71 GiB.
    assert row.split()[1:] == ["mysql", "2.71", "GiB", "1", "GiB", "1", "GiB", "12%"]
    assert "total worst case  1 GiB (uncapped 2.71 GiB)" in r.output


def test_share_of_ram_cap_is_a_permission(tree):
    """`MemoryMax=90%` on a slice with no footprint of its own (cockpit-ws's
    system-cockpithttps.slice shape) is shown and not summed; an absolute MemoryMax the
    administrator wrote on a slice is summed once."""
    svc = "[Service]\nExecStart=/bin/x\nSlice={}\n"
    root = tree({
        "etc/systemd/system/web.service": svc.format("web.slice"),
        "etc/systemd/system/web.slice": "[Slice]\nMemoryHigh=75%\nMemoryMax=90%\n",
        "etc/systemd/system/batch.service": svc.format("batch.slice"),
        "etc/systemd/system/batch.slice": "[Slice]\nMemoryMax=2G\n",
        "usr/lib/systemd/system/vendor.service": "[Service]\nExecStart=/bin/v\nMemoryMax=6G\n",
    })
    b = host_budget(build_host(Tree(root=root), ".", ram=8 * G))
    rows = {s.name: (s.kind, s.permission, s.counted, s.within) for s in b.services}
    assert rows == {
        "batch.service": ("unit", False, None, "batch.slice"),
        "batch.slice": ("slice", False, 2 * G, None),
        "vendor.service": ("unit", True, None, None),  # a vendor-shipped cap
        "web.service": ("unit", False, None, None),
        "web.slice": ("slice", True, None, None),
    }
    assert b.total == 2 * G
    assert [s.name for s in b.permissions] == ["vendor.service", "web.slice"]
    assert [s.name for s in b.unbounded] == ["web.service"]


def test_sized_service_without_ram_is_said(tmp_path, monkeypatch):
    """A 12 GiB buffer pool and no --ram: before, "No findings." and exit 0; now OOM010 says
    the budget was not compared, with the count of sized services and the fix (still exit 0:
    it is information)."""
    monkeypatch.chdir(Path(__file__).parent / "checks" / "OOM010")
    r = CliRunner().invoke(main, ["check", "fires-sized-services"], catch_exceptions=False)
    assert r.exit_code == 0
    assert "No findings." not in r.output
    assert ("OOM010 [info] host RAM is unknown (1 sized service, 12.71 GiB worst case in all "
            "(mariadb.service (mysql) 12.71 GiB)") in r.output
    assert ("pass --ram SIZE, or set it in .oomlint.toml for this host "
            "(`[hosts.\"fires-sized-services\"]` `ram = \"16G\"`) or for every host") in r.output
    r = CliRunner().invoke(main, ["check", "fires-sized-services", "--ram", "16G"],
                           catch_exceptions=False)
    assert "OOM010" not in r.output


def test_per_host_ram_in_the_configuration(tmp_path, monkeypatch):
    """`[hosts."NAME"] ram`: the fix OOM010 names, one RAM per host of a multi-host run
    (NAME: the path as given, or its last part); --ram still wins over it."""
    import shutil

    monkeypatch.chdir(tmp_path)
    src = Path(__file__).parent / "checks" / "OOM010" / "fires-sized-services"
    shutil.copytree(src, tmp_path / "hosts" / "db1")
    shutil.copytree(src, tmp_path / "hosts" / "db2")
    (tmp_path / ".oomlint.toml").write_text(
        '[hosts."hosts/db1"]\nram = "12G"\n\n[hosts.db2]\nram = "64G"\nswap = "0"\n')
    doc = budget_json("hosts/db1", "hosts/db2")
    assert [(h["name"], h["ram_bytes"], h["swap_bytes"]) for h in doc["hosts"]] == [
        ("hosts/db1", 12 * G, None), ("hosts/db2", 64 * G, 0)]
    r = CliRunner().invoke(main, ["check", "hosts/db1", "hosts/db2", "--format", "json",
                                  "--fail-on", "never"], catch_exceptions=False)
    got = sorted((f["host"], f["rule"]) for f in json.loads(r.output)["findings"])
    # 12.71 GiB on 12 GiB (the host and MariaDB alone); db2 fits; neither RAM is unknown.
    assert got == [("hosts/db1", "OOM101"), ("hosts/db1", "OOM401")]
    assert budget_json("hosts/db1", "--ram", "32G")["hosts"][0]["ram_bytes"] == 32 * G
    (tmp_path / ".oomlint.toml").write_text('[hosts.db1]\nram = "12G"\nmemory = "1G"\n')
    r = CliRunner().invoke(main, ["budget", "hosts/db1"])
    assert r.exit_code == 2 and "hosts.db1.memory: unknown key" in r.output


def test_a_database_template_is_not_a_service_of_its_own():
    """Patroni owns the cluster, so postgresql@.service has no instance: the bare template is
    not listed as an unbounded service beside patroni@17-main.service."""
    root = Path(__file__).parent / "checks" / "OOM103" / "fires-patroni"
    b = host_budget(build_host(Tree(root=root), "patroni", ram=64 << 30))
    assert [s.name for s in b.services] == ["patroni@17-main.service"]
    assert not b.unbounded


def test_a_socket_activated_template_stays_listed(tmp_path):
    """Templates whose instances no file names (cockpit-wsinstance-https@) stay listed."""
    root = write_tree(tmp_path, {
        "usr/lib/systemd/system/ws@.service": "[Service]\nExecStart=/usr/bin/ws\n",
        "usr/lib/systemd/system/ws@.socket": "[Socket]\nListenStream=1\nAccept=yes\n",
    })
    b = host_budget(build_host(Tree(root=root), "h", ram=16 << 30))
    assert "ws@.service" in [s.name for s in b.unbounded]
