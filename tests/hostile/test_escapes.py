"""Links and includes stay inside the tree. A checked directory is the host's root: an
absolute path (a symlink target, !include, include, EnvironmentFile=, @argfile, -D,
ES_PATH_CONF ...) is taken inside it and ``..`` stops at it, as chroot would. Sentinel files
next to the tree carry values no tree here uses; every run must come out the same whether
they exist or not, and (checked by the audit hook in helpers.oomlint for every run of this
suite) no file outside the tree is opened or listed."""

from __future__ import annotations

import os
import shutil

import pytest

from .helpers import IMMORTAL, UNIT_DIR, check, oomlint, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

MARKERS = ("777777", "7777", "-987", "759.55")  # the sentinels' values, never their names
CLIMB = "../" * 12


def _refs(outside) -> dict[str, str]:
    """A tree whose every file reference points at `outside`, absolutely or by climbing."""
    o = str(outside)
    return {
        f"{UNIT_DIR}/control.service": IMMORTAL,
        f"{UNIT_DIR}/java.service":
            "[Service]\n"
            f"EnvironmentFile={o}/sentinel.env\n"
            "EnvironmentFile=/etc/shadow\n"
            f"EnvironmentFile=-{CLIMB}outside/sentinel.env\n"
            f"ExecStart=/usr/bin/java @{o}/sentinel.args @{CLIMB}outside/sentinel.args "
            "-jar /opt/app.jar\nMemoryMax=1G\n",
        f"{UNIT_DIR}/es.service":
            f"[Service]\nEnvironment=ES_PATH_CONF={o}\n"
            "ExecStart=/usr/share/elasticsearch/bin/systemd-entrypoint\nMemoryMax=2G\n",
        f"{UNIT_DIR}/tomcat.service":
            f"[Service]\nEnvironment=CATALINA_HOME={o} CATALINA_BASE={CLIMB}outside\n"
            "ExecStart=/opt/tomcat/bin/catalina.sh run\nMemoryMax=1G\n",
        f"{UNIT_DIR}/mysqld.service":
            f"[Service]\nExecStart=/usr/sbin/mysqld --defaults-extra-file={o}/sentinel.cnf\n",
        f"{UNIT_DIR}/pg.service": f"[Service]\nExecStart=/usr/lib/postgresql/15/bin/postgres -D {o}\n",
        f"{UNIT_DIR}/swap.swap": f"[Swap]\nWhat={o}/sentinel.service\n",
        "etc/fstab": f"{o}/sentinel.conf none swap sw 0 0\n{CLIMB}outside/x none swap sw 0 0\n",
        "etc/mysql/my.cnf":
            "[mysqld]\nmax_connections = 10\n"
            f"!include {o}/sentinel.cnf\n!include {CLIMB}outside/sentinel.cnf\n"
            "!include /etc/passwd\n!includedir /etc/mysql/conf.d\n"
            f"!includedir {o}/conf.d\n",
        "etc/mysql/conf.d/10.cnf": "[mysqld]\nkey_buffer_size = 16M\n",
        "etc/postgresql/15/main/postgresql.conf":
            "max_connections = 10\n"
            f"include_if_exists '{o}/sentinel.conf'\n"
            f"include_if_exists '{CLIMB}outside/sentinel.conf'\n"
            "include_if_exists '/etc/postgresql/x.conf'\n"
            f"include_dir '{CLIMB}outside/conf.d'\n"
            f"include '{o}/sentinel.conf'\n"
            "include '/etc/postgresql/x.conf'\n"
            "include_dir '../../..'\n",
        "etc/systemd/zram-generator.conf": f"[zram0]\nzram-size = ram\nwriteback-device = {o}\n",
        "etc/dphys-swapfile": f"CONF_SWAPFILE={o}/sentinel.service\n",
    }


def _links(root, outside) -> None:
    """Symbolic links out of the tree, absolute and relative, to files and directories."""
    links = {
        f"{UNIT_DIR}/abs.service": f"{outside}/sentinel.service",
        f"{UNIT_DIR}/rel.service": f"{CLIMB}outside/sentinel.service",
        f"{UNIT_DIR}/passwd.service": "/etc/passwd",
        f"{UNIT_DIR}/java.service.d": str(outside),
        "etc/sysctl.d": str(outside),
        "etc/sysctl.conf": f"{CLIMB}outside/sentinel.conf",
        "usr/lib/systemd/system": f"{CLIMB}outside",
        "etc/mysql/conf.d/20.cnf": f"{outside}/sentinel.cnf",
        "etc/default": str(outside),
        "opt": f"{CLIMB}{CLIMB}",
    }
    for path, target in links.items():
        p = root / path
        p.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, p)


@pytest.fixture
def hostile_tree(cwd, outside):
    root = write_tree(cwd / "h", _refs(outside))
    _links(root, outside)
    return root


@pytest.mark.parametrize("command, fmt", [
    *(("check", f) for f in ("text", "concise", "json", "sarif", "github")),
    ("budget", "json"), ("budget", "text")])
def test_nothing_outside_the_tree_reaches_the_output(hostile_tree, outside, cwd, command, fmt):
    def run():
        if command == "check":
            return oomlint("check", "h", "--ram", "8G", "--format", fmt)
        return oomlint("budget", "h", "--ram", "8G", "--format", fmt)

    with_sentinels = run()
    assert with_sentinels.exit_code in ((0, 1) if command == "check" else (0,))
    for marker in MARKERS:
        assert marker not in with_sentinels.stdout
    shutil.move(str(outside), str(cwd / "elsewhere"))
    without = run()
    assert (without.exit_code, without.stdout) == (with_sentinels.exit_code, with_sentinels.stdout)


def test_escapes_become_findings(hostile_tree):
    r = check("h", "--select=OOM0,OOM201,OOM402,OOM452,OOM507")
    assert r.exit_code == 1
    got = r.triples()
    # Links out of the tree are dangling inside it.
    for link in ("abs.service", "rel.service", "passwd.service"):
        assert ("OOM001", f"h/{UNIT_DIR}/{link}", 0) in got
    # The unit's mandatory EnvironmentFile= and @argfiles do not exist in the tree: systemd
    # and the java launcher refuse to start the service.
    assert [t for t in got if t[0] == "OOM507"] == [
        ("OOM507", f"h/{UNIT_DIR}/java.service", 2), ("OOM507", f"h/{UNIT_DIR}/java.service", 3),
        ("OOM507", f"h/{UNIT_DIR}/java.service", 5), ("OOM507", f"h/{UNIT_DIR}/java.service", 5)]
    # !includedir of a directory that does not exist in the tree stops mysqld.
    assert ("OOM402", "h/etc/mysql/my.cnf", 7) in got
    # include '<outside>' does not exist in the tree: postgres refuses to start.
    # include '/etc/postgresql/x.conf' is taken in the tree, where it does not exist either;
    # include_dir '../../..' is the tree's /etc, whose sysctl.conf is a link out of it.
    assert [t for t in got if t[0] == "OOM452"] == [
        ("OOM452", "h/etc/postgresql/15/main/postgresql.conf", line) for line in (5, 6, 7, 8)]
    assert ("OOM201", f"h/{UNIT_DIR}/control.service", 3) in got


def test_absolute_paths_resolve_inside_the_tree(cwd, outside):
    """The same absolute paths, present inside the tree, are read from there."""
    inside = f"h{outside}"  # <tree>/<absolute path of the outside directory>
    files = _refs(outside)
    files.update({
        f"{inside}/sentinel.env": "JAVA_OPTS=-Xmx333m\n",
        f"{inside}/sentinel.args": "-Xmx334m\n",
        f"{inside}/sentinel.cnf": "[mysqld]\nmax_connections = 3333\n",
        f"{inside}/sentinel.conf": "max_connections = 3334\n",
        f"{inside}/conf.d/x.cnf": "[mysqld]\nkey_buffer_size = 3335M\n",
        "etc/shadow": "",
        "etc/passwd": "root:x:0:0:root:/root:/bin/bash\n",
    })
    write_tree(cwd, {f"h/{p}" if not p.startswith("h/") else p: t for p, t in files.items()})
    r = oomlint("budget", "h", "--ram", "8G", "--format", "json")
    assert r.exit_code == 0
    terms = {(s["name"], t["label"]): (t.get("path"), t.get("line"))
             for s in r.doc["hosts"][0]["services"] for t in s["terms"]}
    assert terms[("java.service", "heap (-Xmx334m)")] == (f"{inside}/sentinel.args", 1)
    assert terms[("mysqld.service", "max_connections = 3333")] == (f"{inside}/sentinel.cnf", 2)
    assert terms[("postgresql@15-main.service",
                  "3334 connections × (work_mem + 5 MiB backend baseline)")] == (
        f"{inside}/sentinel.conf", 1)
    for marker in MARKERS:
        assert marker not in r.stdout


def test_symlink_inside_the_tree_is_followed_chroot_style(cwd):
    root = write_tree(cwd / "h", {"opt/units/real.service": IMMORTAL,
                                  f"{UNIT_DIR}/control.service": IMMORTAL})
    os.symlink("/opt/units/real.service", root / UNIT_DIR / "abs.service")
    os.symlink("../../../../../../opt/units/real.service", root / UNIT_DIR / "rel.service")
    r = check("h", "--select=OOM0,OOM201")
    assert (r.exit_code, r.triples()) == (1, [
        ("OOM201", f"h/{UNIT_DIR}/control.service", 3), ("OOM201", "h/opt/units/real.service", 3)])
