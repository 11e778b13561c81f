"""redis.conf: the memory grammar, the parser and the model against what redis-server 7.0
did (tests/data/phpredis/recorded.yaml, written by tests/data/phpredis/record.py), units and
loose files, and the budget through the CLI."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from oomlint.base.findings import Problems
from oomlint.base.grammar.c import GIB, MIB, GrammarError
from oomlint.base.grammar.redis import redis_memory
from oomlint.cli import main
from oomlint.model.build import build_host
from oomlint.model.redis import DEFAULT_SAVE, config_argument, load_redis
from oomlint.parsers.redis_conf import parse_redis_conf, split_args
from oomlint.sources.tree import Tree

DATA = Path(__file__).parent / "data" / "phpredis"
LEMP = Path(__file__).parent / "data" / "phpredis-lemp"
RECORDED = yaml.safe_load((DATA / "recorded.yaml").read_text())
_spec = importlib.util.spec_from_file_location("phpredis_record", DATA / "record.py")
RECORD = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(RECORD)
UNIT = (LEMP / "lib/systemd/system/redis-server.service").read_text()


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


@pytest.mark.parametrize("name", sorted(RECORDED["redis"]))
def test_redis_conf_as_redis_server_reads_it(name, tmp_path):
    rec = RECORDED["redis"][name]
    _write(tmp_path, {"etc/redis/redis.conf": rec["text"].replace("{dir}", "/etc/redis"),
                      "etc/redis/extra.conf": RECORD.REDIS_INCLUDED,
                      "etc/redis/conf.d/10-a.conf": "maxmemory 1gb\n",
                      "etc/redis/conf.d/20-b.conf": "maxmemory 2gb\n"})
    cfg = load_redis(Tree(root=tmp_path), ["/usr/bin/redis-server", "/etc/redis/redis.conf"],
                     Problems(), "redis")
    if rec["fatal"]:
        assert cfg.refused, rec
        assert rec["fatal"][-1].split("'")[0].split(":")[0].strip() in cfg.refused[0][2]
        return
    assert cfg.refused == []
    got = rec["config"]
    assert cfg.maxmemory_bytes == int(got["maxmemory"])
    assert cfg.policy_name == got["maxmemory-policy"]
    assert (cfg.save.value if cfg.save is not None else DEFAULT_SAVE) == got["save"]
    assert cfg.aof == (got["appendonly"] == "yes")


def test_memory_units():
    assert [redis_memory(v) for v in ("1k", "1kb", "1m", "1mb", "1g", "1GB", "7", "7b")] == \
        [1000, 1024, 10**6, MIB, 10**9, GIB, 7, 7]
    for bad in ("1.5g", "1tb", "-1", "", "1 gb", "9" * 60):
        with pytest.raises(GrammarError):
            redis_memory(bad)


def test_split_args_quotes():
    assert split_args('save ""') == ["save", ""]
    assert split_args('maxmemory "256mb"') == ["maxmemory", "256mb"]
    assert split_args("a 'b c' \"d\\x41\"") == ["a", "b c", "dA"]
    assert split_args('maxmemory "1gb') is None
    f = parse_redis_conf("# c\n  maxmemory 1gb\nMaxMemory-Policy allkeys-lru\n", "r.conf",
                         Problems())
    assert [(ln.name, ln.args, ln.loc.line) for ln in f.lines] == [
        ("maxmemory", ("1gb",), 2), ("maxmemory-policy", ("allkeys-lru",), 3)]


def test_command_line_options_follow_the_file():
    conf, lines = config_argument(["/usr/bin/redis-server", "/etc/redis/redis.conf",
                                   "--supervised", "systemd", "--maxmemory", "2gb"])
    assert conf == "/etc/redis/redis.conf" and lines == ["supervised systemd", "maxmemory 2gb"]
    assert config_argument(["redis-server", "--port", "7000"])[0] is None


def test_execstart_options_override_the_file(tmp_path):
    unit = UNIT.replace("--daemonize no", "--daemonize no --maxmemory 1gb --save \"\"")
    _write(tmp_path, {"lib/systemd/system/redis-server.service": unit,
                      "etc/redis/redis.conf": "maxmemory 8gb\n"})
    host = build_host(Tree(root=tmp_path), "h")
    [r] = host.redis
    assert r.unit.name == "redis-server.service"
    assert r.config.maxmemory_bytes == GIB and not r.config.rdb
    assert r.config.maxmemory.loc.path == "lib/systemd/system/redis-server.service"


def test_valkey_unit_and_standalone(tmp_path):
    _write(tmp_path, {"lib/systemd/system/valkey-server.service":
                      UNIT.replace("redis", "valkey"),
                      "etc/valkey/valkey.conf": "maxmemory 1gb\nappendonly yes\n",
                      "etc/redis/redis.conf": "maxmemory 2gb\n"})
    host = build_host(Tree(root=tmp_path), "h")
    got = sorted((r.name, r.config.flavor, r.config.maxmemory_bytes) for r in host.redis)
    assert got == [("redis-server (etc/redis/redis.conf)", "redis", 2 * GIB),
                   ("valkey-server.service", "valkey", GIB)]


def _cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_lemp_redis_budget_terms():
    doc = json.loads(_cli("budget", str(LEMP), "--ram", "16G", "--format", "json").output)
    r = {s["name"]: s for s in doc["hosts"][0]["services"]}["redis-server.service"]
    assert r["kind"] == "redis" and r["worst_case_bytes"] == 8 * GIB
    assert r["tiers"] == {"maxmemory": 4 * GIB, "with_fork": 8 * GIB}
    assert (r["terms"][0]["label"], r["terms"][0]["line"]) == ("maxmemory", 1119)
    assert r["settings"]["maxmemory-policy"] == "noeviction"


def test_debian_default_redis_is_unbounded(tmp_path):
    conf = (LEMP / "etc/redis/redis.conf").read_text().replace("maxmemory 4gb",
                                                               "# maxmemory <bytes>")
    root = _write(tmp_path, {"lib/systemd/system/redis-server.service": UNIT,
                             "etc/redis/redis.conf": conf})
    doc = json.loads(_cli("budget", str(root), "--ram", "16G", "--format", "json").output)
    assert doc["hosts"][0]["unbounded"] == ["redis-server.service"]
    r = _cli("check", str(root), "--ram", "16G", "--select", "OOM651,OOM654")
    assert "OOM651 [warning]" in r.output and "OOM654" not in r.output


def test_loose_redis_conf_is_recognised(tmp_path):
    p = tmp_path / "redis.conf"
    p.write_text("maxmemory 12gb\n")
    r = _cli("check", str(p), "--ram", "16G", "--select", "OOM652")
    assert "OOM652 [error]" in r.output and "24 GiB" in r.output


@pytest.mark.parametrize("content", [b"\x7fELF\x00\x00binary" * 40,
                                     b"maxmemory {{ redis_maxmemory }}\n",
                                     b"maxmemory 1gb\n" * 50000, b'maxmemory "\n' * 300])
def test_bad_redis_files_become_findings(tmp_path, content):
    _write(tmp_path, {"lib/systemd/system/redis-server.service": UNIT})
    (tmp_path / "etc/redis").mkdir(parents=True)
    (tmp_path / "etc/redis/redis.conf").write_bytes(content)
    r = _cli("check", str(tmp_path), "--ram", "16G")
    assert r.exit_code in (0, 1) and "Traceback" not in r.output and "OOM099" not in r.output
    if content.startswith(b"\x7f"):
        assert "OOM002" in r.output
    elif b"{{" in content:
        assert "OOM007" in r.output
    elif content.startswith(b'maxmemory "'):
        assert "OOM653" in r.output
