"""Link loops, include cycles and deep include chains end in findings, never in a hang or a
RecursionError; include depth is bounded the way each server bounds it."""

from __future__ import annotations

import os

import pytest

from .helpers import IMMORTAL, UNIT_DIR, check, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

CONTROL = ("OOM201", f"h/{UNIT_DIR}/control.service", 3)
INPUT = "--select=OOM0,OOM201,OOM402,OOM452"


def tree(cwd, files=None, links=None):
    root = write_tree(cwd / "h", {f"{UNIT_DIR}/control.service": IMMORTAL, **(files or {})})
    for path, target in (links or {}).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / path)
    return root


# -- symbolic links ---------------------------------------------------------------------


def test_two_links_pointing_at_each_other(cwd):
    tree(cwd, links={f"{UNIT_DIR}/a.service": "b.service", f"{UNIT_DIR}/b.service": "a.service"})
    r = check("h", INPUT)
    assert (r.exit_code, r.triples()) == (1, sorted([
        ("OOM006", f"h/{UNIT_DIR}/a.service", 0), ("OOM006", f"h/{UNIT_DIR}/b.service", 0),
        CONTROL]))


def test_link_to_itself_through_an_absolute_path(cwd):
    tree(cwd, links={"etc/fstab": "/etc/../etc/./fstab"})
    r = check("h", INPUT)
    assert (r.exit_code, r.triples()) == (1, sorted([("OOM006", "h/etc/fstab", 0), CONTROL]))


@pytest.mark.parametrize("hops, loops", [(40, False), (41, True)])
def test_long_chains_of_links(cwd, hops, loops):
    """The kernel follows at most 40 links (MAXSYMLINKS); so does the tree."""
    links = {f"chain/{i}": f"/chain/{i + 1}" for i in range(hops - 2)}
    # (a sysctl.d file: systemd-sysctl reads /etc/sysctl.conf only through a 99-sysctl.conf
    # link, which would be one more hop)
    links["etc/sysctl.d/60-chain.conf"] = "/chain/0"
    links[f"chain/{hops - 2}"] = "/real.conf"  # 60-chain.conf + chain/0 .. chain/hops-2
    tree(cwd, {"real.conf": "vm.panic_on_oom = 1\n"}, links)
    r = check("h", INPUT + ",OOM304")
    if loops:
        assert (r.exit_code, r.triples()) == (
            1, sorted([("OOM006", "h/etc/sysctl.d/60-chain.conf", 0), CONTROL]))
    else:
        assert (r.exit_code, r.triples()) == (1, sorted([("OOM304", "h/real.conf", 1), CONTROL]))


@pytest.mark.parametrize("directory", [UNIT_DIR, "etc/sysctl.d", "etc/mysql", "etc",
                                       f"{UNIT_DIR}/app.service.d"])
def test_looping_directory_is_reported_not_silently_empty(cwd, directory):
    """A unit directory (or /etc) that is a link loop hides everything under it; systemd
    would fail on it too. It must show up as a finding."""
    files = {"run/systemd/system/control.service": IMMORTAL,
             "lib/systemd/system/app.service": "[Service]\nExecStart=/x\n"}
    root = write_tree(cwd / "h", files)
    os.makedirs(root / os.path.dirname(directory), exist_ok=True)
    os.symlink(os.path.basename(directory), root / directory)
    r = check("h", INPUT)
    assert r.exit_code == 1
    # At the directory, or at the files oomlint tried to read through it (etc/fstab ...).
    loops = [path for rule, path, _ in r.triples() if rule == "OOM006"]
    assert loops and all(p == f"h/{directory}" or p.startswith(f"h/{directory}/") for p in loops)
    assert ("OOM201", "h/run/systemd/system/control.service", 3) in r.triples()


def test_directory_link_to_its_own_parent(cwd):
    """`app.service.d -> .` makes the unit directory its own drop-in directory: a cycle
    for a recursive walk, harmless for systemd's one-level listing, and for oomlint's."""
    tree(cwd, {f"{UNIT_DIR}/app.service": "[Service]\nExecStart=/x\n"},
         {f"{UNIT_DIR}/app.service.d": ".", "etc/systemd/system/loop": "../../.."})
    r = check("h", INPUT)
    assert (r.exit_code, r.triples()) == (1, [CONTROL])


# -- MySQL / MariaDB includes -------------------------------------------------------------

MY = "etc/mysql/my.cnf"


def test_mycnf_include_cycle(cwd):
    tree(cwd, {MY: "[mysqld]\nmax_connections = 10\n!include /etc/mysql/b.cnf\n",
               "etc/mysql/b.cnf": "[mysqld]\n!include /etc/mysql/my.cnf\n"})
    r = check("h", INPUT)
    assert r.exit_code == 1
    assert ("OOM005", "h/etc/mysql/b.cnf", 2) in r.triples()
    assert "include cycle through /etc/mysql/my.cnf" in r.at("OOM005")[0]["message"]


def test_mycnf_includedir_that_includes_itself(cwd):
    """Five files that each include their own directory: 5**10 reads at mysqld's depth
    limit; oomlint stops following after a bounded number and says so."""
    files = {MY: "[mysqld]\n!includedir /etc/mysql/conf.d\n"}
    for i in range(5):
        files[f"etc/mysql/conf.d/{i}.cnf"] = f"[mysqld]\nkey_buffer_size = {i + 1}M\n" \
            "!includedir /etc/mysql/conf.d/\n"
    tree(cwd, files)
    r = check("h", INPUT)
    assert r.exit_code == 1
    messages = [f["message"] for f in r.at("OOM005")]
    assert any("include cycle" in m for m in messages)
    assert any("oomlint stops following them here" in m for m in messages)


def test_mycnf_deep_include_chain(cwd):
    files = {MY: "[mysqld]\n!include /etc/mysql/1.cnf\n"}
    for i in range(1, 16):
        files[f"etc/mysql/{i}.cnf"] = f"[mysqld]\n!include /etc/mysql/{i + 1}.cnf\n"
    tree(cwd, files)
    r = check("h", INPUT)
    assert (r.exit_code, r.triples()) == (1, sorted([("OOM005", "h/etc/mysql/10.cnf", 2),
                                                     CONTROL]))
    assert r.at("OOM005")[0]["message"] == (
        "!include skipped: maximum include recursion level (10) reached")


# -- PostgreSQL includes ------------------------------------------------------------------

PG = "etc/postgresql/15/main/postgresql.conf"
PGF = f"h/{PG}"


def test_pg_includes_itself(cwd):
    tree(cwd, {PG: "max_connections = 10\ninclude 'postgresql.conf'\n"})
    r = check("h", INPUT)
    assert (r.exit_code, r.triples()) == (1, sorted([("OOM452", PGF, 2), CONTROL]))
    assert 'configuration file recursion in "/etc/postgresql/15/main/postgresql.conf"' in \
        r.at("OOM452")[0]["message"]


def test_pg_include_cycle_hits_the_depth_limit(cwd):
    tree(cwd, {PG: "include 'a.conf'\n",
               "etc/postgresql/15/main/a.conf": "include 'b.conf'\n",
               "etc/postgresql/15/main/b.conf": "include 'a.conf'\n"})
    r = check("h", INPUT)
    assert r.exit_code == 1
    assert {t[0] for t in r.triples()} == {"OOM452", "OOM201"}
    assert any("maximum nesting depth exceeded" in f["message"] for f in r.at("OOM452"))


def test_pg_include_dir_that_includes_itself(cwd):
    files = {PG: "include_dir 'conf.d'\n"}
    for i in range(5):
        files[f"etc/postgresql/15/main/conf.d/{i}0-x.conf"] = "include_dir '.'\n"
    tree(cwd, files)
    r = check("h", INPUT)
    assert r.exit_code == 1
    assert {t[0] for t in r.triples()} == {"OOM452", "OOM201"}


def test_pg_deep_include_chain(cwd):
    files = {PG: "include '1.conf'\n"}
    for i in range(1, 16):
        files[f"etc/postgresql/15/main/{i}.conf"] = f"include '{i + 1}.conf'\n"
    tree(cwd, files)
    r = check("h", INPUT)
    assert r.exit_code == 1
    assert ("OOM452", "h/etc/postgresql/15/main/10.conf", 1) in r.triples()
    assert any("maximum nesting depth exceeded" in f["message"] for f in r.at("OOM452"))


# -- JVM files ----------------------------------------------------------------------------


def test_argfile_naming_itself_is_not_expanded_again(cwd):
    tree(cwd, {f"{UNIT_DIR}/app.service":
               "[Service]\nExecStart=/usr/bin/java @/etc/app.args -jar /app.jar\nMemoryMax=1G\n",
               "etc/app.args": "-Xmx2g\n@/etc/app.args\n"})
    r = check("h", "--select=OOM0,OOM201,OOM501")
    assert (r.exit_code, r.triples()) == (1, sorted([("OOM501", "h/etc/app.args", 1), CONTROL]))
