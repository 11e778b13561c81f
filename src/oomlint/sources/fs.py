"""Where a host's files come from: the back-ends behind `Tree`.

A back-end answers a few questions about absolute paths of the host ("/etc/fstab", "/" for
the root) and nothing else: what kind of entry a path is, where a symbolic link points,
which names a directory holds, a file's bytes up to a limit, and its size. It does not
follow links in paths, stop at the root, detect loops or decode text: `Tree` does that, the
same way for every back-end. `Tree` only asks about a path whose parent it has already
resolved to a directory of the same back-end, so a back-end never sees a link among a
path's parents.

`DirectoryFS` is a directory laid out like /, `LooseFilesFS` loose files placed at their
host paths, `OverlayFS` a root with a repository's files placed over it. An archive of a
host or a live machine's /proc and /sys is one more class with these six methods.
"""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path
from typing import Mapping, Protocol

# Entry kinds a back-end reports (`lstat`, `stat`).
LINK, DIR, FILE, CHARDEV, OTHER = "link", "dir", "file", "chardev", "other"


class NotRegularFile(OSError):
    """The entry opened for reading is not a regular file (it changed since it was looked
    up, or is a FIFO or device)."""


class ReadError(OSError):
    """The file was opened, but reading it failed (errno and message of the failure)."""


class FileSystem(Protocol):
    """A host's files, by absolute host path. Every method answers for the entry itself;
    only `stat` follows a link at the last component, the way the back-end's own storage
    does."""

    def lstat(self, path: str) -> str | None:
        """The kind of `path` ("link", "dir", "file", "chardev" or "other"), the last
        component not followed; None when there is no such entry."""

    def stat(self, path: str) -> str | None:
        """The kind of `path` ("dir", "file", "chardev" or "other"); None when absent."""

    def readlink(self, path: str) -> str | None:
        """The target of the symbolic link at `path` as written; None when it is none."""

    def listdir(self, path: str) -> list[str] | None:
        """The names in the directory `path`, in any order; None when it cannot be listed."""

    def read(self, path: str, limit: int) -> bytes:
        """At most `limit` bytes of the regular file `path`, without blocking and without
        following a link. Raises `NotRegularFile`, `ReadError` (after it was opened) or
        another `OSError` (it could not be opened)."""

    def size(self, path: str) -> int | None:
        """The size in bytes of the file `path`; None when it cannot be told."""

    # Optional: a back-end may also have
    #   def scan(self, path: str) -> dict[str, str | None] | None
    # `listdir` with each name's `lstat` kind where one read of the directory tells it
    # (None: not told, `Tree` asks `lstat` when it needs it). `Tree` uses it when present.


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return LINK
    if stat.S_ISDIR(mode):
        return DIR
    if stat.S_ISREG(mode):
        return FILE
    if stat.S_ISCHR(mode):
        return CHARDEV
    return OTHER


def _os_kind(real: str | Path, follow: bool) -> str | None:
    try:
        return _kind((os.stat if follow else os.lstat)(real).st_mode)
    except OSError:
        return None


def _entry_kind(entry: os.DirEntry) -> str | None:
    """`_kind` of a directory entry, from its type where the directory reports one."""
    try:
        if entry.is_symlink():
            return LINK
        if entry.is_dir(follow_symlinks=False):
            return DIR
        if entry.is_file(follow_symlinks=False):
            return FILE
        return _kind(entry.stat(follow_symlinks=False).st_mode)
    except OSError:  # gone since the directory was read
        return None


def _os_size(real: str | Path) -> int | None:
    try:
        return os.stat(real).st_size
    except OSError:
        return None


def read_host_file(real: str | Path, limit: int) -> bytes:
    """At most `limit` bytes of a file of the machine oomlint runs on: opened read-only,
    never following a link at the last component, never blocking (a FIFO), and checked to
    be a regular file once open."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(real, flags)  # an OSError here: it cannot be opened
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile("not a regular file")
        chunks = []
        remaining = limit
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except NotRegularFile:
        raise
    except OSError as exc:
        raise ReadError(exc.errno, exc.strerror) from exc
    finally:
        os.close(fd)


class DirectoryFS:
    """A directory laid out like the host's /: host path P is the file root + P."""

    def __init__(self, root: str | Path):
        self.root = os.fspath(root)

    def _real(self, path: str) -> str | Path:
        return self.root + path if path != "/" else self.root

    def lstat(self, path: str) -> str | None:
        return _os_kind(self._real(path), follow=False)

    def stat(self, path: str) -> str | None:
        return _os_kind(self._real(path), follow=True)

    def readlink(self, path: str) -> str | None:
        try:
            return os.readlink(self._real(path))
        except OSError:
            return None

    def listdir(self, path: str) -> list[str] | None:
        try:
            return os.listdir(self._real(path))
        except OSError:
            return None

    def scan(self, path: str) -> dict[str, str | None] | None:
        """`listdir` with the kinds the directory's entries tell (d_type): no lstat per
        name but for a device or an entry of unknown type."""
        try:
            with os.scandir(self._real(path)) as it:
                return {e.name: _entry_kind(e) for e in it}
        except OSError:
            return None

    def read(self, path: str, limit: int) -> bytes:
        return read_host_file(self._real(path), limit)

    def size(self, path: str) -> int | None:
        return _os_size(self._real(path))


class LooseFilesFS:
    """Loose files placed at host paths (``{"/etc/fstab": Path("fstab")}``); the parent
    directories of every placed file exist, empty but for what is placed in them. A placed
    file is what its path names (a link to it is followed), never a link inside the host."""

    def __init__(self, files: Mapping[str, str | Path]):
        self.files = dict(files)
        self.dirs: set[str] = set()
        for vp in self.files:
            parent = posixpath.dirname(vp)
            while parent not in self.dirs:
                self.dirs.add(parent)
                if parent == "/":
                    break
                parent = posixpath.dirname(parent)

    def lstat(self, path: str) -> str | None:
        return self.stat(path)

    def stat(self, path: str) -> str | None:
        if path in self.files:
            return _os_kind(self.files[path], follow=True)
        return DIR if path in self.dirs else None

    def readlink(self, path: str) -> str | None:
        return None

    def listdir(self, path: str) -> list[str] | None:
        if path in self.files or path not in self.dirs:
            return None
        prefix = path.rstrip("/") + "/"
        return list({vp[len(prefix):].split("/", 1)[0] for vp in (*self.files, *self.dirs)
                     if vp.startswith(prefix) and len(vp) > len(prefix)})

    def read(self, path: str, limit: int) -> bytes:
        if path not in self.files:
            raise FileNotFoundError(2, "No such file or directory")
        return read_host_file(self.files[path], limit)

    def size(self, path: str) -> int | None:
        return _os_size(self.files[path]) if path in self.files else None


class OverlayFS:
    """A host's files (`lower`, e.g. a `DirectoryFS` of its root) with files placed over
    them (`files`: host path -> file, e.g. a repository's ``target path -> source`` map),
    the way Linux overlayfs merges an upper layer over a lower one: a placed file hides
    what the lower layer has at its path; a directory implied by placed files is merged
    with a lower directory of the same path and hides any other lower entry there (a link
    in particular, so nothing under it is looked up in the lower layer)."""

    def __init__(self, lower: FileSystem, files: Mapping[str, str | Path | bytes]):
        self.lower = lower
        self.root = getattr(lower, "root", None)  # the host directory, when there is one
        # bytes: a file rendered in memory (a template), beside files placed by path
        self.upper = MemoryFilesFS(files) if any(isinstance(v, bytes) for v in files.values()
                                                 ) else LooseFilesFS(files)

    def _lower_sees(self, path: str) -> bool:
        """Whether the lower layer shows through at `path`: every parent the upper layer
        has is a directory there too."""
        parent = posixpath.dirname(path)
        while parent != "/":
            if parent in self.upper.files:
                return False
            if parent in self.upper.dirs and self.lower.lstat(parent) != DIR:
                return False
            parent = posixpath.dirname(parent)
        return True

    def _layer(self, path: str) -> FileSystem | None:
        """The layer that answers for the entry at `path` (None: neither has it)."""
        if path in self.upper.files:
            return self.upper
        if not self._lower_sees(path):
            return self.upper if path in self.upper.dirs else None
        if path in self.upper.dirs and self.lower.lstat(path) != DIR:
            return self.upper
        return self.lower

    def lstat(self, path: str) -> str | None:
        layer = self._layer(path)
        return layer.lstat(path) if layer is not None else None

    def stat(self, path: str) -> str | None:
        layer = self._layer(path)
        return layer.stat(path) if layer is not None else None

    def readlink(self, path: str) -> str | None:
        layer = self._layer(path)
        return layer.readlink(path) if layer is not None else None

    def listdir(self, path: str) -> list[str] | None:
        layer = self._layer(path)
        if layer is None:
            return None
        names = layer.listdir(path)
        if path in self.upper.dirs and layer is self.lower:  # both layers have the directory
            names = list({*(names or ()), *(self.upper.listdir(path) or ())})
        return names

    def scan(self, path: str) -> dict[str, str | None] | None:
        """The lower layer's `scan` where only it has the directory, else `listdir`."""
        layer = self._layer(path)
        if layer is self.lower and path not in self.upper.dirs and \
                hasattr(self.lower, "scan"):
            return self.lower.scan(path)
        names = self.listdir(path)
        return None if names is None else dict.fromkeys(names)

    def read(self, path: str, limit: int) -> bytes:
        layer = self._layer(path)
        if layer is None:
            raise FileNotFoundError(2, "No such file or directory")
        return layer.read(path, limit)

    def size(self, path: str) -> int | None:
        layer = self._layer(path)
        return layer.size(path) if layer is not None else None


class MemoryFilesFS(LooseFilesFS):
    """Files given as bytes placed at host paths (``{"/etc/fstab": b"..."}``): standard
    input checked with ``--stdin-filename``, or templates rendered in memory. Like
    `LooseFilesFS`, without a file to open; a value that is a path (not bytes) is a file
    placed as `LooseFilesFS` places it, so rendered and plain files share one layer."""

    def __init__(self, files: Mapping[str, bytes | str | Path]):
        super().__init__(files)  # type: ignore[arg-type]

    def stat(self, path: str) -> str | None:
        if path in self.files and not isinstance(self.files[path], bytes):
            return super().stat(path)
        if path in self.files:
            return FILE
        return DIR if path in self.dirs else None

    def read(self, path: str, limit: int) -> bytes:
        if path not in self.files:
            raise FileNotFoundError(2, "No such file or directory")
        if not isinstance(self.files[path], bytes):
            return super().read(path, limit)
        return bytes(self.files[path][:limit])  # type: ignore[index]

    def size(self, path: str) -> int | None:
        if path in self.files and not isinstance(self.files[path], bytes):
            return super().size(path)
        return len(self.files[path]) if path in self.files else None  # type: ignore[arg-type]
