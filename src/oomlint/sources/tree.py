"""Reading a configuration tree as if it were the root filesystem.

`Tree` confines every lookup to the checked directory, the way `chroot` would: an absolute
symlink target or include path is taken relative to the tree root, and ``..`` stops at the
root. oomlint therefore never reads the machine it runs on when it checks a tree, cannot be
led out of it by a hostile link, and detects link loops instead of hanging on them.
Files are read up to a size limit, through one back-end (sources/fs.py: a directory, loose
files, an overlay) that opens them without following links and never blocks (FIFOs);
binary and non-UTF-8 content is reported, not raised.
"""

from __future__ import annotations

import errno
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from oomlint.base.findings import Problems
from oomlint.base.ids import FILE_BINARY, FILE_ENCODING, FILE_TOO_LARGE, FILE_UNREADABLE, LINK_LOOP
from oomlint.base.provenance import Loc
from oomlint.sources.fs import (
    CHARDEV,
    DIR,
    FILE,
    LINK,
    DirectoryFS,
    FileSystem,
    LooseFilesFS,
    NotRegularFile,
    ReadError,
)

MAX_FILE_BYTES = 16 * 1024 * 1024
# Text read per host in one run, all files together: a tree of many files at the per-file
# cap would otherwise cost a multiple of it in time and memory. A file that would pass the
# budget is reported (OOM004) and not checked; smaller files after it still fit.
MAX_HOST_BYTES = 32 * 1024 * 1024
# Files read per host in one run: a real host has hundreds to a few thousand configuration
# files; a tree of 100 000 small units would otherwise cost half a gigabyte. The first file
# past the budget is reported (OOM004) and it and every later one is not checked.
MAX_HOST_FILES = 10_000
MAX_LINK_HOPS = 40  # the kernel's MAXSYMLINKS
DEVNULL = "/dev/null"


@dataclass(frozen=True, init=False)
class Entry:
    """A path in the tree after following links.

    `vpath` is where it was looked up, `target` where its links lead (both absolute inside
    the tree); `kind` is "file", "dir", "devnull", "missing", "loop" or "other"."""

    vpath: str
    target: str
    kind: str
    is_link: bool = False

    def __init__(self, vpath: str, target: str, kind: str, is_link: bool = False):
        # The frozen dataclass's __init__ without object.__setattr__ per field: one Entry
        # per path looked up.
        d = self.__dict__
        d["vpath"], d["target"], d["kind"], d["is_link"] = vpath, target, kind, is_link


def rel(vpath: str) -> str:
    """The tree-relative form used in `Loc.path` ("/etc/fstab" -> "etc/fstab")."""
    return vpath.lstrip("/") or "."


class Tree:
    """A read-only, confined view of a host's files over one back-end (sources/fs.py):
    `fs`, or a directory laid out like / (`root`), or loose files placed at their host
    paths (`files`: host path -> file)."""

    def __init__(self, root: Path | None = None, files: Mapping[str, Path] | None = None,
                 fs: FileSystem | None = None, budget: int = MAX_HOST_BYTES,
                 complete_listings: bool = True):
        if fs is None:
            fs = DirectoryFS(root) if root is not None else LooseFilesFS(files or {})
        self.fs = fs
        # A run reads a snapshot: each path is resolved once, each path's own kind (lstat),
        # each link and each directory listing asked of the back-end once. A lookup starts
        # from its parent's when that parent is a directory reached through no link (the
        # walk would have passed the same components), instead of from the root.
        self._lookups: dict[str, Entry] = {}
        self._kinds: dict[str, str | None] = {}  # path -> fs.lstat()
        self._links: dict[str, str | None] = {}  # path -> fs.readlink()
        self._listings: dict[str, list[str]] = {}  # resolved directory -> sorted names
        # Resolved directory -> its names, for each directory listed: a name it does not hold
        # is missing without asking the back-end, and the kinds a listing reports (a
        # back-end's `scan`, one getdents for a directory's entries) need no lstat each.
        # `complete_listings=False` where a listing may leave out entries that exist (a live
        # /proc lists processes, not their threads' /proc/TID).
        self._names: dict[str, set[str]] = {}
        self._complete = complete_listings
        # Links found looping, in the order met, and those already reported by read_text():
        # a looping directory is only ever looked up, never read, and would otherwise
        # silently hide everything under it.
        self.loops: dict[str, None] = {}
        self.reported_loops: set[str] = set()
        self.budget = budget  # bytes of text this tree may still read (`MAX_HOST_BYTES`)
        self.files_left = MAX_HOST_FILES  # files this tree may still read
        self.files_refused = 0  # files not read because `files_left` ran out

    # -- lookups ---------------------------------------------------------------------------

    def lookup(self, vpath: str) -> Entry:
        """Follow links in every component of `vpath`, inside the tree."""
        hit = self._lookups.get(vpath)  # as asked: most paths are asked again as written
        if hit is None:
            norm = posixpath.normpath("/" + vpath.lstrip("/"))
            hit = self._lookups.get(norm)
            if hit is None:
                hit = self._lookups[norm] = self._lookup(norm)
            self._lookups[vpath] = hit
        return hit

    def _lstat(self, path: str) -> str | None:
        try:
            return self._kinds[path]
        except KeyError:
            parent, _, name = path.rpartition("/")
            names = self._names.get(parent or "/")
            kind = self._kinds[path] = None if names is not None and name not in names \
                else self.fs.lstat(path)
            return kind

    def _readlink(self, path: str) -> str | None:
        try:
            return self._links[path]
        except KeyError:
            target = self._links[path] = self.fs.readlink(path)
            return target

    def _lookup(self, vpath: str) -> Entry:
        parent, _, name = vpath.rpartition("/")  # vpath is normalised: no "." or ".."
        if name:
            parent = parent or "/"
            up = self.lookup(parent)
            if up.kind == "dir" and not up.is_link:
                kind = self._lstat(vpath)  # `_walk` of the one name left, when no link
                if kind is None:
                    return Entry(vpath, vpath, "missing")
                if kind != LINK:
                    return self._classify(vpath, vpath, False)
                return self._walk(vpath, parent, [name])
        return self._walk(vpath, "/", [p for p in vpath.split("/") if p])

    def _walk(self, vpath: str, current: str, parts: list[str]) -> Entry:
        hops = 0
        linked = False
        while parts:
            name = parts.pop(0)
            if name == ".":
                continue
            if name == "..":
                current = posixpath.dirname(current) or "/"
                continue
            candidate = posixpath.join(current, name)
            kind = self._lstat(candidate)
            if kind is None:
                return Entry(vpath, posixpath.join(candidate, *parts), "missing")
            if kind == LINK:
                linked = True
                hops += 1
                if hops > MAX_LINK_HOPS:
                    self.loops.setdefault(candidate)
                    return Entry(vpath, candidate, "loop", is_link=True)
                target = self._readlink(candidate)
                if target is None:
                    return Entry(vpath, candidate, "missing", is_link=True)
                if posixpath.normpath(target) == DEVNULL and not parts:
                    return Entry(vpath, DEVNULL, "devnull", is_link=True)
                base = "/" if target.startswith("/") else current
                parts = [p for p in target.split("/") if p] + parts
                current = base
                continue
            current = candidate
        return self._classify(vpath, current, linked)

    def _classify(self, vpath: str, target: str, linked: bool) -> Entry:
        if target == DEVNULL:
            return Entry(vpath, target, "devnull", is_link=linked)
        kind = self._kinds.get(target)  # the walk's lstat of a path that is not a link
        if kind is None or kind == LINK:
            kind = self.fs.stat(target)
        if kind is None:
            return Entry(vpath, target, "missing", linked)
        if kind in (DIR, FILE):
            pass
        elif kind == CHARDEV and target == DEVNULL:
            kind = "devnull"
        else:
            kind = "other"
        return Entry(vpath, target, kind, linked)

    def listdir(self, vdir: str) -> list[str]:
        """Names in a directory, sorted by bytes (strcmp order), or [] when it is absent."""
        entry = self.lookup(vdir)
        if entry.kind != "dir":
            return []
        names = self._listings.get(entry.target)
        if names is None:
            names = self._listings[entry.target] = self._list(entry.target)
        return list(names)

    def _list(self, target: str) -> list[str]:
        scan = getattr(self.fs, "scan", None)
        if scan is not None:
            found = scan(target)
            if found is not None:
                prefix = target.rstrip("/") + "/"
                kinds = self._kinds
                for name, kind in found.items():
                    if kind is not None:
                        kinds.setdefault(prefix + name, kind)
        else:
            found = self.fs.listdir(target)
        if found is None:
            return []
        names = set(found)
        if self._complete:
            self._names[target] = names
        return sorted(names, key=lambda n: n.encode("utf-8", "surrogateescape"))

    def exists(self, vpath: str) -> bool:
        return self.lookup(vpath).kind != "missing"

    def readlink(self, vpath: str) -> str | None:
        """The raw target of a symlink at `vpath` (its parent's links followed)."""
        parent = self.lookup(posixpath.dirname(vpath))
        if parent.kind != "dir":
            return None
        return self._readlink(posixpath.join(parent.target, posixpath.basename(vpath)))

    def size(self, vpath: str) -> int | None:
        """The size in bytes of the regular file at `vpath` (links followed), else None."""
        entry = self.lookup(vpath)
        return self.fs.size(entry.target) if entry.kind == "file" else None

    # -- reading ---------------------------------------------------------------------------

    def read_text(self, vpath: str, problems: Problems) -> tuple[str, str] | None:
        """Return (tree-relative path of the file actually read, text), or None when it
        cannot be read; every reason becomes an input finding in `problems`."""
        entry = self.lookup(vpath)
        shown = rel(entry.target if entry.kind != "missing" else vpath)
        if entry.kind == "loop":
            self.reported_loops.add(entry.target)
            problems.add(LINK_LOOP, Loc(rel(vpath)), "symbolic link loop: too many levels of links")
            return None
        if entry.kind == "devnull":
            return rel(vpath), ""
        if entry.kind == "missing":
            problems.add(FILE_UNREADABLE, Loc(rel(vpath)), "file vanished or its link is dangling")
            return None
        if entry.kind == "dir":
            problems.add(FILE_UNREADABLE, Loc(shown), "a directory where a file is expected")
            return None
        if entry.kind != "file":
            problems.add(FILE_UNREADABLE, Loc(shown), "not a regular file")
            return None
        if self.files_left <= 0:
            if not self.files_refused:
                problems.add(FILE_TOO_LARGE, Loc(shown), f"host file budget of {MAX_HOST_FILES} "
                             "files exhausted: this file and every one read after it are not "
                             "checked")
            self.files_refused += 1
            return None
        self.files_left -= 1
        size = self.fs.size(entry.target) if self.budget < MAX_FILE_BYTES else None
        if size is not None and min(size, MAX_FILE_BYTES) > self.budget:
            self._over_budget(shown, problems)
            return None
        try:
            data = self.fs.read(entry.target, MAX_FILE_BYTES + 1)
        except NotRegularFile:
            problems.add(FILE_UNREADABLE, Loc(shown), "not a regular file")
            return None
        except ReadError as exc:
            problems.add(FILE_UNREADABLE, Loc(shown), _reason(exc, "read error"))
            return None
        except OSError as exc:
            problems.add(FILE_UNREADABLE, Loc(shown), _reason(exc, "cannot open"))
            return None
        cost = min(len(data), MAX_FILE_BYTES)
        if cost > self.budget:  # it grew since its size was asked
            self._over_budget(shown, problems)
            return None
        self.budget -= cost
        text = decode(data, shown, problems)
        return None if text is None else (shown, text)

    def _over_budget(self, shown: str, problems: Problems) -> None:
        problems.add(FILE_TOO_LARGE, Loc(shown), f"host read budget of "
                     f"{MAX_HOST_BYTES // (1024 * 1024)} MiB exhausted: file not checked")


def _reason(exc: OSError, default: str) -> str:
    return {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOENT: "file vanished during the run",
        errno.ESTALE: "file vanished during the run",
        errno.ELOOP: "symbolic link loop",
    }.get(exc.errno, exc.strerror or default)


_UTF16_BOMS = {b"\xff\xfe": "UTF-16 little-endian", b"\xfe\xff": "UTF-16 big-endian"}


def decode(data: bytes, shown: str, problems: Problems) -> str | None:
    """Text from raw bytes, reporting truncation, binary content and bad UTF-8."""
    if len(data) > MAX_FILE_BYTES:
        data = data[:MAX_FILE_BYTES]
        limit = f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB"
        if b"\0" in data:  # binary, reported below: cutting at a newline could hide it
            problems.add(FILE_TOO_LARGE, Loc(shown), f"{limit}: only the start was read")
        else:
            cut = data.rfind(b"\n")
            data = data[: cut + 1] if cut > 0 else data
            kept = data.count(b"\n")
            problems.add(FILE_TOO_LARGE, Loc(shown), f"{limit}: only the first {kept} lines "
                         "were checked")
    utf16 = _UTF16_BOMS.get(data[:2]) if not data.startswith(b"\xff\xfe\0\0") else None
    if utf16:  # a Windows editor's "Unicode": every ASCII character comes with a NUL byte
        problems.add(FILE_ENCODING, Loc(shown, 1), f"{utf16} text (byte-order mark "
                     f"{data[0]:02X} {data[1]:02X}), not UTF-8: the programs reading it see NUL "
                     "bytes and no settings; file not parsed (convert it with iconv -f UTF-16 "
                     "-t UTF-8)")
        return None
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        problems.add(FILE_BINARY, Loc(shown, line), "binary content (NUL byte): file not parsed")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.count("\ufffd".encode())
        # A high byte followed by plain ASCII is what Latin-1 and Windows-1252 text looks like.
        latin1 = "; Latin-1 or Windows-1252 text?" if data[exc.start] >= 0xA0 and \
            exc.reason == "invalid continuation byte" else ""
        problems.add(
            FILE_ENCODING,
            Loc(shown, line),
            f"not valid UTF-8 at byte 0x{data[exc.start]:02x} ({exc.reason}{latin1}); {bad} "
            f"undecodable byte sequence{'s' if bad != 1 else ''} replaced, the rest of the "
            "file was read",
        )
        return text
