"""Record what the real programs do with the phpredis cases: tests/data/phpredis/recorded.yaml.

Not collected by pytest (run it by hand on a Debian 12 host where php8.2-fpm, php8.2-cli and
redis-server 7.0 are installed; needs root for `unshare -m`):

    python3 tests/data/phpredis/record.py

- php.ini ``memory_limit``: ``php -n -c CASE.ini -r ...`` prints ini_get("memory_limit"), the
  limit in effect (ini_parse_quantity of what ini_get reports: a value PHP refused leaves the
  default 128M) and PHP's warnings.
- php-fpm: each tree under tests/data/phpredis/fpm/<case>/ is bound over /etc/php/8.2/fpm in a
  private mount namespace (with /run/php and /var/log on scratch directories) and checked
  with ``php-fpm8.2 -tt -y /etc/php/8.2/fpm/php-fpm.conf``: the pools it dumps (pm,
  pm.max_children, php_value[...] and php_admin_value[...]) or the errors it stops with.
- redis.conf: ``redis-server CASE.conf --port 0 --unixsocket /tmp/... --daemonize no`` (no
  TCP port; a unix socket in a scratch directory), then ``redis-cli CONFIG GET`` of maxmemory,
  maxmemory-policy, save and appendonly, then ``SHUTDOWN NOSAVE``; or the FATAL CONFIG FILE
  ERROR lines when it refuses the file.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).parent
PHP_MEMORY_LIMITS = ["128M", "256M", "256m", "1G", "2g", "-1", "512 M", " 64M", "+1G", "2M", "3M",
                     "1024k", "1K", "100", "0", "0x10", "0b11", "-2", "256MB", "1.5G", "1 G B",
                     "8E", "10T", "abc", "\"\"", "\"512M\"", "'512M'", "1g ;comment",
                     "010M", "09M", "0o20M", "0x10M", "0M", "-1M", "4G;x", "${PHP_MEM}"]
PHP_INI_FILES = {
    "last-wins": "memory_limit = 512M\nmemory_limit = 1G\n",
    "last-refused": "memory_limit = 512M\nmemory_limit = 256MB\n",
    "section": "[PHP]\nmemory_limit = 384M\n",
}
REDIS_CASES = {
    "debian-default": "# maxmemory <bytes>\nappendonly no\n",
    "units-1k": "maxmemory 1k\n", "units-1kb": "maxmemory 1kb\n", "units-1KB": "maxmemory 1KB\n",
    "units-10M": "maxmemory 10M\n", "units-100mb": "maxmemory 100mb\n",
    "units-2G": "maxmemory 2G\n", "units-2gb": "maxmemory 2gb\n", "units-plain": "maxmemory 1048576\n",
    "units-b": "maxmemory 4096b\n", "zero": "maxmemory 0\n",
    "refused-fraction": "maxmemory 1.5g\n", "refused-tb": "maxmemory 1TB\n",
    "refused-negative": "maxmemory -1\n", "refused-space": "maxmemory 1 gb\n",
    "refused-policy": "maxmemory-policy evict-everything\n",
    "quoted": 'maxmemory "256mb"\n', "case-directive": "MaxMemory 64mb\n",
    "last-wins": "maxmemory 1gb\nmaxmemory 2gb\n",
    "policy": "maxmemory 1gb\nmaxmemory-policy allkeys-lru\n",
    "save-off": 'save ""\n', "save-lines": "save 900 1\nsave 300 10\n",
    "aof": "appendonly yes\nsave \"\"\n",
    "include": "maxmemory 1gb\ninclude {dir}/extra.conf\n",
    "include-then-override": "include {dir}/extra.conf\nmaxmemory 1gb\n",
    "include-glob": "include {dir}/conf.d/*.conf\n",
    "include-glob-empty": "maxmemory 1gb\ninclude {dir}/none.d/*.conf\n",
    "include-missing": "include {dir}/missing.conf\n",
    "save-off-then-on": 'save ""\nsave 900 1\n',
    "save-on-then-off": 'save 900 1\nsave ""\n',
    "save-pairs": "save 900 1 300 10\n",
    "policy-case": "maxmemory 1gb\nMAXMEMORY-POLICY ALLKEYS-LRU\n",
    "refused-appendonly": "appendonly maybe\n",
    "refused-quotes": 'maxmemory "1gb\n',
    "refused-two-args": "maxmemory 1gb 2gb\n",
    "comment-indented": "   # maxmemory 1gb\nmaxmemory 512mb\n",
    "crlf": "maxmemory 512mb\r\n",
}
REDIS_INCLUDED = "maxmemory 3gb\nappendonly yes\n"
REDIS_KEYS = ("maxmemory", "maxmemory-policy", "save", "appendonly")


def php_cases() -> dict:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp) / "t.ini"
        texts = {f"memory_limit = {v}": f"memory_limit = {v}\n" for v in PHP_MEMORY_LIMITS}
        texts.update(PHP_INI_FILES)
        for name, text in texts.items():
            ini.write_text(text)
            r = subprocess.run(["php", "-n", "-c", str(ini), "-r",
                                'echo ini_get("memory_limit"), "\\n", '
                                '@ini_parse_quantity(ini_get("memory_limit"));'],
                               capture_output=True, text=True, timeout=30)
            lines = r.stdout.strip().split("\n")
            warnings = [re.sub(r" in Unknown on line 0$", "", w.strip())
                        for w in (r.stderr + "\n".join(lines[:-2])).split("\n")
                        if w.strip().startswith(("Warning:", "PHP Warning:"))]
            out[name] = {"text": text, "ini_get": lines[-2] if len(lines) > 1 else "",
                         "bytes": int(lines[-1]), "warnings": warnings}
    return out


def fpm_cases() -> dict:
    out = {}
    for case in sorted(p for p in (HERE / "fpm").iterdir() if p.is_dir()):
        with tempfile.TemporaryDirectory() as tmp:
            script = (f"mkdir -p {tmp}/run {tmp}/log && mount --bind {case} /etc/php/8.2/fpm && "
                      f"mount --bind {tmp}/run /run && mount --bind {tmp}/log /var/log && "
                      "php-fpm8.2 -tt -y /etc/php/8.2/fpm/php-fpm.conf")
            r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                               capture_output=True, text=True, timeout=60)
        text = r.stdout + r.stderr
        pools: dict = {}
        errors = []
        pool = None
        for line in text.split("\n"):
            body = re.sub(r"^\[[^]]*\] ", "", line)
            m = re.match(r"NOTICE: \[(.+)\]$", body)
            if m:
                pool = None if m.group(1) == "global" else pools.setdefault(m.group(1), {})
                continue
            m = re.match(r"NOTICE: \t(pm|pm\.max_children|php_(?:admin_)?value\[[^]]+\]) = (.*)$",
                         body)
            if m and pool is not None and m.group(1).startswith("php_"):
                pool.setdefault(m.group(1), []).append(m.group(2))  # dumped newest first
            elif m and pool is not None:
                pool[m.group(1)] = m.group(2)
            elif body.startswith(("ERROR:", "ALERT:")):
                errors.append(body)
        out[case.name] = {"ok": r.returncode == 0, "pools": pools, "errors": errors}
    return out


APPLY_ORDER_POOL = """[www]
user = www-data
listen = {dir}/www.sock
pm = static
pm.max_children = 1
catch_workers_output = yes
php_value[memory_limit] = 5K
php_admin_value[memory_limit] = 1K
php_admin_value[memory_limit] = 2K
php_value[memory_limit] = 6K
"""


def fpm_apply_order() -> list[str]:
    """The order a worker applies a pool's php_value/php_admin_value lines: each value
    here is one PHP refuses (below the 2 MiB a worker already uses), so every attempt is
    logged with its size. php-fpm runs for 3 s listening on a unix socket in a scratch
    directory only, then stops (`timeout`)."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "www.conf").write_text(APPLY_ORDER_POOL.replace("{dir}", tmp))
        Path(tmp, "fpm.conf").write_text(
            f"[global]\npid = {tmp}/fpm.pid\nerror_log = {tmp}/fpm.log\n"
            f"include={tmp}/www.conf\n")
        r = subprocess.run(["timeout", "3", "php-fpm8.2", "-F", "-O", "-y", f"{tmp}/fpm.conf", "-n",
                        "-d", "log_errors=On", "-d", "display_errors=Off"],
                       capture_output=True, text=True, timeout=30)
        log = r.stdout + r.stderr  # -O: the log goes to stderr
    return [int(m) for m in re.findall(r"Failed to set memory limit to (\d+) bytes", log)]


def fpm_master_rss() -> dict:
    """VmRSS of a php-fpm master (Debian's php.ini and conf.d, opcache loaded) and of its
    idle workers: what the budget's 32 MiB master estimate is checked against. Runs 2 s on
    a unix socket in a scratch directory, then is stopped."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "fpm.conf").write_text(
            f"[global]\npid = {tmp}/fpm.pid\nerror_log = {tmp}/fpm.log\n[www]\n"
            f"user = www-data\nlisten = {tmp}/www.sock\npm = static\npm.max_children = 2\n")
        proc = subprocess.Popen(["php-fpm8.2", "-F", "-O", "-y", f"{tmp}/fpm.conf"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(2)
            master = Path(tmp, "fpm.pid").read_text().strip()

            def rss(pid: str) -> int:
                status = Path(f"/proc/{pid}/status").read_text()
                return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
            return {"master_kib": rss(master), "workers_kib": [rss(c) for c in children]}
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def php_scan_dir() -> dict:
    """php.ini, then the scan directory's *.ini in alphabetical order: the last one wins."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "php.ini").write_text("memory_limit = 256M\n")
        Path(tmp, "conf.d").mkdir()
        Path(tmp, "conf.d", "20-b.ini").write_text("memory_limit = 768M\n")
        Path(tmp, "conf.d", "10-a.ini").write_text("memory_limit = 512M\n")
        Path(tmp, "conf.d", "30-c.txt").write_text("memory_limit = 1G\n")
        r = subprocess.run(["php", "-c", f"{tmp}/php.ini", "-r", 'echo ini_get("memory_limit");'],
                           capture_output=True, text=True, timeout=30,
                           env={"PHP_INI_SCAN_DIR": f"{tmp}/conf.d", "PATH": "/usr/bin:/bin"})
    return {"php.ini": "256M", "conf.d/10-a.ini": "512M", "conf.d/20-b.ini": "768M",
            "conf.d/30-c.txt": "1G", "ini_get": r.stdout.strip()}


def redis_cases() -> dict:
    out = {}
    for name, text in REDIS_CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "extra.conf").write_text(REDIS_INCLUDED)
            (Path(tmp) / "conf.d").mkdir()
            (Path(tmp) / "conf.d" / "10-a.conf").write_text("maxmemory 1gb\n")
            (Path(tmp) / "conf.d" / "20-b.conf").write_text("maxmemory 2gb\n")
            conf = Path(tmp) / "redis.conf"
            conf.write_text(text.replace("{dir}", tmp))
            sock = f"{tmp}/r.sock"
            proc = subprocess.Popen(["redis-server", str(conf), "--port", "0", "--unixsocket", sock,
                                     "--daemonize", "no", "--dir", tmp, "--logfile",
                                     f"{tmp}/r.log"],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(50):
                if Path(sock).exists() or proc.poll() is not None:
                    break
                time.sleep(0.1)
            got: dict = {}
            if proc.poll() is None and Path(sock).exists():
                for key in REDIS_KEYS:
                    r = subprocess.run(["redis-cli", "-s", sock, "CONFIG", "GET", key],
                                       capture_output=True, text=True, timeout=10)
                    got[key] = r.stdout.split("\n")[1]
                subprocess.run(["redis-cli", "-s", sock, "SHUTDOWN", "NOSAVE"],
                               capture_output=True, timeout=10)
            try:
                stdout, _ = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                stdout, _ = proc.communicate()
            fatal = [re.sub(r"^\d+:C .*? # ", "", ln.strip()).replace(tmp, "{dir}")
                     for ln in stdout.split("\n")
                     if ln.strip() and not ln.startswith("***") and not got]
            out[name] = {"text": text, "config": got, "fatal": fatal}
    return out


def versions() -> dict:
    def first(cmd):
        return subprocess.run(cmd, capture_output=True, text=True).stdout.split("\n")[0]
    return {"php": first(["php", "-v"]), "php-fpm": first(["php-fpm8.2", "-v"]),
            "redis-server": first(["redis-server", "--version"])}


def main() -> int:
    doc = {"versions": versions(), "php_ini": php_cases(), "php_scan_dir": php_scan_dir(),
           "php_fpm": fpm_cases(), "php_fpm_apply_order": fpm_apply_order(),
           "php_fpm_rss": fpm_master_rss(),
           "redis": redis_cases()}
    (HERE / "recorded.yaml").write_text(
        "# Written by tests/data/phpredis/record.py: what the real programs did. Do not edit.\n"
        + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
