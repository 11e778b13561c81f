"""A synthetic infrastructure repository of N hosts, deterministic by seed.

    python bench/gen_repo.py OUT_DIR --hosts 100 [--seed 1]

Writes OUT_DIR/hosts/hostNNNN/, each a tree laid out like /, shaped after what Debian
packages install: 60-100 units (a third of them with drop-ins, some templates, timers and
sockets), /etc/sysctl.d, /etc/fstab with a swap file, either MariaDB's my.cnf with
!includedir conf.d or PostgreSQL 15's postgresql.conf with include_dir conf.d, a JVM
service reading JAVA_OPTS from an EnvironmentFile (/etc/default), and on some hosts
php-fpm with a pool and Redis. Prints the number of files written.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

# Shapes of Debian 12 packaged units (cron.service, ssh.service, nginx.service, ...).
NAMES = ["cron", "ssh", "rsyslog", "nginx", "chrony", "unattended-upgrades", "atd", "auditd",
         "prometheus-node-exporter", "filebeat", "telegraf", "haproxy", "keepalived", "postfix",
         "dbus", "systemd-timesyncd", "fail2ban", "smartmontools", "lldpd", "snmpd", "apache2",
         "memcached", "rabbitmq-server", "consul", "vault", "nomad", "containerd", "docker",
         "grafana-server", "loki", "promtail", "zabbix-agent", "nfs-server", "rpcbind", "bind9"]

SERVICE = """[Unit]
Description={desc}
Documentation=man:{name}(8)
After=network.target{after}

[Service]
Type={type}
{user}ExecStart=/usr/sbin/{name} {args}
ExecReload=/bin/kill -HUP $MAINPID
Restart={restart}
{extra}
[Install]
WantedBy=multi-user.target
"""

TIMER = """[Unit]
Description=Periodic {name}

[Timer]
OnCalendar={cal}
Persistent=true

[Install]
WantedBy=timers.target
"""

SOCKET = """[Unit]
Description={name} socket

[Socket]
ListenStream=/run/{name}.sock

[Install]
WantedBy=sockets.target
"""

JVM_UNIT = """[Unit]
Description=Application server {app}
After=network.target

[Service]
Type=simple
User={app}
EnvironmentFile=/etc/default/{app}
ExecStart=/usr/bin/java $JAVA_OPTS -jar /opt/{app}/{app}.jar
{memmax}Restart=on-failure

[Install]
WantedBy=multi-user.target
"""

MYCNF = """# The MariaDB configuration file (Debian layout)
[client-server]
socket = /run/mysqld/mysqld.sock

!includedir /etc/mysql/conf.d/
!includedir /etc/mysql/mariadb.conf.d/
"""

MARIADB_SERVER = """[server]

[mysqld]
user                    = mysql
pid-file                = /run/mysqld/mysqld.pid
basedir                 = /usr
datadir                 = /var/lib/mysql
bind-address            = 127.0.0.1
innodb_buffer_pool_size = {pool}
max_connections         = {conns}
tmp_table_size          = 64M
max_heap_table_size     = 64M
sort_buffer_size        = 2M
join_buffer_size        = 1M
"""

MARIADB_UNIT = """[Unit]
Description=MariaDB 10.11 database server
After=network.target

[Service]
Type=notify
User=mysql
ExecStart=/usr/sbin/mariadbd $MYSQLD_OPTS
Restart=on-abort
LimitNOFILE=32768

[Install]
WantedBy=multi-user.target
"""

PGCONF = """# PostgreSQL 15 configuration (Debian layout)
data_directory = '/var/lib/postgresql/15/main'
hba_file = '/etc/postgresql/15/main/pg_hba.conf'
port = 5432
max_connections = {conns}
shared_buffers = {sb}
work_mem = {wm}
maintenance_work_mem = 256MB
dynamic_shared_memory_type = posix
include_dir = 'conf.d'
"""

PG_UNIT = """[Unit]
Description=PostgreSQL Cluster %i
ConditionPathExists=/etc/postgresql/%I/postgresql.conf

[Service]
Type=forking
User=postgres
ExecStart=-/usr/bin/pg_ctlcluster --skip-systemctl-redirect %i start
OOMScoreAdjust=-900

[Install]
WantedBy=multi-user.target
"""

PHP_POOL = """[www]
user = www-data
group = www-data
listen = /run/php/php8.2-fpm.sock
pm = {pm}
pm.max_children = {children}
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3
php_admin_value[memory_limit] = {limit}
"""

PHP_FPM_CONF = """[global]
pid = /run/php/php8.2-fpm.pid
error_log = /var/log/php8.2-fpm.log
include=/etc/php/8.2/fpm/pool.d/*.conf
"""

PHP_UNIT = """[Unit]
Description=The PHP 8.2 FastCGI Process Manager
After=network.target

[Service]
Type=notify
ExecStart=/usr/sbin/php-fpm8.2 --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf
ExecReload=/bin/kill -USR2 $MAINPID

[Install]
WantedBy=multi-user.target
"""

REDIS_UNIT = """[Unit]
Description=Advanced key-value store
After=network.target

[Service]
Type=notify
ExecStart=/usr/bin/redis-server /etc/redis/redis.conf --supervised systemd --daemonize no
User=redis
Group=redis
{memmax}
[Install]
WantedBy=multi-user.target
"""


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return 1


def make_host(root: Path, rng: random.Random) -> int:
    n = 0
    lib = root / "lib/systemd/system"
    etc = root / "etc/systemd/system"
    units = rng.randint(60, 100)
    for i in range(units):
        base = NAMES[i % len(NAMES)]
        name = base if i < len(NAMES) else f"{base}-{i}"
        r = rng.random()
        if r < 0.12:
            n += _write(lib / f"{name}.timer", TIMER.format(name=name, cal=rng.choice(
                ["daily", "hourly", "*-*-* 03:00:00", "weekly"])))
        elif r < 0.18:
            n += _write(lib / f"{name}.socket", SOCKET.format(name=name))
        else:
            extra = rng.choice(["", "MemoryMax=1G\n", "MemoryHigh=512M\nMemoryMax=768M\n",
                                "LimitNOFILE=65536\n", "OOMScoreAdjust=-500\n",
                                "PrivateTmp=true\nProtectSystem=full\n", "Nice=5\n"])
            where = lib if rng.random() < 0.8 else etc
            suffix = "@" if rng.random() < 0.05 else ""
            n += _write(where / f"{name}{suffix}.service", SERVICE.format(
                desc=f"{base} daemon", name=base, after=rng.choice(["", " remote-fs.target"]),
                type=rng.choice(["simple", "forking", "notify", "exec"]),
                user=rng.choice(["", f"User={base}\n"]), args=rng.choice(["", "-f", "--foreground"]),
                restart=rng.choice(["on-failure", "always", "no"]), extra=extra))
            if rng.random() < 0.33:
                d = etc / f"{name}{suffix}.service.d"
                n += _write(d / "override.conf", "[Service]\n" + rng.choice(
                    ["MemoryMax=2G\n", "MemoryHigh=1G\n", "Restart=always\nRestartSec=2\n",
                     "Environment=LANG=C.UTF-8\n"]))
                if rng.random() < 0.5:
                    n += _write(d / "10-limits.conf", "[Service]\nLimitNOFILE=1048576\nTasksMax=4096\n")
    # a symlink enabling a few units, as systemctl enable leaves them
    wants = etc / "multi-user.target.wants"
    wants.mkdir(parents=True, exist_ok=True)
    for svc in sorted(p.name for p in lib.glob("*.service") if "@" not in p.name)[:10]:
        (wants / svc).symlink_to(f"/lib/systemd/system/{svc}")
    # sysctl.d
    sysctl = root / "etc/sysctl.d"
    n += _write(root / "etc/sysctl.conf", "# /etc/sysctl.conf - see sysctl.conf(5)\n"
                "#kernel.domainname = example.com\n")
    n += _write(sysctl / "99-sysctl.conf", f"vm.swappiness = {rng.choice([1, 10, 30, 60])}\n")
    n += _write(sysctl / "10-network.conf", "net.core.somaxconn = 4096\n"
                "net.ipv4.tcp_max_syn_backlog = 8192\nnet.ipv4.ip_forward = 0\n")
    n += _write(sysctl / "30-vm.conf", f"vm.overcommit_memory = {rng.choice([0, 0, 1, 2])}\n"
                "vm.max_map_count = 262144\n")
    # fstab with a swap file
    n += _write(root / "etc/fstab", "UUID=0a1b2c3d / ext4 errors=remount-ro 0 1\n"
                "UUID=4e5f6a7b /boot ext4 defaults 0 2\n"
                + ("/swapfile none swap sw 0 0\n" if rng.random() < 0.7 else ""))
    # a database
    if rng.random() < 0.5:
        n += _write(root / "etc/mysql/my.cnf", MYCNF)
        n += _write(root / "etc/mysql/conf.d/mysql.cnf", "[mysql]\n")
        n += _write(root / "etc/mysql/mariadb.conf.d/50-server.cnf", MARIADB_SERVER.format(
            pool=rng.choice(["1G", "4G", "8G", "12G"]), conns=rng.choice([151, 300, 500])))
        n += _write(root / "etc/mysql/mariadb.conf.d/50-client.cnf",
                    "[client]\ndefault-character-set = utf8mb4\n")
        n += _write(lib / "mariadb.service", MARIADB_UNIT)
    else:
        pg = root / "etc/postgresql/15/main"
        n += _write(pg / "postgresql.conf", PGCONF.format(
            conns=rng.choice([100, 200, 400]), sb=rng.choice(["1GB", "4GB", "8GB"]),
            wm=rng.choice(["4MB", "16MB", "64MB"])))
        n += _write(pg / "conf.d/10-tuning.conf", "effective_cache_size = 8GB\n"
                    "random_page_cost = 1.1\n")
        n += _write(pg / "start.conf", "auto\n")
        n += _write(pg / "pg_hba.conf", "local all postgres peer\n")
        n += _write(lib / "postgresql@.service", PG_UNIT)
    # a JVM service with an EnvironmentFile
    app = rng.choice(["billing", "search", "gateway", "orders"])
    heap = rng.choice(["1g", "2g", "4g", "6g"])
    n += _write(root / f"etc/default/{app}", f'JAVA_OPTS="-Xms{heap} -Xmx{heap} '
                '-XX:+UseG1GC -Djava.awt.headless=true"\n')
    n += _write(etc / f"{app}.service", JVM_UNIT.format(
        app=app, memmax=rng.choice(["", "MemoryMax=4G\n", "MemoryMax=8G\n"])))
    # php-fpm and Redis on some hosts
    if rng.random() < 0.4:
        fpm = root / "etc/php/8.2/fpm"
        n += _write(fpm / "php-fpm.conf", PHP_FPM_CONF)
        n += _write(fpm / "php.ini", "[PHP]\nmemory_limit = 128M\nmax_execution_time = 30\n")
        n += _write(fpm / "pool.d/www.conf", PHP_POOL.format(
            pm=rng.choice(["dynamic", "static", "ondemand"]), children=rng.choice([5, 20, 50]),
            limit=rng.choice(["128M", "256M", "-1"])))
        n += _write(lib / "php8.2-fpm.service", PHP_UNIT)
    if rng.random() < 0.4:
        n += _write(root / "etc/redis/redis.conf", "bind 127.0.0.1 -::1\nport 6379\n"
                    "daemonize yes\nsupervised systemd\n"
                    + rng.choice(["", "maxmemory 2gb\nmaxmemory-policy allkeys-lru\n",
                                  "maxmemory 1gb\n"]))
        n += _write(lib / "redis-server.service", REDIS_UNIT.format(
            memmax=rng.choice(["", "MemoryMax=3G\n"])))
    return n


def generate(out: Path, hosts: int, seed: int = 1) -> list[Path]:
    """Write `hosts` host trees under out/hosts/ and return their paths (sorted)."""
    rng = random.Random(seed)
    paths = []
    for h in range(hosts):
        root = out / "hosts" / f"host{h:04d}"
        make_host(root, random.Random(rng.getrandbits(64)))
        paths.append(root)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    paths = generate(args.out, args.hosts, args.seed)
    files = sum(1 for p in paths for f in p.rglob("*") if f.is_file())
    print(f"{len(paths)} hosts, {files} files under {args.out / 'hosts'}")


if __name__ == "__main__":
    main()
