"""Which hosts a run checks: one per directory laid out like /, and one made of all the
loose files given, each with the function that shows its tree-relative paths to the user.
A loose file is placed where it would live on a host, from its name and parents."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator, Mapping, Sequence

from oomlint.base.findings import Finding
from oomlint.sources.fs import DirectoryFS, MemoryFilesFS, OverlayFS
from oomlint.sources.templates import is_templated, render_template
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
             "valkey.conf": "/etc/valkey/valkey.conf", "my.cnf": "/etc/mysql/my.cnf"}
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
    # A host the configuration describes ([hosts.NAME]): the configuration file as shown,
    # its own ram and swap (a glob's defaults), and what rendering its templates found.
    config: str = ""
    ram: int | None = None
    swap: int | None = None
    problems: tuple[Finding, ...] = ()

    def display(self, rel: str) -> str:
        """A tree-relative path as the user sees it (a mapped file: the repository file)."""
        if self.loose or rel in self.shown:
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
            root = Path(os.path.abspath(p))
            placed, shown, problems = tree_templates(root, None)
            tree = Tree(fs=OverlayFS(DirectoryFS(root), placed)) if placed else Tree(root=root)
            hosts.append(HostSource(_shown(p), tree, root=_shown(p), shown=shown,
                                    problems=tuple(problems)))
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


# -- hosts the configuration describes ---------------------------------------------------------

GLOB_CHARS = "*?["


class HostError(ValueError):
    """A `[hosts.NAME]` entry that names what is not there: `<file>: <key>: <what>` (exit 2)."""


@dataclass(frozen=True)
class HostSpec:
    """`[hosts.NAME]` of a configuration file (config.py validates the types): `root`, a
    directory laid out like / relative to the file's directory `base` (with glob characters:
    one host per matching directory, named by its last part, this entry's values their
    defaults); `files`, host path -> repository file (relative to `base`), placed over the
    root (sources/fs.py OverlayFS); `vars_files` then `vars`, the variables templates are
    rendered with (later files win, `vars` over all)."""

    name: str
    base: str
    root: str | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    vars_files: tuple[str, ...] = ()
    vars: Mapping[str, object] = field(default_factory=dict)
    ram: int | None = None
    swap: int | None = None
    source: str = ""  # the configuration file
    key: str = ""  # its key path, for messages: hosts.db1


def spec_hosts(specs: Sequence[HostSpec]) -> list[HostSource]:
    """The hosts `specs` describe, in the order written (a glob's in name order; a glob
    makes no host of a name that an entry with its own root or files makes). Raises
    `HostError`."""
    explicit = {s.name for s in specs if not (s.root and any(c in s.root for c in GLOB_CHARS))}
    hosts: list[HostSource] = []
    for spec in specs:
        base = Path(spec.base)
        if spec.root and any(c in spec.root for c in GLOB_CHARS):
            roots = sorted(p for p in base.glob(spec.root) if p.is_dir())
            if not roots:
                raise HostError(f"{spec.source}: {spec.key}.root: {spec.root!r} matches no "
                                "directory")
            for root in roots:
                if root.name not in explicit:
                    hosts.append(_spec_host(spec, root.name, root))
            continue
        root = None
        if spec.root:
            root = base / spec.root
            if not root.is_dir():
                raise HostError(f"{spec.source}: {spec.key}.root: {_shown(root)}: no such "
                                "directory")
        hosts.append(_spec_host(spec, spec.name, root))
    return hosts


def _spec_host(spec: HostSpec, name: str, root: Path | None) -> HostSource:
    base = Path(spec.base)
    variables = load_vars(spec)
    placed: dict[str, bytes | Path] = {}
    shown: dict[str, str] = {}
    problems: list[Finding] = []
    for target, repo_file in spec.files.items():
        vpath = posixpath.normpath(target)
        source = base / repo_file
        if not source.is_file():
            raise HostError(f"{spec.source}: {spec.key}.files.{json_key(target)}: "
                            f"{_shown(source)}: no such file")
        shown_path = _shown(source)
        shown[vpath.lstrip("/")] = shown_path
        placed[vpath] = Path(os.path.abspath(source))
        if variables is None:
            continue
        try:
            data = source.read_bytes()[:MAX_FILE_BYTES]
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # read as it is: the tree reports what is wrong with it
        if not (repo_file.endswith(".j2") or is_templated(text)):
            continue
        rendered = render_template(text, variables, vpath.lstrip("/"))
        problems.extend(rendered.findings)
        if rendered.text is not None:
            placed[vpath] = rendered.text.encode("utf-8")
    if root is not None:
        in_tree, in_shown, in_problems = tree_templates(Path(os.path.abspath(root)), variables,
                                                        skip=set(placed))
        placed.update(in_tree)
        shown.update(in_shown)
        problems.extend(in_problems)
        lower = DirectoryFS(Path(os.path.abspath(root)))
        fs = OverlayFS(lower, placed) if placed else lower
        shown_root = _shown(root)
    else:
        fs, shown_root = MemoryFilesFS(placed), "."
    return HostSource(name, Tree(fs=fs), root=shown_root, shown=shown,
                      config=_shown(Path(spec.source)) if spec.source else "",
                      ram=spec.ram, swap=spec.swap, problems=tuple(problems))


TEMPLATE_SUFFIX = ".j2"
MAX_TREE_TEMPLATES = 1000  # .j2 files placed per host; more are read as they are (skipped)


def tree_templates(root: Path, variables: dict | None, skip=frozenset()
                   ) -> tuple[dict[str, bytes | Path], dict[str, str], list[Finding]]:
    """A role's layout inside a host root: each ``etc/**/NAME.j2`` is the file NAME it
    renders to, where the tree has no NAME of its own (a real file wins) and no mapped file
    is placed (`skip`). With `variables` it is rendered (sandboxed, line for line); without,
    it is read as it is and its templated values are unknown (OOM007, info). Returns the
    files to place over the tree, how their paths are shown (the .j2 file), and what
    rendering found. Links are never followed; at most MAX_TREE_TEMPLATES are placed."""
    placed: dict[str, bytes | Path] = {}
    shown: dict[str, str] = {}
    problems: list[Finding] = []
    etc = root / "etc"
    if etc.is_symlink() or not etc.is_dir():
        return placed, shown, problems
    for dirpath, fn in _template_names(os.fspath(etc)):
        if len(fn) == len(TEMPLATE_SUFFIX):
            continue
        source = Path(dirpath) / fn
        vpath = "/" + source.relative_to(root).as_posix()[:-len(TEMPLATE_SUFFIX)]
        if vpath in skip or os.path.lexists(root / vpath.lstrip("/")) or \
                source.is_symlink() or not source.is_file():
            continue
        if len(placed) >= MAX_TREE_TEMPLATES:
            return placed, shown, problems
        placed[vpath] = source
        shown[vpath.lstrip("/")] = _shown(source)
        if variables is None:
            continue
        try:
            text = source.read_bytes()[:MAX_FILE_BYTES].decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # read as it is: the tree reports what is wrong with it
        rendered = render_template(text, variables, vpath.lstrip("/"))
        problems.extend(rendered.findings)
        if rendered.text is not None:
            placed[vpath] = rendered.text.encode("utf-8")
    return placed, shown, problems


def _template_names(top: str) -> Iterator[tuple[str, str]]:
    """(directory, name) of each entry named ``*.j2`` that is no directory, in the order of
    ``os.walk(top)`` with names sorted and links to directories not followed: one scandir
    per directory, and (unlike os.walk) no lstat of each subdirectory, its entry tells."""
    try:
        it = os.scandir(top)
    except OSError:
        return
    dirs, names = [], []
    with it:
        try:
            for entry in it:
                try:
                    is_dir = entry.is_dir()  # os.walk's test: a link to a directory is one
                except OSError:
                    is_dir = False
                if not is_dir:
                    if entry.name.endswith(TEMPLATE_SUFFIX):
                        names.append(entry.name)
                elif not _is_link(entry):  # os.walk(followlinks=False) walks into it
                    dirs.append(entry.name)
        except OSError:  # os.walk skips a directory it fails to read to the end
            return
    for name in sorted(names):
        yield top, name
    for d in sorted(dirs):
        yield from _template_names(os.path.join(top, d))


def _is_link(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:  # os.path.islink()
        return False


def json_key(key: str) -> str:
    """A key as TOML writes it in a dotted path (config.py's `_toml_key`)."""
    import json
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def load_vars(spec: HostSpec) -> dict | None:
    """The variables of a host: each of `vars_files` (YAML mappings, Ansible's group_vars,
    host_vars or role defaults), later ones replacing earlier keys, then `vars`. None when
    the host has none (its templates are then read unrendered: values are unknown)."""
    if not spec.vars_files and not spec.vars:
        return None
    import yaml

    merged: dict = {}
    for i, name in enumerate(spec.vars_files):
        path = Path(spec.base) / name
        key = f"{spec.source}: {spec.key}.vars_files[{i}]: {_shown(path)}"
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except OSError as exc:
            raise HostError(f"{key}: cannot read: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise HostError(f"{key}: not valid YAML{where}") from None
        if data is None:
            continue
        if not isinstance(data, dict):
            raise HostError(f"{key}: expected a mapping of variable: value")
        merged.update(data)
    merged.update(spec.vars)
    return merged
