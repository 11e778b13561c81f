"""Nothing is executed, written or fetched, whatever the configuration says; YAML is only
ever loaded safely. Every run in this suite is also watched by the audit hook of
helpers.oomlint (no process, socket, write or read outside the checked paths); the tests
here feed it configuration that asks for exactly those things."""

from __future__ import annotations

import ast
import os
import socket
import subprocess
from pathlib import Path

import pytest

import oomlint
from oomlint.sources import fs as backends

from .helpers import IMMORTAL, UNIT_DIR, check, snapshot, write_tree
from .helpers import oomlint as run_oomlint

pytestmark = pytest.mark.usefixtures("sealed")

SRC = Path(oomlint.__file__).resolve().parent


def _commanding_tree(root: Path, marker: Path) -> Path:
    """Configuration that would run `touch MARKER` if anything in it were executed."""
    touch = f"/bin/touch {marker}"
    return write_tree(root, {
        f"{UNIT_DIR}/control.service": IMMORTAL,
        f"{UNIT_DIR}/evil.service":
            f"[Service]\nExecStartPre=/bin/sh -c '{touch}'\nExecStart={touch}\n"
            f"ExecStopPost=!!{touch}\nEnvironment=X=$({touch})\n"
            f"EnvironmentFile=/etc/default/evil\nMemoryMax=$({touch})\n",
        f"{UNIT_DIR}/java.service":
            f"[Service]\nExecStart=/bin/sh -c 'exec /usr/bin/java $(touch {marker}) "
            f"-XX:OnOutOfMemoryError=\"{touch}\" -jar /x.jar'\nMemoryMax=1G\n",
        f"{UNIT_DIR}/tpl.service":
            "[Service]\nExecStart=/x\nMemoryMax={{ lookup('pipe', '" + touch + "') }}\n"
            "MemoryHigh={% for x in ().__class__.__base__.__subclasses__() %}{% endfor %}\n",
        "etc/default/evil": f"X=`{touch}`\nY=$({touch})\n",
        "etc/systemd/zram-generator.conf":
            f"[zram0]\nset!mem = {touch}; echo 4096\nzram-size = mem\n"
            f"writeback-device = $({touch})\n",
        "etc/dphys-swapfile": f"CONF_SWAPSIZE=$({touch})\n{touch}\n. /etc/default/evil\n",
        "etc/mysql/my.cnf": f"[mysqld]\n!include |{touch}\ninit-file = $({touch})\n"
                            f"malloc-lib = {marker}\n",
        "etc/postgresql/15/main/postgresql.conf":
            f"archive_command = '{touch}'\nshared_preload_libraries = '{marker}'\n"
            f"include '|{touch}'\n",
        "opt/tomcat/bin/setenv.sh": f"{touch}\nCATALINA_OPTS=\"$({touch}) -Xmx1g\"\n",
        f"{UNIT_DIR}/tomcat.service":
            "[Service]\nEnvironment=CATALINA_HOME=/opt/tomcat\n"
            "ExecStart=/opt/tomcat/bin/catalina.sh run\nMemoryMax=2G\n",
        "etc/sysctl.d/99-x.conf": f"kernel.core_pattern = |{touch}\nkernel.modprobe = {touch}\n",
    })


@pytest.mark.parametrize("command", ["check", "budget"])
def test_nothing_is_executed(cwd, command):
    marker = cwd / "pwned"
    _commanding_tree(cwd / "h", marker)
    r = run_oomlint(command, "h", "--ram", "8G")
    assert r.exit_code in ((0, 1) if command == "check" else (0,))
    assert not marker.exists()


def test_nothing_is_written(cwd):
    _commanding_tree(cwd / "h", cwd / "pwned")
    before = snapshot(cwd)
    check_formats = [["check", "h", "--format", f] for f in ("concise", "json", "sarif", "github")]
    for args in (["check", "h"], *check_formats, ["budget", "h"],
                 ["budget", "h", "--format", "json"], ["check", f"h/{UNIT_DIR}/evil.service"]):
        run_oomlint(*args)
    assert snapshot(cwd) == before


def test_no_network(cwd, monkeypatch):
    """The sealed fixture replaced socket.socket; a run still completes."""
    with pytest.raises(AssertionError):
        socket.socket()
    write_tree(cwd / "h", {f"{UNIT_DIR}/control.service": IMMORTAL,
                           "etc/fstab": "//server/share /mnt cifs defaults 0 0\n"
                                        "nfs.example.com:/swap none swap sw 0 0\n"})
    r = check("h", "--select=OOM0,OOM201")
    assert (r.exit_code, r.triples()) == (1, [("OOM201", f"h/{UNIT_DIR}/control.service", 3)])


def test_sealed_really_refuses(cwd):
    with pytest.raises(AssertionError):
        subprocess.Popen(["true"])
    with pytest.raises(AssertionError):
        os.system("true")


def test_the_audit_sees_a_read_outside_the_tree(cwd, outside, monkeypatch):
    """The detector every run goes through works: break the tree's confinement (the
    directory back-end maps one host path outside its root) and the run is caught reading
    the sentinel next to the tree."""
    write_tree(cwd / "h", {f"{UNIT_DIR}/control.service": IMMORTAL,
                           "etc/sysctl.d/x.conf": "vm.swappiness = 1\n"})
    real = backends.DirectoryFS._real
    monkeypatch.setattr(backends.DirectoryFS, "_real", lambda self, vpath: (
        outside / "sentinel.conf" if vpath.endswith("x.conf") else real(self, vpath)))
    with pytest.raises(AssertionError, match="outside the checked paths"):
        check("h")


# -- no unsafe loading, no code execution in the source ---------------------------------

_UNSAFE_YAML = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load",
                "full_load_all", "Loader", "UnsafeLoader", "FullLoader"}
_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
_FORBIDDEN_MODULES = {"subprocess", "socket", "urllib", "http", "pickle", "marshal", "shelve",
                      "ctypes", "jinja2", "requests", "ftplib", "smtplib", "telnetlib", "pty"}


def _sources():
    return sorted(SRC.rglob("*.py"))


def test_yaml_is_only_loaded_safely():
    offences = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id == "yaml" and node.attr in _UNSAFE_YAML:
                offences.append(f"{path.relative_to(SRC)}:{node.lineno}: yaml.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "yaml":
                offences += [f"{path.relative_to(SRC)}:{node.lineno}: from yaml import {a.name}"
                             for a in node.names if a.name in _UNSAFE_YAML]
    assert offences == []
    # the test looks: YAML is read with safe_load() or a safe loader class
    assert any("yaml.safe_load" in p.read_text() or "SafeLoader" in p.read_text()
               for p in _sources())


def test_source_neither_executes_nor_fetches():
    offences = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in _FORBIDDEN_CALLS:
                offences.append(f"{where}: {node.func.id}()")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Name) and node.func.value.id == "os" and \
                    (node.func.attr in ("system", "popen", "fork", "remove", "unlink", "rename",
                                        "replace", "mkdir", "makedirs", "rmdir", "chmod",
                                        "symlink", "utime", "truncate", "write")
                     or node.func.attr.startswith(("exec", "spawn", "posix_spawn"))):
                offences.append(f"{where}: os.{node.func.attr}()")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("write_text", "write_bytes", "unlink", "mkdir", "touch"):
                offences.append(f"{where}: .{node.func.attr}()")
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offences += [f"{where}: import {n}" for n in names
                         if n.split(".")[0] in _FORBIDDEN_MODULES
                         and not (n.split(".")[0] == "jinja2" and path == _TEMPLATES)]
    assert offences == []


# Jinja2 renders templates with a host's variables (issue 15) in one place only, and only
# in its sandbox: sources/templates.py, with no loader (no include/import/extends).
_TEMPLATES = SRC / "sources" / "templates.py"


def test_jinja2_only_sandboxed_and_without_a_loader():
    text = _TEMPLATES.read_text()
    assert "from jinja2.sandbox import SandboxedEnvironment" in text
    assert "jinja2.Environment" not in text and "Loader" not in text
    assert "from jinja2 import Environment" not in text


def test_files_are_opened_read_only_and_without_following_the_last_link():
    """The back-ends read host files through one function, with these flags; the other
    back-ends open nothing themselves."""
    text = (SRC / "sources" / "fs.py").read_text()
    flags = "os.O_RDONLY | getattr(os, \"O_NOFOLLOW\", 0) | getattr(os, \"O_NONBLOCK\", 0)"
    assert text.count(flags) == 1
    opens = [node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Call) and
             isinstance(node.func, ast.Attribute) and node.func.attr == "open"]
    assert len(opens) == 1 and ast.unparse(opens[0]) == "os.open(real, flags)"
    assert "open(" not in text.replace("os.open(real, flags)", "")


def test_only_the_back_ends_touch_the_os():
    """Tree confines paths over a back-end: tree.py calls no os function and opens nothing,
    so every read goes through sources/fs.py."""
    text = (SRC / "sources" / "tree.py").read_text()
    calls = [ast.unparse(node.func) for node in ast.walk(ast.parse(text))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and
             isinstance(node.func.value, ast.Name) and node.func.value.id in ("os", "stat")]
    assert calls == []
    assert "import os" not in text and "open(" not in text


def test_only_oomlints_own_byte_code_cache_is_excused(tmp_path):
    """A lazily imported module's .pyc write is the interpreter's, and excused; the same
    names written anywhere else (the checked tree included) are still side effects."""
    from .helpers import audit

    package = Path(oomlint.__file__).resolve().parent
    own = package / "report" / "__pycache__" / "sarif.cpython-311.pyc"
    tmp = Path(f"{own}.140159062790016")
    tree_pyc = tmp_path / "__pycache__" / "sarif.cpython-311.pyc"
    fake = package / "report" / "__pycache__" / "notes.txt"
    flags = os.O_WRONLY | os.O_CREAT
    assert audit([("open", (str(tmp), "wb", flags)),
                  ("os.rename", (str(tmp), str(own), -1, -1))], [tmp_path]) == []
    bad = audit([("open", (str(tree_pyc), "wb", flags)), ("open", (str(fake), "wb", flags)),
                 ("os.rename", (str(tmp), str(tree_pyc), -1, -1))], [tmp_path])
    assert len(bad) == 3, bad
