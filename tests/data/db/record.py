#!/usr/bin/env python3
"""Record what the real database servers make of the fixtures under tests/data/db/.

Writes expected_mysql.yaml and expected_postgresql.yaml next to this script: for every
fixture tree, the value the server ends up with for each memory variable oomlint models
(bytes for sizes), or, when the server refuses to start, its exit code and messages.
tests/test_databases.py compares oomlint's model with these recordings, and re-runs this
recorder live (when the servers are installed and it runs as root) so they stay honest.
Not a test module: pytest does not collect it.

MariaDB: each fixture tree is copied to a temporary directory (files 0644: mariadbd
ignores world-writable option files), absolute ``!include``/``!includedir`` paths are
pointed into the copy, and ``mariadbd --defaults-file=COPY/etc/mysql/my.cnf [ARGS] --verbose
--help`` is run from ``/`` (mysqld's working directory under systemd). ARGS are the lines of
the fixture's ``mariadbd.args`` (e.g. ``--defaults-group-suffix=.2``, as Debian's
mariadb@.service passes it), and ``mariadbd.env`` adds environment variables
(``MYSQL_GROUP_SUFFIX=.2``). The variables table
it prints ("Value (after reading options)") is the recording. ``refused`` is a non-zero
exit, or a bad InnoDB/Aria value: mariadbd then disables that plugin, which `--help`
survives but a real start does not.

PostgreSQL: a scratch cluster is made with initdb (as the postgres user, in /tmp). For each
fixture its postgresql.auto.conf (or initdb's empty one) is put in the scratch data
directory, the tree is copied, absolute include paths are pointed into the copy, and
``postgres -D DATA -c config_file=COPY/etc/postgresql/15/main/postgresql.conf -C NAME``
is run per variable. ``-C`` prints the value in the parameter's base unit; the units come
from pg_settings of the same server. ``-C wal_buffers`` prints -1 for the automatic
value, so the resolved size is read with ``SHOW wal_buffers`` in single-user mode
(``postgres --single``), which sizes shared memory without starting a server.
``autovacuum_work_mem = -1`` is recorded as maintenance_work_mem, which autovacuum then
uses (src/backend/postmaster/autovacuum.c). No server is left running.

Usage (as root): python3 tests/data/db/record.py [--only FIXTURE...]
Needs: mariadb-server (10.11) and postgresql (15) from Debian 12, PyYAML.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
MYSQL_START = "/etc/mysql/my.cnf"
PG_CONF = "/etc/postgresql/15/main/postgresql.conf"
PG_AUTO = "/var/lib/postgresql/15/main/postgresql.auto.conf"

MYSQL_VARS = {  # variable -> kind
    "innodb_buffer_pool_size": "int", "key_buffer_size": "int", "innodb_log_buffer_size": "int",
    "query_cache_size": "int", "aria_pagecache_buffer_size": "int", "max_connections": "int",
    "read_buffer_size": "int", "read_rnd_buffer_size": "int", "sort_buffer_size": "int",
    "join_buffer_size": "int", "thread_stack": "int", "binlog_cache_size": "int",
    "tmp_table_size": "int", "max_heap_table_size": "int", "performance_schema": "bool",
    "max_allowed_packet": "int",
}
PG_VARS = (
    "shared_buffers", "wal_buffers", "work_mem", "hash_mem_multiplier", "maintenance_work_mem",
    "autovacuum_work_mem", "autovacuum_max_workers", "max_connections", "max_worker_processes",
    "max_parallel_workers", "max_parallel_workers_per_gather",
    "max_parallel_maintenance_workers", "temp_buffers", "max_wal_senders",
    "logical_decoding_work_mem", "huge_pages", "max_locks_per_transaction",
    "max_prepared_transactions", "effective_cache_size",
)
# Size grammar probes: each value is written as `sort_buffer_size = VALUE` (MariaDB; min
# 1024, block 1) or `work_mem = VALUE` / `shared_buffers = VALUE` (PostgreSQL) in an
# otherwise empty option file, and the server's result (bytes) or refusal is recorded.
MYSQL_GRAMMAR = (
    "1G", "1GB", "1gb", "512m", "1048576K", "2T", "1P", "8E", "16E", "17179869184G",
    "5M ; note", "5Mxyz", "+5M", '" 5M"', '""', "M", "0", "134217728", "1KiB", "'6M'",
    "1.5M", "0x100000", "5 M", "500 ; peak", "5242880;c", "'6M", "-5M", '" -5M"',
    "99999999999999999999", "lots", "5M # comment", '"5M # not a comment"',
)
PG_GRAMMAR = (
    "1GB", "'1 GB'", "'1.5GB'", "1.5GB", "256MB", "0x1000", "010", "020000", "'1e3'", "1e3",
    "100000B", "'64.4kB'", "'0.0625MB'", "' 8 MB '", "+8MB", "1024", "'99.5'", "99.5",
    "100.5", "'1.5kB'", "1gb", "1K", "64mb", "'8 M B'", "08", "'1 Gb'", "abc", "''",
    "'1e400'", "99999999999GB", "2TB", "-1", "'0x10kB'", "'.5GB'", "'1.5e3kB'", "8MB#c",
)
UNIT_BYTES = {"": 1, "B": 1, "kB": 1024, "MB": 1024**2, "8kB": 8192}
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d\s+\d+:\d\d:\d\d(?:\.\d+)?\s+(?:\w+\s+)?(?:\[\d+\]\s+)?"
                    r"(?:\d+\s+)?")
# A bad value for an InnoDB or Aria variable disables that plugin instead of failing
# `--help`; a real start then aborts ("Unknown/unsupported storage engine: InnoDB", "Failed
# to initialize plugins"), as checked by starting mariadbd 10.11.19 on a scratch datadir.
_PLUGIN_FAILED = re.compile(r"Parsing options for plugin '(InnoDB|Aria)' failed")
_INCLUDE_MY = re.compile(r"^(\s*!\s*include(?:dir)?\s+)(/.*)$", re.M)
_INCLUDE_PG = re.compile(r"^(\s*include(?:_if_exists|_dir)?\s*=?\s*')(/[^']*)'", re.M | re.I)


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------

def copy_tree(src: Path, pattern: re.Pattern, quote: str = "", owner: str | None = None) -> Path:
    """Copy a fixture tree to /tmp with sane modes, absolute includes pointed into it."""
    dst = Path(tempfile.mkdtemp(prefix="oomlint-db-", dir="/tmp"))
    os.chmod(dst, 0o755)
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        target = dst / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            os.chmod(target, 0o755)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        text = data.decode("utf-8", "surrogateescape")
        text = pattern.sub(lambda m: m.group(1) + str(dst) + m.group(2) + quote, text)
        target.write_bytes(text.encode("utf-8", "surrogateescape"))
        os.chmod(target, 0o644)
    if owner:
        shutil.chown(dst, owner)
    return dst


def clean_messages(stderr: str) -> list[str]:
    """Server messages without timestamps, pids and noise unrelated to the fixture."""
    out = []
    for line in stderr.splitlines():
        line = _STAMP.sub("", line).strip()
        line = line.replace("Buffered warning: ", "").replace("Buffered error: ", "")
        if not line or "max_open_files" in line or "checkpoint" in line:
            continue
        line = re.sub(r"/tmp/oomlint-pgdata-\w+/data", "DATA", line)
        out.append(re.sub(r"/tmp/oomlint-db-\w+", "COPY", line))
    return out


# ---------------------------------------------------------------------------------------
# MariaDB
# ---------------------------------------------------------------------------------------

def mariadb_version() -> str:
    return subprocess.run(["mariadbd", "--version"], capture_output=True, text=True).stdout.strip()


def parse_variables_table(stdout: str) -> dict[str, str]:
    """The "Variables (--variable-name=value)" table of --verbose --help."""
    values: dict[str, str] = {}
    lines = stdout.splitlines()
    try:
        start = next(i for i, ln in enumerate(lines) if ln.startswith("Variables (--variable-name"))
    except StopIteration:
        return values
    for ln in lines[start + 3:]:
        if not ln.strip():
            break
        name, _, value = ln.partition(" ")
        values[name.replace("-", "_")] = value.strip()
    return values


def fixture_words(fixture: Path, name: str) -> list[str]:
    """A fixture's ``mariadbd.args`` (command-line words after --defaults-file, one a line,
    as a unit's ExecStart= passes them) or ``mariadbd.env`` (NAME=VALUE lines)."""
    path = fixture / name
    return [w for w in path.read_text().splitlines() if w.strip()] if path.exists() else []


def record_mysql(fixture: Path) -> dict:
    copy = copy_tree(fixture, _INCLUDE_MY)
    args = fixture_words(fixture, "mariadbd.args")
    env = dict(w.split("=", 1) for w in fixture_words(fixture, "mariadbd.env"))
    try:
        proc = subprocess.run(["mariadbd", f"--defaults-file={copy}{MYSQL_START}", *args,
                               "--verbose", "--help"], capture_output=True, text=True, cwd="/",
                              timeout=60, env={**os.environ, **env})
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    table = parse_variables_table(proc.stdout)
    messages = clean_messages(proc.stderr)
    disabled = [m for m in messages if _PLUGIN_FAILED.search(m)]
    case: dict = {"start": [MYSQL_START], **({"args": args} if args else {}),
                  **({"env": env} if env else {}), "exit": proc.returncode,
                  "refused": proc.returncode != 0 or bool(disabled)}
    if proc.returncode == 0:
        values = {}
        for name, kind in MYSQL_VARS.items():
            raw = table[name]
            values[name] = (raw == "TRUE") if kind == "bool" else int(raw)
        case["values"] = values
    case["messages"] = messages
    return case


def record_mysql_grammar() -> dict:
    out = {}
    for value in MYSQL_GRAMMAR:
        fx = Path(tempfile.mkdtemp(prefix="oomlint-db-", dir="/tmp"))
        try:
            (fx / "etc/mysql").mkdir(parents=True)
            (fx / "etc/mysql/my.cnf").write_text(f"[mysqld]\nsort_buffer_size = {value}\n")
            case = record_mysql(fx)
        finally:
            shutil.rmtree(fx, ignore_errors=True)
        out[value] = None if case["refused"] else case["values"]["sort_buffer_size"]
    return out


# ---------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------

def as_postgres(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], input=stdin,
                          capture_output=True, text=True, cwd="/tmp", timeout=120)


def pg_version() -> str:
    return as_postgres([str(PG_BIN / "postgres"), "--version"]).stdout.strip()


def make_cluster() -> Path:
    base = Path(tempfile.mkdtemp(prefix="oomlint-pgdata-", dir="/tmp"))
    shutil.chown(base, "postgres")
    data = base / "data"
    proc = as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "--no-sync"])
    if proc.returncode:
        raise SystemExit(f"initdb failed: {proc.stderr}")
    return data


def single_user(data: Path, conf: str, sql: str) -> subprocess.CompletedProcess:
    """A single-user backend. It maps shared memory for real, so ``huge_pages`` is forced
    off (a fixture's ``huge_pages = on`` would need a hugepage pool); that setting does not
    change any recorded value (huge_pages itself is read with -C)."""
    return as_postgres([str(PG_BIN / "postgres"), "--single", "-D", str(data), "-c",
                        f"config_file={conf}", "-c", "huge_pages=off", "postgres"], stdin=sql)


def single_rows(stdout: str) -> list[dict[str, str]]:
    """Rows printed by the single-user backend: `\\t 1: name = "value"\\t(typeid ...)`."""
    rows, row = [], {}
    for ln in stdout.splitlines():
        m = re.match(r'^\s*(\d+): (\w+) = "(.*)"\t', ln)
        if m:
            if m.group(1) == "1" and row:
                rows.append(row)
                row = {}
            row[m.group(2)] = m.group(3)
    if row:
        rows.append(row)
    return rows


def pg_units(data: Path) -> dict[str, str]:
    conf = str(data / "postgresql.conf")
    names = ", ".join(f"'{n}'" for n in PG_VARS)
    proc = single_user(data, conf, f"SELECT name, unit, vartype FROM pg_settings WHERE name IN ({names});\n")
    return {r["name"]: r.get("unit", "") for r in single_rows(proc.stdout)}


def bytes_of(text: str) -> int:
    m = re.fullmatch(r"(-?\d+)\s*(B|kB|MB|GB|TB)?", text)
    if not m:
        raise ValueError(text)
    return int(m.group(1)) * {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3,
                              "TB": 1024**4, None: 1}[m.group(2)]


def record_pg(fixture: Path, data: Path, units: dict[str, str]) -> dict:
    auto_src = fixture / PG_AUTO.lstrip("/")
    auto_dst = data / "postgresql.auto.conf"
    auto_text = auto_src.read_bytes() if auto_src.exists() else \
        b"# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\n"
    auto_dst.write_bytes(auto_text)
    copy = copy_tree(fixture, _INCLUDE_PG, quote="'", owner="postgres")
    conf = f"{copy}{PG_CONF}"
    case: dict = {"conf": PG_CONF, "auto_conf": PG_AUTO if auto_src.exists() else None}
    try:
        raw: dict[str, str] = {}
        for name in PG_VARS:
            proc = as_postgres([str(PG_BIN / "postgres"), "-D", str(data), "-c",
                                f"config_file={conf}", "-C", name])
            if proc.returncode:
                case.update(exit=proc.returncode, refused=True,
                            messages=clean_messages(proc.stderr))
                return case
            raw[name] = proc.stdout.strip()
        show = single_user(data, conf, "SHOW wal_buffers;\n")
        wal = next((r["wal_buffers"] for r in single_rows(show.stdout) if "wal_buffers" in r),
                   None)
        if wal is None:
            raise SystemExit(f"{fixture.name}: SHOW wal_buffers failed: {show.stderr}")
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    values: dict = {}
    for name in PG_VARS:
        unit = units.get(name, "")
        if name == "hash_mem_multiplier":
            values[name] = float(raw[name])
        elif name == "huge_pages":
            values[name] = raw[name]
        elif name == "wal_buffers":
            values[name] = bytes_of(wal)
        else:
            n = int(raw[name])
            values[name] = n * UNIT_BYTES[unit] if n != -1 else -1
    if values["autovacuum_work_mem"] == -1:
        values["autovacuum_work_mem"] = values["maintenance_work_mem"]
    case.update(exit=0, refused=False, values=values, server_raw=raw)
    return case


# ---------------------------------------------------------------------------------------

def record_pg_grammar(data: Path) -> dict:
    out = {}
    for name, unit in (("work_mem", 1024), ("shared_buffers", 8192)):
        out[name] = {}
        for value in PG_GRAMMAR:
            fx = Path(tempfile.mkdtemp(prefix="oomlint-db-", dir="/tmp"))
            os.chmod(fx, 0o755)
            try:
                conf = fx / "postgresql.conf"
                conf.write_text(f"{name} = {value}\n")
                os.chmod(conf, 0o644)
                proc = as_postgres([str(PG_BIN / "postgres"), "-D", str(data), "-c",
                                    f"config_file={conf}", "-C", name])
            finally:
                shutil.rmtree(fx, ignore_errors=True)
            out[name][value] = None if proc.returncode else int(proc.stdout) * unit
    return out


# GUC_NO_SHOW_ALL parameters (guc.c): absent from pg_settings and --describe-config, but
# known names (a file setting them gets "cannot be changed" or "invalid value", never
# "unrecognized configuration parameter"; probed on 15.18).
PG_HIDDEN = ("default_with_oids", "is_superuser", "role", "seed", "session_authorization",
             "ssl_renegotiation_limit")
PARAMETERS = HERE.parent.parent.parent / "src/oomlint/data/postgresql_parameters.txt"


def pg_parameter_names(data: Path) -> list[str]:
    """Every parameter name postgres 15 knows: ``postgres --describe-config`` (the ones a
    file may set, without GUC_NOT_IN_SAMPLE) ∪ ``pg_settings`` (with them) ∪ `PG_HIDDEN`."""
    described = as_postgres([str(PG_BIN / "postgres"), "--describe-config"]).stdout
    names = {ln.split("\t", 1)[0].lower() for ln in described.splitlines() if ln.strip()}
    proc = single_user(data, str(data / "postgresql.conf"), "SELECT name FROM pg_settings;\n")
    names |= {r["name"].lower() for r in single_rows(proc.stdout) if "name" in r}
    names |= set(PG_HIDDEN)
    for name in names:  # each one really is known: no "unrecognized" for it
        conf = Path(tempfile.mkdtemp(prefix="oomlint-db-", dir="/tmp"))
        os.chmod(conf, 0o755)
        try:
            (conf / "p.conf").write_text(f"{name} = 'x'\n")
            os.chmod(conf / "p.conf", 0o644)
            out = as_postgres([str(PG_BIN / "postgres"), "-D", str(data), "-c",
                               f"config_file={conf}/p.conf", "-C", "work_mem"]).stderr
        finally:
            shutil.rmtree(conf, ignore_errors=True)
        if "unrecognized configuration parameter" in out:
            raise SystemExit(f"{name}: postgres does not know it")
    return sorted(names)


def write_parameters(data: Path) -> None:
    names = pg_parameter_names(data)
    PARAMETERS.write_text(
        f"# Parameter names {pg_version()} knows, recorded by tests/data/db/record.py:\n"
        "# postgres --describe-config, SELECT name FROM pg_settings (single-user mode) and the\n"
        "# GUC_NO_SHOW_ALL names of guc.c, each probed in a config file (none is\n"
        "# \"unrecognized configuration parameter\"). Do not edit by hand.\n"
        + "".join(n + "\n" for n in names))


# Shared-memory configurations: each is written as postgresql.conf lines and given to
# ``postgres -C shared_memory_size`` and ``-C shared_memory_size_in_huge_pages``.
PG_SHMEM = {
    "default": {},
    "pgtune_web_4gb": {"max_connections": "200", "shared_buffers": "1GB", "wal_buffers": "16MB"},
    "pgtune_oltp_16gb": {"max_connections": "300", "shared_buffers": "4GB", "wal_buffers": "16MB",
                         "max_worker_processes": "4", "max_parallel_workers": "4"},
    "pgtune_dw_64gb": {"max_connections": "40", "shared_buffers": "16GB", "wal_buffers": "16MB",
                       "max_worker_processes": "16"},
    "patroni_16gb_pages": {"max_connections": "500", "shared_buffers": "16GB",
                           "max_locks_per_transaction": "512", "max_prepared_transactions": "0",
                           "max_worker_processes": "8", "max_wal_senders": "10",
                           "max_replication_slots": "10", "track_activity_query_size": "4096"},
    "locks_512": {"max_locks_per_transaction": "512"},
    "locks_4096": {"max_locks_per_transaction": "4096", "shared_buffers": "256MB"},
    "pred_locks_1024": {"max_pred_locks_per_transaction": "1024"},
    "prepared_200": {"max_prepared_transactions": "200", "shared_buffers": "512MB"},
    "prepared_1000_locks_256": {"max_prepared_transactions": "1000",
                                "max_locks_per_transaction": "256"},
    "connections_10": {"max_connections": "10", "shared_buffers": "32MB"},
    "connections_2000": {"max_connections": "2000", "shared_buffers": "2GB"},
    "connections_5000": {"max_connections": "5000", "shared_buffers": "8GB",
                         "max_locks_per_transaction": "128"},
    "workers_64": {"max_worker_processes": "64", "autovacuum_max_workers": "10",
                   "max_wal_senders": "20"},
    "small_16mb": {"shared_buffers": "16MB", "max_connections": "20"},
    "wal_explicit_64mb": {"wal_buffers": "64MB", "shared_buffers": "1GB"},
    "wal_small": {"wal_buffers": "64kB", "shared_buffers": "256MB"},
    "slots_100": {"max_replication_slots": "100", "max_wal_senders": "50"},
    "query_strings_16k": {"track_activity_query_size": "16384", "max_connections": "500"},
    "dsm_256mb": {"min_dynamic_shared_memory": "256MB"},
    "mixed_a": {"shared_buffers": "3GB", "max_connections": "800", "max_locks_per_transaction": "200",
                "max_pred_locks_per_transaction": "200", "max_prepared_transactions": "50"},
    "mixed_b": {"shared_buffers": "768MB", "max_connections": "150", "max_locks_per_transaction": "1024",
                "autovacuum_max_workers": "6", "max_worker_processes": "32"},
    "mixed_c": {"shared_buffers": "12GB", "max_connections": "1000", "wal_buffers": "32MB",
                "max_pred_locks_per_transaction": "512", "max_replication_slots": "30"},
    "mixed_d": {"shared_buffers": "64MB", "max_connections": "300", "max_locks_per_transaction": "32",
                "max_prepared_transactions": "300", "track_activity_query_size": "2048"},
}


def record_pg_shmem(data: Path) -> dict:
    out = {}
    for name, settings in PG_SHMEM.items():
        args = [a for k, v in settings.items() for a in ("-c", f"{k}={v}")]
        values = {}
        for what in ("shared_memory_size", "shared_memory_size_in_huge_pages"):
            proc = as_postgres([str(PG_BIN / "postgres"), "-D", str(data), *args, "-C", what])
            if proc.returncode:
                raise SystemExit(f"{name}: {proc.stderr}")
            values[what] = int(proc.stdout.strip())
        out[name] = {"settings": settings, **values}
    return out


def fixtures(kind: str, only: list[str] | None) -> list[Path]:
    base = HERE / kind
    return [p for p in sorted(base.iterdir()) if p.is_dir() and (not only or p.name in only)]


def record_all_mysql(only=None) -> dict:
    return {"server": mariadb_version(), "flavor": "mariadb-10.11",
            "command": f"mariadbd --defaults-file=COPY{MYSQL_START} --verbose --help",
            "grammar": {"sort_buffer_size": record_mysql_grammar()},
            "fixtures": {p.name: record_mysql(p) for p in fixtures("mysql", only)}}


def record_all_pg(only=None) -> dict:
    data = make_cluster()
    try:
        units = pg_units(data)
        if not only:
            write_parameters(data)
            shmem = {"server": pg_version(),
                     "command": "postgres -D DATA -c NAME=VALUE ... -C shared_memory_size "
                                "(MB, rounded up) / -C shared_memory_size_in_huge_pages "
                                "(2 MB pages)",
                     "configs": record_pg_shmem(data)}
            (HERE / "expected_pg_shmem.yaml").write_text(
                "# Recorded by tests/data/db/record.py from the real server; do not edit.\n"
                + yaml.safe_dump(shmem, sort_keys=False, width=100))
        auto = data / "postgresql.auto.conf"
        auto.write_text("# Do not edit this file manually!\n")
        return {"server": pg_version(), "flavor": "postgresql-15",
                "command": f"postgres -D DATA -c config_file=COPY{PG_CONF} -C NAME; "
                           "SHOW wal_buffers in postgres --single",
                "units": units,
                "grammar": record_pg_grammar(data),
                "fixtures": {p.name: record_pg(p, data, units) for p in fixtures("postgresql", only)}}
    finally:
        shutil.rmtree(data.parent, ignore_errors=True)


def dump(doc: dict, path: Path, partial: bool) -> None:
    if partial and path.exists():
        old = yaml.safe_load(path.read_text()) or {}
        doc["fixtures"] = {**old.get("fixtures", {}), **doc["fixtures"]}
        doc["fixtures"] = dict(sorted(doc["fixtures"].items()))
    header = ("# Recorded by tests/data/db/record.py from the real server; do not edit by hand.\n"
              "# values: what the server ends up with (bytes for sizes); exit != 0: it refuses\n"
              "# to start, with the messages it printed.\n")
    path.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", help="fixture names (default: all)")
    ap.add_argument("--kind", choices=("mysql", "postgresql", "both"), default="both")
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("run as root (postgres runs as the postgres user)", file=sys.stderr)
        return 2
    if args.kind in ("mysql", "both"):
        dump(record_all_mysql(args.only), HERE / "expected_mysql.yaml", bool(args.only))
    if args.kind in ("postgresql", "both"):
        dump(record_all_pg(args.only), HERE / "expected_postgresql.yaml", bool(args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
