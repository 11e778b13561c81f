"""A live machine's running state, read-only: /proc, /sys/fs/cgroup and a kernel log.

`LiveSource` reads files under a proc directory (default /proc), a sys directory (default
/sys) and a kernel log (`--kernel-log FILE`, else /dev/kmsg when it can be read), or the
same from captured copies. It never writes, never executes anything and needs no
privilege: what cannot be read is noted once (`unreadable`) and the audit goes on.

Each directory is a `Tree` (sources/tree.py), so a link under a captured /proc stays inside
it, loops are detected and reads are bounded; /proc files report a size of 0, so every
read takes at most `MAX_LIVE_FILE` bytes whatever the size says. Paths given back are the
host's own (``/proc/meminfo``, ``/sys/fs/cgroup/system.slice/memory.events``): `display`
turns them into the captured directory's when one was given.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from dataclasses import dataclass, field
from pathlib import Path

from oomlint.sources.fs import NotRegularFile, ReadError
from oomlint.sources.tree import MAX_HOST_FILES, Tree

MAX_LIVE_FILE = 1024 * 1024  # bytes read of one /proc or /sys file
MAX_LIVE_BYTES = 32 * 1024 * 1024  # bytes read from /proc and /sys together in one run
MAX_LIVE_FILES = 6 * MAX_HOST_FILES  # files read from /proc and /sys together (7 per process)
MAX_CGROUPS = 2000  # cgroup directories walked
MAX_CGROUP_DEPTH = 4  # levels below the memory hierarchy's root
KMSG = "/dev/kmsg"
_KMSG_RECORD = 8192  # a /dev/kmsg read returns one record; a smaller buffer gets EINVAL


@dataclass(frozen=True)
class KernelLog:
    shown: str  # the name as given, or "/dev/kmsg"
    text: str
    first_line: int = 1


@dataclass
class LiveSource:
    """The running state of one machine (`proc`, `sys`: directories; `kernel_log`: a file,
    or None for /dev/kmsg when `kmsg` allows it)."""

    proc: Path = Path("/proc")
    sys: Path = Path("/sys")
    kernel_log: str | None = None
    kmsg: bool = False  # read /dev/kmsg when no kernel log is given (the real machine only)
    unreadable: dict[str, str] = field(default_factory=dict)  # what -> why, each said once
    files_read: int = 0
    _budget: int = MAX_LIVE_BYTES

    def __post_init__(self):
        # /proc lists processes, not their threads' /proc/TID: no lookup trusts a listing.
        self._proc = Tree(root=self.proc, complete_listings=False)
        self._sys = Tree(root=self.sys, complete_listings=False)

    # -- what the user sees -----------------------------------------------------------------

    def display(self, path: str) -> str:
        """A host path given back by this source as the user should see it: under the
        captured directory when one was given."""
        for prefix, root in (("/proc/", self.proc), ("/sys/", self.sys)):
            if path.startswith(prefix) and os.fspath(root).rstrip("/") != prefix.rstrip("/"):
                return f"{os.fspath(root).rstrip('/')}/{path[len(prefix):]}"
        return path

    def note(self, what: str, why: str) -> None:
        """Say once that `what` could not be read and why."""
        self.unreadable.setdefault(what, why)

    # -- reading ----------------------------------------------------------------------------

    def _tree(self, path: str) -> tuple[Tree, str]:
        if path == "/proc" or path.startswith("/proc/"):
            return self._proc, path[len("/proc"):] or "/"
        if path == "/sys" or path.startswith("/sys/"):
            return self._sys, path[len("/sys"):] or "/"
        raise ValueError(f"not a live path: {path}")

    def read_bytes(self, path: str, *, quiet: bool = False) -> bytes | None:
        """At most `MAX_LIVE_FILE` bytes of the host file `path` (``/proc/...`` or
        ``/sys/...``); None when it cannot be read (noted unless `quiet`: a process that
        exits during the run takes its files with it)."""
        tree, inner = self._tree(path)
        entry = tree.lookup(inner)
        why = None
        if entry.kind == "missing":
            why = "a symbolic link that leads nowhere inside the directory read" \
                if entry.is_link or tree.readlink(inner) is not None else "missing"
        elif entry.kind == "loop":
            why = "symbolic link loop"
        elif entry.kind != "file":
            why = "not a regular file"
        elif self.files_read >= MAX_LIVE_FILES or self._budget <= 0:
            self.note("/proc and /sys", f"read budget of {MAX_LIVE_FILES} files, "
                      f"{MAX_LIVE_BYTES // (1024 * 1024)} MiB exhausted: later files not read")
            return None
        if why is None:
            try:
                data = tree.fs.read(entry.target, MAX_LIVE_FILE + 1)
            except NotRegularFile:
                why = "not a regular file"
            except (ReadError, OSError) as exc:
                why = _reason(exc)
        if why is not None:
            if not quiet:
                self.note(path, why)
            return None
        self.files_read += 1
        if len(data) > MAX_LIVE_FILE:
            data = data[:MAX_LIVE_FILE]
            self.note(path, f"larger than {MAX_LIVE_FILE // 1024} KiB: only the start was read")
        self._budget -= len(data)
        return data

    def read_text(self, path: str, *, quiet: bool = False) -> str | None:
        """`read_bytes` decoded; a file with a NUL byte is not text (noted, None)."""
        data = self.read_bytes(path, quiet=quiet)
        if data is None:
            return None
        if b"\0" in data:
            self.note(path, "binary content (NUL byte)")
            return None
        return data.decode("utf-8", "replace")

    def listdir(self, path: str) -> list[str]:
        tree, inner = self._tree(path)
        return tree.listdir(inner)

    def is_dir(self, path: str) -> bool:
        tree, inner = self._tree(path)
        return tree.lookup(inner).kind == "dir"

    def exists(self, path: str) -> bool:
        tree, inner = self._tree(path)
        return tree.lookup(inner).kind != "missing"

    # -- the kernel log ---------------------------------------------------------------------

    def read_kernel_log(self) -> KernelLog | None:
        """The kernel log: `kernel_log` when given, else what /dev/kmsg holds now (when
        `kmsg`); None (noted) when neither can be read."""
        from oomlint.sources.logs import LogError, read_log  # only when a log is read

        if self.kernel_log is not None:
            try:
                log = read_log(self.kernel_log)
            except LogError as exc:
                self.note(self.kernel_log, str(exc))
                return None
            return KernelLog(log.shown, log.text, log.first_line)
        if not self.kmsg:
            return None
        try:
            text = read_kmsg(KMSG)
        except OSError as exc:
            self.note(KMSG, _reason(exc))
            return None
        return KernelLog(KMSG, text)


def _reason(exc: OSError) -> str:
    return {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOENT: "missing",
        errno.ESRCH: "process exited",
        errno.ELOOP: "symbolic link loop",
    }.get(exc.errno, exc.strerror or "cannot read")


def read_kmsg(path: str = KMSG, limit: int | None = None) -> str:
    """The records /dev/kmsg holds now, as ``[seconds.micro] message`` lines: opened
    read-only and non-blocking, read record by record until EAGAIN (nothing more is
    buffered), skipping records overwritten while reading (EPIPE). Continuation lines
    (dictionary ``KEY=value`` lines, starting with a space) are dropped. Raises OSError when
    it cannot be opened or is not a character device."""
    if limit is None:
        from oomlint.sources.logs import MAX_LOG_BYTES as limit
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISCHR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a character device")
        lines: list[str] = []
        size = 0
        while size < limit:
            try:
                rec = os.read(fd, _KMSG_RECORD)
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno == errno.EPIPE:  # overwritten since the last read: go on
                    continue
                if exc.errno == errno.EINVAL and not lines:
                    raise
                break
            if not rec:
                break
            size += len(rec)
            lines.append(kmsg_line(rec))
        return "".join(line + "\n" for line in lines if line)
    finally:
        os.close(fd)


def kmsg_line(rec: bytes) -> str:
    """One /dev/kmsg record (``prio,seq,usec,flags;text\\n KEY=value...``) as the printk
    line dmesg shows: ``[     12.345678] text``."""
    text = rec.decode("utf-8", "surrogateescape").split("\n", 1)[0]
    head, sep, message = text.partition(";")
    if not sep:
        return text
    fields = head.split(",")
    try:
        usec = int(fields[2])
    except (IndexError, ValueError):
        return message
    return f"[{usec // 1_000_000:5d}.{usec % 1_000_000:06d}] {message}"


def live_source(proc: Path | None, sys: Path | None, kernel_log: str | None) -> LiveSource:
    """The source `oomlint audit` reads: /dev/kmsg only when the real /proc is read and no
    log was given (a captured /proc belongs to another machine)."""
    real = proc is None or posixpath.normpath(os.fspath(proc)) == "/proc"
    return LiveSource(proc=proc or Path("/proc"), sys=sys or Path("/sys"),
                      kernel_log=kernel_log, kmsg=real and kernel_log is None)
