"""Which hosts a run checks: one per directory laid out like /, and one made of all the
loose files given, each with the function that shows its tree-relative paths to the user.
A loose file is placed where it would live on a host, from its name and parents."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Mapping, Sequence

from oomlint.sources.fs import MemoryFilesFS
from oomlint.sources.tree import MAX_FILE_BYTES, Tree

UNIT_SUFFIXES = (".service", ".socket", ".mount", ".automount", ".swap", ".timer", ".path",
                 ".slice", ".scope", ".target")
ROOT_MARKERS = ("etc/", "usr/lib/", "usr/local/lib/", "lib/", "run/")


def _shown(path: Path) -> str:
    """A path as the user should see it: relative to the current directory when under it."""
    absolute = Path(os.path.abspath(path))
    try:
        relp = absolute.relative_to(Path.cwd())
        return relp.as_posix() if str(relp) != "." else "."
    except ValueError:
        return absolute.as_posix()


def loose_vpath(path: Path) -> str | None:
    """Where a loose file would live on a host, from its name and parents."""
    posix = PurePosixPath(os.path.abspath(path)).as_posix()
    name = path.name[:-3] if path.name.endswith(".j2") else path.name
    parent = path.parent.name
    for marker in ROOT_MARKERS:
        i = posix.rfind("/" + marker)
        if i >= 0:
            inside = posix[i:]
            return inside[:-3] if inside.endswith(".j2") else inside
    if name.endswith(UNIT_SUFFIXES):
        return f"/etc/systemd/system/{name}"
    if name.endswith(".conf") and parent.endswith(".d") and parent != "sysctl.d":
        return f"/etc/systemd/system/{parent}/{name}"
    if parent == "sysctl.d" or (name.endswith(".conf") and "sysctl" in name):
        return "/etc/sysctl.conf" if name == "sysctl.conf" else f"/etc/sysctl.d/{name}"
    fixed = {"fstab": "/etc/fstab", "zram-generator.conf": "/etc/systemd/zram-generator.conf",
             "system.conf": "/etc/systemd/system.conf", "dphys-swapfile": "/etc/dphys-swapfile",
             "php-fpm.conf": "/etc/php-fpm.conf", "redis.conf": "/etc/redis/redis.conf",
             "valkey.conf": "/etc/valkey/valkey.conf"}
    return fixed.get(name)


@dataclass(frozen=True)
class HostSource:
    """One host to check: its files behind a `Tree`, the name shown for it, and how its
    tree-relative paths are shown (under the directory given, or as each loose file was
    named)."""

    name: str
    tree: Tree
    loose: bool = False
    root: str = ""  # the directory as shown ("" for loose files)
    shown: Mapping[str, str] = field(default_factory=dict)  # loose files: tree path -> shown

    def display(self, rel: str) -> str:
        """A tree-relative path as the user sees it."""
        if self.loose:
            return self.shown.get(rel, rel)
        if rel == ".":
            return self.root
        return rel if self.root == "." else f"{self.root.rstrip('/')}/{rel}"


def discover_hosts(paths: Sequence[Path], warn: Callable[[str], None] = lambda m: None
                   ) -> list[HostSource]:
    """One host per directory, in the order given, and one for all loose files. `warn`
    receives what cannot be checked (a file of no known format)."""
    hosts: list[HostSource] = []
    loose: dict[str, Path] = {}
    shown_of: dict[str, str] = {}
    for p in paths:
        if p.is_dir():
            hosts.append(HostSource(_shown(p), Tree(root=Path(os.path.abspath(p))),
                                    root=_shown(p)))
            continue
        vpath = loose_vpath(p)
        if vpath is None:
            warn(f"{_shown(p)}: not a file oomlint knows how to read; skipped")
            continue
        loose[vpath] = Path(os.path.abspath(p))
        shown_of[vpath.lstrip("/")] = _shown(p)
    if loose:
        hosts.append(HostSource("loose files", Tree(files=loose), loose=True, shown=shown_of))
    return hosts


LOOSE_HOST = "loose files"  # the name of the host made of loose files (and of stdin)


def stdin_vpath(filename: str) -> str | None:
    """Where standard input named `filename` (``--stdin-filename``) lives on the host: an
    absolute name is that path; another is placed like a loose file of that name and parents
    (``roles/db/templates/my.cnf`` -> /etc/mysql/my.cnf). None: no format oomlint reads."""
    if filename.startswith("/"):
        return posixpath.normpath(filename)
    return loose_vpath(Path(filename))


def stdin_host(stream, filename: str, limit: int = MAX_FILE_BYTES) -> HostSource | None:
    """Standard input (`stream`, binary) as the one loose file `filename`, read up to one
    byte past `limit` (so that a larger input is reported as truncated, OOM004). None when
    `filename` names no format oomlint reads (nothing is read then)."""
    vpath = stdin_vpath(filename)
    if vpath is None:
        return None
    data = stream.read(limit + 1) if stream is not None else b""
    return HostSource(LOOSE_HOST, Tree(fs=MemoryFilesFS({vpath: data or b""})), loose=True,
                      shown={vpath.lstrip("/"): filename})
