"""php-fpm and php.ini: the quantity grammar, the ini parser and the php-fpm model against
what php 8.2 and php-fpm 8.2 did (tests/data/phpredis/recorded.yaml, written by
tests/data/phpredis/record.py), and the LEMP host through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from oomlint.base.findings import Problems
from oomlint.base.grammar.c import MIB
from oomlint.base.grammar.php import DEFAULT_MEMORY_LIMIT, memory_limit_refused, parse_quantity
from oomlint.cli import main
from oomlint.model.build import build_host
from oomlint.model.php_fpm import load_php_fpm
from oomlint.parsers.php_ini import parse_php_ini
from oomlint.sources.tree import Tree

DATA = Path(__file__).parent / "data" / "phpredis"
LEMP = Path(__file__).parent / "data" / "phpredis-lemp"
RECORDED = yaml.safe_load((DATA / "recorded.yaml").read_text())
PREFIX = 'Warning: Invalid "memory_limit" setting. '


def _ini_tree(tmp_path: Path, files: dict[str, str]) -> Tree:
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return Tree(root=tmp_path)


FPM_MIN = {"etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
           "etc/php/8.2/fpm/pool.d/www.conf": "[www]\npm = static\npm.max_children = 2\n"}
ARGV = ["/usr/sbin/php-fpm8.2", "--nodaemonize", "--fpm-config", "/etc/php/8.2/fpm/php-fpm.conf"]


@pytest.mark.parametrize("name", sorted(RECORDED["php_ini"]))
def test_php_ini_memory_limit_as_php_reads_it(name, tmp_path):
    case = RECORDED["php_ini"][name]
    tree = _ini_tree(tmp_path, {**FPM_MIN, "etc/php/8.2/fpm/php.ini": case["text"]})
    cfg = load_php_fpm(tree, ARGV, {}, Problems())
    got = cfg.ini_memory_limit.bytes
    if "${" in case["text"]:
        assert got is None  # the environment php-fpm starts with is not known offline
        return
    assert got == case["bytes"], case
    invalid = [w[len(PREFIX):] for w in case["warnings"] if w.startswith(PREFIX)]
    refused = [w for w in case["warnings"] if "Failed to set memory limit" in w]
    reasons = " ".join(r for _, _, r in cfg.reinterpreted)
    for w in invalid:
        assert w in reasons
    assert bool(refused) == ("Failed to set memory limit" in reasons)
    assert bool(case["warnings"]) == bool(cfg.reinterpreted)


def test_quantity_grammar_edges():
    assert parse_quantity("256M").value == 256 * MIB
    assert parse_quantity("256MB").value == 256 and parse_quantity("256MB").warning
    assert parse_quantity("1.5G").value == 1024 * MIB
    assert parse_quantity("-1").value == -1 and parse_quantity("-1").warning is None
    assert parse_quantity("010M").value == 8 * MIB  # a leading 0 is octal
    assert parse_quantity("9" * 200 + "G").warning  # no traceback on huge numbers
    assert memory_limit_refused(MIB) and not memory_limit_refused(2 * MIB)
    assert not memory_limit_refused(-1)


def test_scan_dir_last_wins(tmp_path):
    rec = RECORDED["php_scan_dir"]
    files = dict(FPM_MIN)
    for rel in ("php.ini", "conf.d/10-a.ini", "conf.d/20-b.ini", "conf.d/30-c.txt"):
        files[f"etc/php/8.2/fpm/{rel}"] = f"memory_limit = {rec[rel]}\n"
    cfg = load_php_fpm(_ini_tree(tmp_path, files), ARGV, {}, Problems())
    assert cfg.ini_memory_limit.bytes == parse_quantity(rec["ini_get"]).value
    assert cfg.ini_memory_limit.loc.path == "etc/php/8.2/fpm/conf.d/20-b.ini"


@pytest.mark.parametrize("name", sorted(RECORDED["php_fpm"]))
def test_fpm_trees_as_php_fpm_reads_them(name, tmp_path):
    """Each tests/data/phpredis/fpm/<case>/ tree at /etc/php/8.2/fpm, as `php-fpm8.2 -tt`
    saw it: the same pools, pm and pm.max_children, the same php_value/php_admin_value
    lines (the dump lists them newest first), and a refusal exactly where it stopped."""
    rec = RECORDED["php_fpm"][name]
    shutil.copytree(DATA / "fpm" / name, tmp_path / "etc/php/8.2/fpm")
    cfg = load_php_fpm(Tree(root=tmp_path), ARGV, {}, Problems())
    assert (not cfg.refused) == rec["ok"], cfg.refused
    if not rec["ok"]:
        said = " ".join(rec["errors"])
        reasons = " ".join(r for _, _, r in cfg.refused)
        phrases = [p for p in ("pm.max_children must be a positive value",
                               "invalid process manager", "Unable to globalize",
                               "No pool defined") if p in said]
        assert phrases and all(p in reasons for p in phrases), (said, reasons)
        return
    assert sorted(p.name for p in cfg.pools) == sorted(rec["pools"])
    for pool in cfg.pools:
        dumped = rec["pools"][pool.name]
        assert pool.pm.value == dumped["pm"]
        assert pool.max_children.value == int(dumped["pm.max_children"])
        for kind, entries in (("php_value", pool.php_values), ("php_admin_value",
                                                              pool.admin_values)):
            key = f"{kind}[memory_limit]"
            # php-fpm keeps each list newest first (it prepends): so does its dump
            assert [e.value for e in reversed(entries)] == dumped.get(key, [])


def test_worker_applies_values_in_the_recorded_order(tmp_path):
    """php_value newest first, then php_admin_value newest first (a running php-fpm)."""
    order = RECORDED["php_fpm_apply_order"]
    assert order == [6144, 5120, 2048, 1024]
    pool = ("[www]\npm = static\npm.max_children = 1\nphp_value[memory_limit] = 5M\n"
            "php_admin_value[memory_limit] = 3M\nphp_admin_value[memory_limit] = 4M\n"
            "php_value[memory_limit] = 6M\n")
    tree = _ini_tree(tmp_path, {**FPM_MIN, "etc/php/8.2/fpm/pool.d/www.conf": pool})
    cfg = load_php_fpm(tree, ARGV, {}, Problems())
    ml = cfg.pools[0].memory_limit
    # the last one applied is the first admin value written: 3M, line 5
    assert (ml.bytes, ml.origin, ml.loc.line) == (3 * MIB, "php_admin_value", 5)


def test_refused_pool_value_keeps_php_ini(tmp_path):
    pool = "[www]\npm = static\npm.max_children = 4\nphp_admin_value[memory_limit] = 512MB\n"
    tree = _ini_tree(tmp_path, {**FPM_MIN, "etc/php/8.2/fpm/pool.d/www.conf": pool,
                                "etc/php/8.2/fpm/php.ini": "memory_limit = 192M\n"})
    cfg = load_php_fpm(tree, ARGV, {}, Problems())
    assert cfg.pools[0].memory_limit.bytes == 192 * MIB
    assert "the worker keeps 192 MiB (php.ini)" in cfg.reinterpreted[0][2]


def test_no_php_ini_is_the_builtin_default(tmp_path):
    cfg = load_php_fpm(_ini_tree(tmp_path, FPM_MIN), ARGV, {}, Problems())
    assert cfg.pools[0].memory_limit.bytes == DEFAULT_MEMORY_LIMIT
    assert cfg.pools[0].memory_limit.origin == "default"


def test_parser_keeps_lines_and_offsets():
    f = parse_php_ini("; c\n[www]\nphp_admin_value[memory_limit] = \"256M\" ; x\nkey\n",
                      "pool.conf", Problems())
    e = f.entries[0]
    assert (e.section, e.key, e.offset, e.value, e.loc.line) == ("www", "php_admin_value",
                                                                 "memory_limit", "256M", 3)
    assert f.entries[1].key == "key" and f.entries[1].value == ""
    bad = parse_php_ini("[www]\npm = \"static\n", "p.conf", Problems())
    assert bad.error is not None and bad.error[0].line == 2


def test_unit_and_standalone_detection(tmp_path):
    files = {**FPM_MIN, "lib/systemd/system/php8.2-fpm.service":
             (LEMP / "lib/systemd/system/php8.2-fpm.service").read_text(),
             "etc/php/8.1/fpm/php-fpm.conf": "[global]\n[old]\npm.max_children = 3\n"}
    host = build_host(_ini_tree(tmp_path, files), "h")
    names = sorted(f.name for f in host.php_fpm)
    assert names == ["php-fpm (etc/php/8.1/fpm/php-fpm.conf)", "php8.2-fpm.service"]


def _cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_lemp_host_is_an_error_with_the_arithmetic():
    r = _cli("check", str(LEMP), "--ram", "16G")
    assert r.exit_code == 1
    assert "OOM101 [error]" in r.output and "20.66 GiB" in r.output
    assert "php8.2-fpm.service (php-fpm)     12.66 GiB" in r.output
    assert "redis-server.service (redis)         8 GiB" in r.output
    assert "php-fpm)     12.66 GiB  (" in r.output and "pool.d/www.conf:127)" in r.output
    assert "etc/redis/redis.conf:1119)" in r.output


def test_lemp_budget_text_and_json():
    text = _cli("budget", str(LEMP), "--ram", "16G").output
    assert "[www] pm = static: pm.max_children 50 × memory_limit 256 MiB" in text
    assert "etc/php/8.2/fpm/pool.d/www.conf:127" in text
    assert "etc/php/8.2/fpm/php.ini:435" in text
    doc = json.loads(_cli("budget", str(LEMP), "--ram", "16G", "--format", "json").output)
    svc = {s["name"]: s for s in doc["hosts"][0]["services"]}
    fpm = svc["php8.2-fpm.service"]
    assert fpm["kind"] == "php-fpm"
    assert fpm["worst_case_bytes"] == 50 * 256 * MIB + 128 * MIB + 32 * MIB
    first = fpm["terms"][0]
    assert (first["bytes"], first["path"].endswith("pool.d/www.conf"), first["line"]) == \
        (50 * 256 * MIB, True, 127)
    assert fpm["settings"]["www"]["memory_limit_from"] == "php.ini"
    assert svc["redis-server.service"]["worst_case_bytes"] == 8 * 1024 * MIB
    assert doc["hosts"][0]["total_worst_case_bytes"] == fpm["worst_case_bytes"] + 8 * 1024 * MIB


def test_unlimited_pool_makes_the_service_unbounded(tree):
    root = tree({**FPM_MIN, "lib/systemd/system/php8.2-fpm.service":
                 (LEMP / "lib/systemd/system/php8.2-fpm.service").read_text(),
                 "etc/php/8.2/fpm/pool.d/www.conf":
                 "[www]\npm = ondemand\npm.max_children = 30\nphp_admin_value[memory_limit] = -1\n"})
    doc = json.loads(_cli("budget", str(root), "--ram", "16G", "--format", "json").output)
    fpm = doc["hosts"][0]["services"][0]
    assert fpm["worst_case_bytes"] is None and "php8.2-fpm.service" in doc["hosts"][0]["unbounded"]
    r = _cli("check", str(root), "--ram", "16G", "--select", "OOM603")
    assert "OOM603 [warning]" in r.output and "30 workers" in r.output


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary\xff" * 50,
                                     b"[www]\npm.max_children = {{ php_children }}\n",
                                     b"[www]\npm = static\npm.max_children = 5\n" * 20000])
def test_bad_pool_files_become_findings(tree, content):
    root = tree(FPM_MIN)
    (root / "etc/php/8.2/fpm/pool.d/www.conf").write_bytes(content)
    r = _cli("check", str(root), "--ram", "16G")
    assert r.exit_code in (0, 1) and "Traceback" not in r.output and "OOM099" not in r.output
    if content.startswith(b"\x00"):
        assert "OOM002" in r.output
    elif b"{{" in content:
        assert "OOM007" in r.output


def test_master_estimate_covers_the_measured_master():
    from oomlint.analysis.budget import Assumptions

    measured = RECORDED["php_fpm_rss"]["master_kib"] * 1024
    assert measured <= Assumptions().php_fpm_master <= 2 * measured


def test_rhel_layout_and_command_line_ini(tmp_path):
    """RHEL's php-fpm.service (/usr/sbin/php-fpm --nodaemonize): /etc/php-fpm.conf with
    include=/etc/php-fpm.d/*.conf, /etc/php.ini and /etc/php.d/*.ini; `-c` and $PHPRC
    name another php.ini, $PHP_INI_SCAN_DIR another scan directory (Environment=)."""
    files = {"usr/lib/systemd/system/php-fpm.service":
             "[Service]\nType=notify\nExecStart=/usr/sbin/php-fpm --nodaemonize\n",
             "etc/php-fpm.conf": "[global]\ninclude=/etc/php-fpm.d/*.conf\n",
             "etc/php-fpm.d/www.conf": "[www]\npm = dynamic\npm.max_children = 50\n"
                                       "pm.start_servers = 5\npm.min_spare_servers = 5\n"
                                       "pm.max_spare_servers = 35\n",
             "etc/php.ini": "[PHP]\nmemory_limit = 128M\n",
             "etc/php.d/20-mem.ini": "memory_limit = 384M\n",
             "etc/alt/php.ini": "memory_limit = 64M\n"}
    host = build_host(_ini_tree(tmp_path, files), "h")
    [fpm] = host.php_fpm
    assert fpm.unit.name == "php-fpm.service"
    pool = fpm.config.pools[0]
    assert (pool.max_children.value, pool.memory_limit.bytes) == (50, 384 * MIB)
    tree = Tree(root=tmp_path)
    argv = ["/usr/sbin/php-fpm", "--nodaemonize", "-c", "/etc/alt/php.ini"]
    cfg = load_php_fpm(tree, argv, {"PHP_INI_SCAN_DIR": ""}, Problems())
    assert cfg.pools[0].memory_limit.bytes == 64 * MIB and cfg.ini_files == ["etc/alt/php.ini"]
    cfg = load_php_fpm(tree, ["/usr/sbin/php-fpm"], {"PHPRC": "/etc/alt"}, Problems())
    assert cfg.ini_files == ["etc/alt/php.ini", "etc/php.d/20-mem.ini"]
