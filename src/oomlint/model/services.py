"""Which unit runs which database server or JVM: the link from a service to its
configuration files (option files, postgresql.conf, JVM flags).
"""

from __future__ import annotations

import posixpath
import re

from oomlint.base.findings import Problems
from oomlint.base.provenance import Loc
from oomlint.model.host import (
    DatabaseInstance,
    Host,
    JvmInstance,
    PhpFpmInstance,
    RedisInstance,
    Unit,
)
from oomlint.model.reader import Reader
from oomlint.sources.tree import rel

# -- databases ----------------------------------------------------------------------------

MYSQL_BINARIES = {"mysqld", "mariadbd", "mysqld_safe", "mariadbd-safe", "mysqld-safe"}
MYSQL_UNITS = ("mariadb.service", "mysql.service", "mysqld.service")
PG_BINARIES = {"postgres", "postmaster", "pg_ctl", "pg_ctlcluster"}


def _flag(argv: list[str], *names: str) -> str | None:
    value = None
    for i, w in enumerate(argv):
        for n in names:
            if w.startswith(n + "="):
                value = w.split("=", 1)[1]
            elif w == n and i + 1 < len(argv):
                value = argv[i + 1]
    return value


def load_databases(reader: Reader) -> None:
    tree, host, problems = reader.tree, reader.host, reader.problems
    # Each domain's model (model/mysql.py, model/postgresql.py ...) is imported only once a
    # unit or a file of its program is found: a host without one never loads its parsers.
    used: set[str] = set()
    # MySQL / MariaDB: units that run the server, else the distribution's default files.
    mysql_units = [u for u in host.services if u.fragment is not None and (
        u.name in MYSQL_UNITS or u.template in ("mariadb@.service", "mysqld@.service") or
        any(posixpath.basename(w) in MYSQL_BINARIES for w in u.exec_argv()[:1]))]
    mariadb = tree.exists("/etc/mysql/mariadb.cnf") or tree.exists("/etc/mysql/mariadb.conf.d") \
        or any("mariadb" in u.name or "mariadbd" in " ".join(u.exec_argv()) for u in mysql_units)
    flavor = host.db_flavors.get("mysql") or ("mariadb-10.11" if mariadb else "mysql-8.0")
    for unit in mysql_units or [None]:
        argv = _instance_words(unit, unit.exec_argv()) if unit else []
        suffix, prefix_matching = _mysql_early_options(unit, argv)
        defaults_file = _flag(argv, "--defaults-file")
        start = [defaults_file] if defaults_file else ["/etc/my.cnf", "/etc/mysql/my.cnf"]
        extra = _flag(argv, "--defaults-extra-file")
        if extra and not defaults_file:
            start.append(extra)
        if not any(tree.exists(p) for p in start):
            continue
        from oomlint.model.mysql import load_mysql

        cfg = load_mysql(tree, start, flavor, problems, group_suffix=suffix,
                         prefix_matching=prefix_matching)
        if cfg is None or not cfg.files:
            continue
        unit = _linked_unit(host, cfg) or unit
        key = ",".join(cfg.files)
        if key in used:
            continue
        used.add(key)
        host.pragmas.extend(cfg.pragmas)
        name = unit.name if unit else f"mysqld ({cfg.files[0]})"
        host.databases.append(DatabaseInstance(name, cfg, unit, Loc(cfg.files[0], 0)))
    # PostgreSQL: clusters Patroni runs, Debian clusters /etc/postgresql/VER/CLUSTER, then
    # units naming a data dir.
    patroni = _patroni_clusters(tree, host, problems)
    for conf, (unit, ver, data) in patroni.items():
        _add_pg(tree, host, problems, conf, ver, unit, data)
    for ver in tree.listdir("/etc/postgresql"):
        for cluster in tree.listdir(f"/etc/postgresql/{ver}"):
            conf = f"/etc/postgresql/{ver}/{cluster}/postgresql.conf"
            if conf in patroni:
                continue  # Patroni's postmaster, not postgresql@VER-CLUSTER.service's
            kind = tree.lookup(conf).kind
            if kind != "file":
                if kind in ("dir", "loop", "other"):
                    tree.read_text(conf, problems)  # reports why it cannot be read
                continue
            unit = host.units.get(f"postgresql@{ver}-{cluster}.service") or \
                host.units.get("postgresql@.service")
            _add_pg(tree, host, problems, conf, ver, unit, f"/var/lib/postgresql/{ver}/{cluster}")
    for unit in host.services:
        argv = unit.exec_argv()
        if unit.fragment is None or not argv or posixpath.basename(argv[0]) not in PG_BINARIES:
            continue
        data = _flag(argv, "-D", "--pgdata") or unit.env.get("PGDATA")
        conf_opt = next((w.split("=", 1)[1] for w in argv if w.startswith("config_file=")), None)
        conf = conf_opt or (f"{data}/postgresql.conf" if data else None)
        if conf and tree.lookup(conf).kind == "file" and not any(
                d.config.files and d.config.files[0] == rel(conf) for d in host.databases):
            _add_pg(tree, host, problems, conf, None, unit, data)


def _instance_words(unit: Unit, argv: list[str]) -> list[str]:
    """``%i`` / ``%I`` in the command line of a template instance (``mariadb@2.service``):
    systemd replaces them with the instance name (``%I`` unescaped: ``-`` is ``/``,
    ``\\xNN`` a byte; systemd.unit(5) "Specifiers"). Debian's mariadb@.service passes
    ``--defaults-group-suffix=.%I`` this way."""
    name = unit.name
    if "@" not in name:
        return argv
    inst = name.split("@", 1)[1].rsplit(".", 1)[0]
    unescaped = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)),
                       inst.replace("-", "/"))
    return [w.replace("%%", "\0").replace("%i", inst).replace("%I", unescaped)
            .replace("\0", "%") for w in argv]


def _mysql_early_options(unit: Unit | None, argv: list[str]) -> tuple[str | None, bool]:
    """``--defaults-group-suffix`` counts only among the leading options (my_default.c
    ``get_defaults_options``: --no-defaults, --defaults-file, --defaults-extra-file,
    --defaults-group-suffix, before any other; later it is an unknown variable), else the
    ``MYSQL_GROUP_SUFFIX`` environment variable. ``--disable-getopt-prefix-matching`` (or
    ``--skip-…``, ``--getopt-prefix-matching=0``) anywhere on the command line. Both
    verified with mariadbd 10.11.19 (tests/data/db/expected_mysql.yaml)."""
    suffix = None
    for w in argv[1:]:
        if w.startswith("--defaults-group-suffix="):
            suffix = w.split("=", 1)[1]
        elif not (w == "--no-defaults" or w.startswith(("--defaults-file=",
                                                        "--defaults-extra-file="))):
            break
    if suffix is None and unit is not None:
        env = unit.env.variables.get("MYSQL_GROUP_SUFFIX")
        suffix = env[0] if env else None
    words = [w.replace("_", "-") for w in argv[1:]]
    off = any(w in ("--disable-getopt-prefix-matching", "--skip-getopt-prefix-matching",
                    "--getopt-prefix-matching=0", "--getopt-prefix-matching=OFF")
              for w in words)
    return suffix or None, not off


PATRONI_BINARIES = {"patroni"}


def _patroni_clusters(tree, host: Host, problems: Problems) -> dict[str, tuple[Unit, str | None,
                                                                         str | None]]:
    """postgresql.conf → (the Patroni unit, version, data_dir) for every service that runs
    Patroni (``ExecStart=/usr/bin/patroni CONFIG``, Debian's patroni.service and
    patroni@VER-CLUSTER.service). The postmaster is that unit's child: its cgroup, MemoryMax
    and OOMScoreAdjust are the Patroni unit's, whatever postgresql@.service says. The YAML's
    ``postgresql.config_dir`` (else ``data_dir``) holds the postgresql.conf Patroni writes;
    the version comes from ``bin_dir`` (/usr/lib/postgresql/17/bin) or the path. Without a
    file argument Patroni reads PATRONI_POSTGRESQL_DATA_DIR / _CONFIG_DIR from the
    environment."""
    found: dict[str, tuple[Unit, str | None, str | None]] = {}
    for unit in host.services:
        argv = _instance_words(unit, unit.exec_argv())
        if unit.fragment is None or not argv:
            continue
        words = argv[1:] if posixpath.basename(argv[0]) in PATRONI_BINARIES else (
            argv[2:] if posixpath.basename(argv[0]).startswith("python") and len(argv) > 1
            and posixpath.basename(argv[1]) in PATRONI_BINARIES else None)
        if words is None:
            continue
        path = next((w for w in words if not w.startswith("-")), None)
        env = unit.env.variables
        data = env.get("PATRONI_POSTGRESQL_DATA_DIR", (None,))[0]
        confdir = env.get("PATRONI_POSTGRESQL_CONFIG_DIR", (None,))[0]
        bindir = env.get("PATRONI_POSTGRESQL_BIN_DIR", (None,))[0]
        if path is not None:
            from oomlint.parsers.patroni import parse_patroni

            got = tree.read_text(path, problems) if tree.lookup(path).kind == "file" else None
            pc = parse_patroni(got[1], got[0], problems) if got is not None else None
            if pc is not None:
                data, confdir, bindir = pc.data_dir or data, pc.config_dir or confdir, \
                    pc.bin_dir or bindir
        base = confdir or data
        if not base:
            continue
        conf = posixpath.normpath(posixpath.join("/", base, "postgresql.conf"))
        if tree.lookup(conf).kind != "file":
            continue
        m = re.search(r"/postgresql/(\d+)(?:/|$)", bindir or "") or \
            re.search(r"/(\d+)/", conf)
        found.setdefault(conf, (unit, m.group(1) if m else None, data))
    return found


def _linked_unit(host: Host, cfg) -> Unit | None:
    """The unit a configuration names with ``# oomlint: unit=NAME`` (last one wins)."""
    names = [p.unit for p in cfg.pragmas if p.unit]
    return host.units.get(names[-1]) if names else None


def _add_pg(tree, host, problems, conf, ver, unit, data_dir):
    from oomlint.model.postgresql import load_postgresql

    flavor = host.db_flavors.get("postgresql") or (f"postgresql-{ver}" if ver else "postgresql-15")
    # postgres reads postgresql.auto.conf from data_directory (a setting of the main file,
    # else the -D directory); read the main file once to learn it.
    first = load_postgresql(tree, conf, flavor, Problems())
    if first is not None and first.get("data_directory"):
        data_dir = first.get("data_directory")
    auto = f"{data_dir}/postgresql.auto.conf" if data_dir else None
    if auto and tree.lookup(auto).kind != "file":
        auto = None
    cfg = load_postgresql(tree, conf, flavor, problems, auto_conf_path=auto)
    if cfg is None:
        return
    unit = _linked_unit(host, cfg) or unit
    host.pragmas.extend(cfg.pragmas)
    name = unit.name if unit is not None and unit.template != unit.name else (
        f"postgresql@{conf.split('/')[3]}-{conf.split('/')[4]}.service" if ver else
        f"postgres ({rel(conf)})")
    host.databases.append(DatabaseInstance(name, cfg, unit, Loc(rel(conf), 0)))


# -- JVMs ---------------------------------------------------------------------------------


# The commands model/jvm_launch.py `load_jvm` recognises by name (parsers/launchers.py
# `detect_launcher_located`: java, its LAUNCHERS and _ENTRYPOINTS) and those it looks
# through (env, its SHELLS); tests/test_domains.py holds them equal to those tables.
JVM_COMMANDS = frozenset({
    "java", "catalina.sh", "startup.sh", "kafka-server-start.sh", "kafka-run-class.sh",
    "elasticsearch", "opensearch", "zkServer.sh", "jetty.sh", "jenkins",
    "systemd-entrypoint", "elasticsearch-entrypoint.sh", "opensearch-entrypoint.sh"})
JVM_WRAPPERS = frozenset({"env", "sh", "bash", "dash", "ksh", "zsh"})

# Variables a Java service's unit or environment file sets for its JVM (JAVA_OPTS,
# ES_JAVA_OPTS, KAFKA_HEAP_OPTS, CATALINA_OPTS, JAVA_TOOL_OPTIONS ...), and JVM options.
_JVM_VAR = re.compile(r"(?:^|_)JAVA(?:_[A-Z0-9]+)*_OPT(?:ION)?S$|^_JAVA_OPTIONS$|^JAVA_TOOL_OPTIONS$"
                      r"|_HEAP_OPTS$|^CATALINA_OPTS$|^JVM_OPTS$|^JAVA_ARGS$")
_JVM_OPTION = re.compile(r"(?:^|\s)-(?:Xmx|Xms|XX:[+-]?[A-Za-z]+)")


def jvm_evidence(unit: Unit) -> tuple[str, Loc] | None:
    """Why a unit looks like a JVM: a JVM variable it sets (by name: the values may hold
    secrets), a variable holding -Xmx/-XX: options, or JVM options on its command line."""
    for key, (value, loc) in unit.env.variables.items():
        if _JVM_VAR.search(key):
            return f"it sets {key}", loc
        if _JVM_OPTION.search(value):
            return f"its {key} holds JVM options", loc
    for argv, loc in unit.commands:
        if any(_JVM_OPTION.search(w.text) or w.text.endswith((".jar", ".war")) for w in argv):
            return "its command line has JVM options or a jar", loc
    return None


def may_start_jvm(tree, unit: Unit) -> bool:
    """False only when model/jvm_launch.py `load_jvm` finds no JVM in the unit and
    `jvm_unmodelled` notes none (OOM508), so that the JVM model is not even imported: the
    unit has no `jvm_evidence`, and no ExecStart= command starts with a template
    expression, a name `load_jvm` recognises or looks through (`JVM_COMMANDS`,
    `JVM_WRAPPERS`), or an absolute path the tree has (a start script it would read).
    Such a command is all `load_jvm` would look at, and it would look the path up the
    same way, the commands taken last first."""
    if jvm_evidence(unit) is not None:
        return True
    for argv, _ in reversed(unit.commands):
        if not argv:
            continue
        word = argv[0].text
        name = posixpath.basename(word)
        if "{" in word or name in JVM_COMMANDS or name in JVM_WRAPPERS:
            return True
        if word.startswith("/") and tree.lookup(word).kind != "missing":
            return True
    return False


def load_jvms(reader: Reader) -> None:
    """Every service whose ExecStart= starts a JVM (directly or through a known launcher).
    With UseContainerSupport (JDK 11.0.16+/15+ on cgroup v2) the JVM sizes its heap from
    the cgroup limit it runs under, i.e. the unit's binding MemoryMax; else from RAM."""
    tree, host, problems = reader.tree, reader.host, reader.problems
    jdk = int(host.db_flavors.get("jdk", 17))
    bundled = "jdk" not in host.db_flavors  # else the configured JDK runs every JVM
    for unit in host.services:
        if unit.fragment is None or "ExecStart" not in unit.settings:
            continue
        cap = host.memory_cap(unit)
        limit = cap.bytes if cap is not None else None
        # JDK 11-23 read their own cgroup's memory.max only; limits on parent slices are
        # seen from JDK 24 (JDK-8322420).
        own_cap = host.memory_cap(unit, slices=False)
        own = own_cap.bytes if own_cap is not None else None
        visible = own if own is not None and jdk >= 11 else host.ram
        if jdk >= 24 and limit is not None:
            visible = limit
        if not may_start_jvm(tree, unit):
            continue  # no JVM, and nothing OOM508 would say: model/jvm_launch.py not loaded
        from oomlint.model.jvm_launch import jvm_unmodelled, load_jvm

        why_not: list[str] = []
        cfg = load_jvm(tree, unit, None, problems, jdk, visible, name=unit.name,
                       host_ram=host.ram, bundled=bundled, why_not=why_not,
                       ram_note="the unit's MemoryMax" if visible is not None and
                       visible != host.ram else "RAM")
        if cfg is None:
            hint = jvm_unmodelled(unit, why_not)
            if hint is not None:
                host.jvm_unmodelled.append(hint)
            continue
        support = cfg.flags.get("UseContainerSupport")
        if visible is not None and visible != host.ram and support is not None and \
                support.value is False:
            # -XX:-UseContainerSupport: the JVM ignores the cgroup and sizes from RAM
            visible = host.ram
            cfg = load_jvm(tree, unit, None, Problems(), jdk, visible, name=unit.name,
                           host_ram=host.ram, bundled=bundled,
                           ram_note="RAM (-XX:-UseContainerSupport)")
        host.pragmas.extend(cfg.pragmas)
        host.jvms.append(JvmInstance(unit.name, cfg, unit, visible, cap))


# -- programs whose presence changes what a rule means (analysis/roles.py) ----------------

# Executables and unit names, by role. analysis/roles.py decides the roles; these tables
# are its vocabulary, here so that the loader below reads the same programs' files.
KUBELET_BINARIES = {"kubelet"}
KUBELET_UNITS = ("kubelet.service",)
SEARCH_BINARIES = {"elasticsearch", "opensearch", "systemd-entrypoint",
                   "elasticsearch-entrypoint.sh", "opensearch-systemd-entrypoint"}
SEARCH_UNITS = ("elasticsearch.service", "opensearch.service")
REDIS_BINARIES = {"redis-server", "valkey-server", "keydb-server"}
REDIS_UNITS = ("redis.service", "redis-server.service", "valkey.service",
               "valkey-server.service")
REDIS_TEMPLATES = ("redis-server@.service", "redis@.service", "valkey@.service",
                   "valkey-server@.service")
CONTAINER_RUNTIME_BINARIES = {"containerd", "dockerd"}
CONTAINER_RUNTIME_UNITS = ("containerd.service", "docker.service")


def is_program(unit: Unit, binaries, units=(), templates=()) -> bool:
    """The unit runs one of `binaries` (its last ExecStart='s executable) or is named as the
    program's packaged unit."""
    argv = unit.exec_argv()
    return unit.name in units or (unit.template in templates if unit.template else False) or \
        bool(argv) and posixpath.basename(argv[0]) in binaries


def load_program_configs(reader: Reader) -> None:
    """The YAML file each kubelet and Elasticsearch/OpenSearch unit's program reads:
    kubelet's `--config` (kubeadm's drop-in passes /var/lib/kubelet/config.yaml), and
    `$ES_PATH_CONF/elasticsearch.yml` (`/etc/elasticsearch` by default) or
    `$OPENSEARCH_PATH_CONF/opensearch.yml` (`/etc/opensearch`)."""
    tree, host = reader.tree, reader.host
    for unit in host.services:
        if unit.fragment is None:
            continue
        path = None
        if is_program(unit, KUBELET_BINARIES, KUBELET_UNITS):
            path = _flag(unit.exec_argv(), "--config")
        elif is_program(unit, SEARCH_BINARIES, SEARCH_UNITS):
            argv0 = posixpath.basename((unit.exec_argv() or [""])[0])
            if "opensearch" in unit.name or "opensearch" in argv0:
                path = (unit.env.get("OPENSEARCH_PATH_CONF") or "/etc/opensearch") + \
                    "/opensearch.yml"
            else:
                path = (unit.env.get("ES_PATH_CONF") or "/etc/elasticsearch") + \
                    "/elasticsearch.yml"
        if not path or not path.startswith("/") or tree.lookup(path).kind != "file":
            continue
        from oomlint.parsers.yaml_keys import parse_yaml_keys

        keys = reader.parse(path, "yaml-keys", lambda text, shown, _p: parse_yaml_keys(
            text, shown))
        if keys is not None:
            host.program_configs[unit.name] = keys
# -- php-fpm and Redis / Valkey ---------------------------------------------------------


def _may_be_fpm(argv0: str) -> bool:
    """Every name model/php_fpm.py `FPM_BINARY` matches (php-fpm, php-fpm8.2, php8.2-fpm)
    starts with "php" and holds "fpm": a cheap first test before that module is loaded."""
    name = posixpath.basename(argv0)
    return name.startswith("php") and "fpm" in name


def load_php_fpm_services(reader: Reader) -> None:
    """Every service whose ExecStart= runs php-fpm (``php-fpm8.2``, ``php-fpm``), with the
    configuration it reads; then Debian's /etc/php/X.Y/fpm/php-fpm.conf and
    /etc/php-fpm.conf that no unit claimed, standalone."""
    tree, host, problems = reader.tree, reader.host, reader.problems
    seen: set[str] = set()
    for unit in host.services:
        argv = unit.exec_argv()
        if unit.fragment is None or not argv or not _may_be_fpm(argv[0]):
            continue
        from oomlint.model.php_fpm import fpm_binary_version, load_php_fpm

        if not fpm_binary_version(argv[0])[0]:
            continue
        cfg = load_php_fpm(tree, argv, unit.env, problems)
        if cfg is None or cfg.conf in seen:
            continue
        seen.add(cfg.conf)
        host.pragmas.extend(cfg.pragmas)
        host.php_fpm.append(PhpFpmInstance(unit.name, cfg, unit, Loc(cfg.conf, 0)))
    candidates = [f"/etc/php/{v}/fpm/php-fpm.conf" for v in tree.listdir("/etc/php")]
    for conf in [*candidates, "/etc/php-fpm.conf"]:
        if rel(conf) in seen or tree.lookup(conf).kind == "missing":
            continue
        from oomlint.model.php_fpm import load_php_fpm

        cfg = load_php_fpm(tree, [], None, problems, conf=conf)
        if cfg is None:
            continue
        seen.add(cfg.conf)
        host.pragmas.extend(cfg.pragmas)
        host.php_fpm.append(PhpFpmInstance(f"php-fpm ({cfg.conf})", cfg, None,
                                           Loc(cfg.conf, 0)))


def load_redis_services(reader: Reader) -> None:
    """Every service whose ExecStart= runs redis-server or valkey-server, with the file and
    options it passes; then /etc/redis/redis.conf, /etc/redis.conf and
    /etc/valkey/valkey.conf that no unit claimed, standalone."""
    tree, host, problems = reader.tree, reader.host, reader.problems
    seen: set[str] = set()
    for unit in host.services:
        argv = unit.exec_argv()
        # REDIS_BINARIES holds every name model/redis.py `redis_binary` knows (and more)
        if unit.fragment is None or not argv or posixpath.basename(argv[0]) not in \
                REDIS_BINARIES:
            continue
        from oomlint.model.redis import load_redis, redis_binary

        if redis_binary(argv[0]) is None:
            continue
        if unit.template == unit.name:
            continue  # a template (redis-server@.service) runs nothing by itself
        start = unit.get("ExecStart")
        cfg = load_redis(tree, argv, problems, redis_binary(argv[0]),
                         unit_loc=start.loc if start is not None else None)
        if cfg is None or (cfg.conf is not None and cfg.conf in seen):
            continue
        if cfg.conf is not None:
            seen.add(cfg.conf)
        host.pragmas.extend(cfg.pragmas)
        loc = Loc(cfg.conf, 0) if cfg.conf else (start.loc if start is not None else
                                                  unit.service_header())
        host.redis.append(RedisInstance(unit.name, cfg, unit, loc))
    for conf, flavor in (("/etc/redis/redis.conf", "redis"), ("/etc/redis.conf", "redis"),
                         ("/etc/valkey/valkey.conf", "valkey")):
        if rel(conf) in seen or tree.lookup(conf).kind == "missing":
            continue
        from oomlint.model.redis import load_redis

        cfg = load_redis(tree, [], problems, flavor, conf=conf)
        if cfg is None:
            continue
        seen.add(cfg.conf)
        host.pragmas.extend(cfg.pragmas)
        host.redis.append(RedisInstance(f"{flavor}-server ({cfg.conf})", cfg, None,
                                        Loc(cfg.conf, 0)))
