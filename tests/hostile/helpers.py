"""Helpers of the hostile-input suite: run the real command line, build trees from bytes,
mutate valid files, watch what the run does, and count the generated cases."""

from __future__ import annotations

import collections
import gzip
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from oomlint.cli import main

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
UNIT_DIR = "etc/systemd/system"
UNIT_SUFFIXES = (".service", ".socket", ".mount", ".automount", ".swap", ".timer", ".path",
                 ".slice", ".scope", ".target")
IMMORTAL = "[Service]\nExecStart=/bin/app\nOOMScoreAdjust=-1000\nMemoryMax=1G\n"

# Generated cases (hypothesis examples) per property; printed in the terminal summary.
CASES: collections.Counter = collections.Counter()


def count(name: str) -> None:
    CASES[name] += 1


# -- watching what a run does (PEP 578 audit hooks) --------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Events that are a side effect by themselves: writing, executing, fetching.
FORBIDDEN = {
    "os.remove", "os.rename", "os.mkdir", "os.rmdir", "os.symlink", "os.link", "os.chmod",
    "os.chown", "os.utime", "os.truncate", "os.chflags", "os.mkfifo", "os.mknod", "os.putenv",
    "os.unsetenv", "shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.copytree",
    "shutil.move", "shutil.rmtree", "shutil.make_archive", "shutil.unpack_archive",
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "os.startfile", "os.kill", "os.killpg", "pty.spawn", "ctypes.dlopen",
    "socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.sendto", "urllib.Request", "http.client.connect",
    "ftplib.connect", "smtplib.connect", "webbrowser.open", "tempfile.mkstemp",
    "tempfile.mkdtemp",
}
_WATCHED = FORBIDDEN | {"open", "os.listdir", "os.scandir"}
_events: list | None = None


def _hook(event: str, args: tuple) -> None:
    if _events is not None and event in _WATCHED:
        _events.append((event, args))


sys.addaudithook(_hook)  # for the whole session; it records only inside `oomlint()`


def _allowed_roots(args) -> list[str]:
    """Where a run may read: the paths it was given, the interpreter and its packages
    (lazy imports), and oomlint's own package and rule catalogue."""
    roots = [os.path.realpath(str(a)) for a in args if os.path.exists(str(a))]
    roots += [os.path.realpath(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    import oomlint

    package = Path(oomlint.__file__).resolve().parent
    roots += [str(package), str(package.parent.parent / "rules")]
    return roots


def _inside(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == r or real.startswith(r.rstrip("/") + "/") for r in roots)


def _bytecode_cache(path) -> bool:
    """A byte-code file the import system writes for a module oomlint imports lazily
    (`<oomlint>/**/__pycache__/NAME.cpython-311.pyc`, first as `...pyc.<id>`, then renamed):
    the interpreter's cache of oomlint's own code, not a side effect of checking a tree."""
    import oomlint

    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        return False
    p = Path(os.path.realpath(os.fspath(path)))
    package = Path(oomlint.__file__).resolve().parent
    name = p.name.rsplit(".", 1)[0] if p.suffix[1:].isdigit() else p.name
    return (p.parent.name == "__pycache__" and package in p.parents
            and name.endswith(".pyc") and p.parent.parent.joinpath(
                name.split(".", 1)[0] + ".py").is_file())


def audit(events: list, args) -> list[str]:
    """What a run did that it must not: write, execute, fetch, or read outside the paths
    it was given (configuration discovery may read .oomlint.toml / pyproject.toml)."""
    roots = _allowed_roots(args)
    bad = []
    for event, ev_args in events:
        if event in ("open", "os.rename") and ev_args and _bytecode_cache(ev_args[0]) and (
                event == "open" or _bytecode_cache(ev_args[1])):
            continue
        if event in FORBIDDEN:
            bad.append(f"{event}{ev_args!r}"[:300])
            continue
        path = ev_args[0] if ev_args else None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, (str, os.PathLike)):
            continue  # an already open file descriptor
        path = os.fspath(path)
        if event == "open" and isinstance(ev_args[2], int) and ev_args[2] & _WRITE_FLAGS:
            bad.append(f"open for writing: {path}")
        elif os.path.basename(path) in (".oomlint.toml", "pyproject.toml"):
            continue
        elif not _inside(path, roots):
            bad.append(f"{event} outside the checked paths: {path}")
    return bad


# -- running the CLI ---------------------------------------------------------------------


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def doc(self) -> dict:
        return json.loads(self.stdout)

    @property
    def findings(self) -> list[dict]:
        return self.doc["findings"]

    def triples(self) -> list[tuple[str, str, int]]:
        return sorted((f["rule"], f["path"], f["line"]) for f in self.findings)

    def rules(self) -> set[str]:
        return {f["rule"] for f in self.findings}

    def at(self, rule: str) -> list[dict]:
        return [f for f in self.findings if f["rule"] == rule]


def oomlint(*args) -> Run:
    """`oomlint ARGS` through click's runner; any exception fails the test with its
    traceback (catch_exceptions=False), so "no traceback" is checked on every run."""
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click 8.2+ keeps stderr apart
    argv = [str(a) for a in args]
    if argv[:1] == ["check"] and not {"--jobs", "-j"} & set(argv):
        # In this process: the audit hook and the sealing see only this process, and the
        # workers' reads and side effects would escape them (tests/test_jobs.py shows that
        # --jobs 2 gives the same output).
        argv[1:1] = ["--jobs", "1"]
    global _events
    _events = events = []
    try:
        result = runner.invoke(main, argv, catch_exceptions=False)
    finally:
        _events = None
    bad = audit(events, args)
    assert not bad, "the run wrote, executed, fetched or left the tree:\n" + "\n".join(bad)
    return Run(result.exit_code, result.stdout, result.stderr)


def check(*args) -> Run:
    """`oomlint check --ram 8G --format json ARGS`; exit code 2 or a traceback is never what
    a hostile-input case expects, so the exit code is returned for the test to assert."""
    return oomlint("check", "--ram", "8G", "--format", "json", *args)


# -- trees --------------------------------------------------------------------------------


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        p.write_bytes(data)
    return root


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under `root`: kind, bytes (files), link target (links), mtime (ns)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if os.path.islink(p):
                out[p] = ("link", os.readlink(p), st.st_mtime_ns)
            elif os.path.isdir(p):
                out[p] = ("dir", st.st_mtime_ns)
            elif os.path.isfile(p):
                with open(p, "rb") as fh:
                    out[p] = ("file", fh.read(), st.st_mtime_ns, st.st_mode)
            else:
                out[p] = ("other", st.st_mode, st.st_mtime_ns)
    return out


# -- the corpus ---------------------------------------------------------------------------


def corpus_files(sub: str) -> list[tuple[str, bytes]]:
    """(name, bytes) of every corpus file under `sub`, in byte order of their names; files
    stored gzip-compressed (the large ones) are decompressed."""
    out = []
    for p in sorted((CORPUS / sub).rglob("*"), key=lambda p: str(p).encode()):
        if not p.is_file():
            continue
        data = p.read_bytes()
        name = p.relative_to(CORPUS / sub).as_posix()
        if name.endswith(".gz"):
            data, name = gzip.decompress(data), name[:-3]
        out.append((name, data))
    return out


def unit_name(name: str, data: bytes) -> tuple[str, bytes]:
    """A fuzz-unit-file input as a unit: systemd's fuzzer reads the unit type from the first
    line and parses the rest as `a.<type>`. Returns the file name to use (its own when it
    already has a unit suffix, else `<name>.<type>`, else `<name>.service`) and the body
    without the type line when there is one."""
    base = name.replace("/", "-")
    first, _, rest = data.partition(b"\n")
    utype = first.decode("utf-8", "replace").strip()
    if "." + utype in UNIT_SUFFIXES:
        body = rest
        return (base if base.endswith(UNIT_SUFFIXES) else f"{base}.{utype}"), body
    return (base if base.endswith(UNIT_SUFFIXES) else f"{base}.service"), data


# -- mutations ----------------------------------------------------------------------------

ODD = ("\0", "\ufeff", "\u202e", "\u00a0", "\u2028", "\x85", "\x0c", "\x0b", "\r", "\\",
       "\\\n", "'", '"', "=", "[", "]", "#", ";", "!", "@", "$", "${", "{{", "}}", "%", "(",
       ")", "^", "-", "--", "é", "\udcff", "9" * 5000, "0x" + "f" * 80, "1e999", "-1",
       "x" * 5000, "(" * 200, "-" * 300, " " * 300, "# oomlint: disable=" + " -" * 200,
       "include '/etc/passwd'", "!include /etc/passwd", "!includedir /etc", "@/etc/shadow",
       "$API_OPTS", "{{ ''.__class__ }}", "$(touch /tmp/oomlint-pwned)", "`id`")


def mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    """Apply (operation, position, argument) triples to `data`: flip a byte, insert an odd
    token, duplicate or delete a line, truncate, insert a NUL or a long line."""
    b = bytearray(data)
    for op, pos, arg in ops:
        n = len(b)
        i = pos % (n + 1)
        kind = op % 8
        if kind == 0 and n:
            b[i % n] ^= 1 << (arg % 8)
        elif kind == 1:
            b[i:i] = ODD[arg % len(ODD)].encode("utf-8", "surrogatepass")
        elif kind in (2, 3):
            lines = bytes(b).split(b"\n")
            j = pos % len(lines)
            if kind == 2:
                lines.insert(j, lines[j])
            else:
                del lines[j]
            b = bytearray(b"\n".join(lines))
        elif kind == 4:
            del b[i:]
        elif kind == 5:
            b[i:i] = b"\0"
        elif kind == 6:
            b[i:i] = b"\n" + b"A" * (arg * 997 % 70000) + b"\n"
        else:
            del b[i:i + arg % 40]
    return bytes(b)


def decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def is_internal(run: Run) -> bool:
    return run.exit_code == 2 or "OOM099" in run.stdout


def describe(run: Run) -> str:
    return f"exit {run.exit_code}\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}"


PY = sys.executable
