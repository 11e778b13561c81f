"""The back-ends behind `Tree` (sources/fs.py), each through the `Tree` that confines it:
listing in byte order, links resolved inside the root, an overlay's placed files over a
root, and what is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import write_tree

from oomlint.base.findings import Problems
from oomlint.sources.fs import DirectoryFS, LooseFilesFS, OverlayFS
from oomlint.sources.tree import Tree


def _read(tree: Tree, vpath: str) -> tuple[tuple[str, str] | None, list[tuple[str, str, int]]]:
    problems = Problems()
    got = tree.read_text(vpath, problems)
    return got, [(f.rule, f.loc.path, f.loc.line) for f in problems.items]


NAMES = ["b.conf", "B.conf", "a.conf", "_x.conf", "10-z.conf", "9-y.conf", "\u00e9.conf"]
BYTE_ORDER = sorted(NAMES, key=lambda n: n.encode())  # strcmp order: "10-" < "9-" < "B" < "_"


# -- a directory laid out like / ----------------------------------------------------------


@pytest.fixture
def root(tmp_path) -> Path:
    r = write_tree(tmp_path / "root", {f"etc/sysctl.d/{n}": f"# {n}\n" for n in NAMES})
    write_tree(r, {"etc/fstab": "/swapfile none swap sw 0 0\n", "swapfile": "x" * 4096,
               "opt/conf/real.conf": "vm.swappiness = 5\n"})
    os.symlink("/opt/conf/real.conf", r / "etc/sysctl.d/50-abs.conf")
    os.symlink("../../opt/conf/real.conf", r / "etc/sysctl.d/51-rel.conf")
    os.symlink("../../../../../../../opt/conf", r / "etc/conf")  # `..` stops at the root
    os.symlink("/etc/loop-b", r / "etc/loop-a")
    os.symlink("/etc/loop-a", r / "etc/loop-b")
    os.symlink("/nowhere", r / "etc/dangling")
    return r


def test_directory_listdir_sorted_by_bytes(root):
    tree = Tree(fs=DirectoryFS(root))
    assert tree.listdir("/etc/sysctl.d") == sorted(
        [*NAMES, "50-abs.conf", "51-rel.conf"], key=lambda n: n.encode())
    assert [n for n in tree.listdir("/etc/sysctl.d") if n in NAMES] == BYTE_ORDER
    assert tree.listdir("/etc/fstab") == [] and tree.listdir("/nowhere") == []


def test_directory_links_resolve_inside_the_root(root):
    tree = Tree(root=root)
    for vpath in ("/etc/sysctl.d/50-abs.conf", "/etc/sysctl.d/51-rel.conf",
                  "/etc/conf/real.conf"):
        entry = tree.lookup(vpath)
        assert (entry.kind, entry.target, entry.is_link) == ("file", "/opt/conf/real.conf", True)
        assert _read(tree, vpath) == (("opt/conf/real.conf", "vm.swappiness = 5\n"), [])
    assert tree.readlink("/etc/sysctl.d/50-abs.conf") == "/opt/conf/real.conf"
    assert tree.readlink("/etc/fstab") is None
    assert tree.listdir("/etc/conf") == ["real.conf"]


def test_directory_loops_dangling_and_missing(root):
    tree = Tree(root=root)
    assert tree.lookup("/etc/loop-a").kind == "loop" and "/etc/loop-a" in tree.loops
    assert _read(tree, "/etc/loop-a") == (None, [("OOM006", "etc/loop-a", 0)])
    assert tree.lookup("/etc/dangling").kind == "missing"
    assert _read(tree, "/etc/dangling") == (None, [("OOM001", "etc/dangling", 0)])
    assert _read(tree, "/etc/none") == (None, [("OOM001", "etc/none", 0)])
    assert not tree.exists("/etc/none/deeper") and tree.size("/etc/none") is None
    assert _read(tree, "/etc") == (None, [("OOM001", "etc", 0)])


def test_directory_size(root):
    tree = Tree(root=root)
    assert tree.size("/swapfile") == 4096
    assert tree.size("/etc/sysctl.d/50-abs.conf") == len("vm.swappiness = 5\n")  # followed
    assert tree.size("/etc") is None and tree.size("/etc/loop-a") is None


# -- loose files ----------------------------------------------------------------------------


@pytest.fixture
def loose(tmp_path) -> dict[str, Path]:
    d = write_tree(tmp_path / "loose", {n: f"# {n}\n" for n in NAMES})
    write_tree(d, {"app.service": "[Service]\nExecStart=/x\n"})
    files = {f"/etc/sysctl.d/{n}": d / n for n in NAMES}
    files["/etc/systemd/system/app.service"] = d / "app.service"
    files["/etc/gone.conf"] = d / "gone.conf"  # named, but not there
    return files


def test_loose_files_parents_implied_and_sorted(loose):
    tree = Tree(fs=LooseFilesFS(loose))
    assert tree.listdir("/") == ["etc"]
    assert tree.listdir("/etc") == ["gone.conf", "sysctl.d", "systemd"]
    assert tree.listdir("/etc/sysctl.d") == BYTE_ORDER
    assert tree.lookup("/etc/systemd").kind == "dir"
    assert tree.listdir("/etc/systemd/system/app.service") == []


def test_loose_files_read_size_and_missing(loose):
    tree = Tree(files=loose)
    assert _read(tree, "/etc/systemd/system/app.service") == (
        ("etc/systemd/system/app.service", "[Service]\nExecStart=/x\n"), [])
    assert tree.size("/etc/systemd/system/app.service") == len("[Service]\nExecStart=/x\n")
    assert tree.lookup("/etc/gone.conf").kind == "missing"
    assert _read(tree, "/etc/gone.conf") == (None, [("OOM001", "etc/gone.conf", 0)])
    assert _read(tree, "/etc/other") == (None, [("OOM001", "etc/other", 0)])
    assert tree.readlink("/etc/sysctl.d/a.conf") is None and not tree.exists("/usr")


def test_loose_file_given_through_a_link_is_not_followed_in_the_tree(tmp_path):
    """A loose file is what its path names: a link to it is not resolved against the
    host's tree. Reading opens the named path with O_NOFOLLOW, so a loose file given as a
    link is reported unreadable ("symbolic link loop", as before the back-end split):
    pinned here so that changing it is a decision, not an accident."""
    real = write_tree(tmp_path, {"real.conf": "vm.swappiness = 1\n"}) / "real.conf"
    os.symlink(real, tmp_path / "link.conf")
    tree = Tree(files={"/etc/sysctl.d/x.conf": tmp_path / "link.conf"})
    entry = tree.lookup("/etc/sysctl.d/x.conf")
    assert (entry.kind, entry.target, entry.is_link) == ("file", "/etc/sysctl.d/x.conf", False)
    assert _read(tree, "/etc/sysctl.d/x.conf") == (None, [("OOM001", "etc/sysctl.d/x.conf", 0)])


# -- an overlay: placed files over a root -------------------------------------------------


@pytest.fixture
def overlay(root, tmp_path) -> Tree:
    repo = write_tree(tmp_path / "repo", {
        "files/fstab": "/dev/sdb2 none swap sw 0 0\n",
        "files/60-new.conf": "vm.overcommit_memory = 2\n",
        "files/app.service": "[Service]\nExecStart=/y\n",
        "files/conf.cnf": "[mysqld]\n",
        "files/loop.conf": "x = 1\n",
    })
    return Tree(fs=OverlayFS(DirectoryFS(root), {
        "/etc/fstab": repo / "files/fstab",  # shadows the root's file
        "/etc/sysctl.d/60-new.conf": repo / "files/60-new.conf",  # added beside the root's
        "/etc/systemd/system/app.service": repo / "files/app.service",  # a new directory
        "/etc/conf/x.cnf": repo / "files/conf.cnf",  # where the root has a link
        "/etc/loop-a/y.conf": repo / "files/loop.conf",  # where the root has a loop
    }))


def test_overlay_placed_file_shadows_the_root_file(overlay):
    assert _read(overlay, "/etc/fstab") == (("etc/fstab", "/dev/sdb2 none swap sw 0 0\n"), [])
    assert overlay.size("/etc/fstab") == len("/dev/sdb2 none swap sw 0 0\n")
    assert overlay.size("/swapfile") == 4096  # the root's own file


def test_overlay_directories_merge_sorted_by_bytes(overlay):
    names = overlay.listdir("/etc/sysctl.d")
    assert names == sorted([*NAMES, "50-abs.conf", "51-rel.conf", "60-new.conf"],
                           key=lambda n: n.encode())
    assert _read(overlay, "/etc/sysctl.d/60-new.conf")[0] == (
        "etc/sysctl.d/60-new.conf", "vm.overcommit_memory = 2\n")
    assert _read(overlay, "/etc/sysctl.d/a.conf")[0] == ("etc/sysctl.d/a.conf", "# a.conf\n")
    assert overlay.listdir("/etc/systemd/system") == ["app.service"]
    assert "systemd" in overlay.listdir("/etc") and "fstab" in overlay.listdir("/etc")


def test_overlay_root_links_still_resolve_inside_the_root(overlay):
    entry = overlay.lookup("/etc/sysctl.d/50-abs.conf")
    assert (entry.kind, entry.target) == ("file", "/opt/conf/real.conf")
    assert _read(overlay, "/etc/sysctl.d/51-rel.conf")[0] == (
        "opt/conf/real.conf", "vm.swappiness = 5\n")


def test_overlay_placed_directory_hides_a_root_link_or_loop(overlay):
    """Like overlayfs: a directory of placed files hides a root entry that is not a
    directory (nothing is looked up through the root's link below it)."""
    assert overlay.lookup("/etc/conf").kind == "dir"
    assert overlay.listdir("/etc/conf") == ["x.cnf"]
    assert overlay.lookup("/etc/conf/real.conf").kind == "missing"
    assert overlay.lookup("/etc/loop-a").kind == "dir" and overlay.loops == {}
    assert _read(overlay, "/etc/loop-a/y.conf")[0] == ("etc/loop-a/y.conf", "x = 1\n")
    assert overlay.lookup("/etc/loop-b").kind == "dir"  # its link now leads to the directory


def test_overlay_missing(overlay, root):
    assert _read(overlay, "/etc/none") == (None, [("OOM001", "etc/none", 0)])
    assert overlay.lookup("/etc/dangling").kind == "missing"
    gone = Tree(fs=OverlayFS(DirectoryFS(root), {"/etc/fstab": root / "no-such-file"}))
    assert gone.lookup("/etc/fstab").kind == "missing"
    assert _read(gone, "/etc/fstab") == (None, [("OOM001", "etc/fstab", 0)])


def test_overlay_over_loose_files(loose, tmp_path):
    """The lower layer is any back-end."""
    extra = write_tree(tmp_path / "extra", {"z.conf": "vm.swappiness = 9\n"}) / "z.conf"
    tree = Tree(fs=OverlayFS(LooseFilesFS(loose), {"/etc/sysctl.d/a.conf": extra}))
    assert tree.listdir("/etc/sysctl.d") == BYTE_ORDER
    assert _read(tree, "/etc/sysctl.d/a.conf")[0] == ("etc/sysctl.d/a.conf", "vm.swappiness = 9\n")
    assert _read(tree, "/etc/sysctl.d/b.conf")[0] == ("etc/sysctl.d/b.conf", "# b.conf\n")


# -- listings answer lookups ---------------------------------------------------------------


class CountingFS:
    """A back-end that counts what `Tree` asks of the one it wraps; `hidden` names are left
    out of listings (as a live /proc leaves out its threads' /proc/TID)."""

    def __init__(self, inner, hidden=()):
        self.inner, self.hidden = inner, set(hidden)
        self.asked: list[tuple[str, str]] = []
        if hasattr(inner, "scan"):
            self.scan = self._scan

    def _scan(self, path):
        self.asked.append(("scan", path))
        found = self.inner.scan(path)
        return None if found is None else {n: k for n, k in found.items()
                                           if n not in self.hidden}

    def listdir(self, path):
        self.asked.append(("listdir", path))
        found = self.inner.listdir(path)
        return None if found is None else [n for n in found if n not in self.hidden]

    def __getattr__(self, name):
        method = getattr(self.inner, name)

        def ask(path, *args):
            self.asked.append((name, path))
            return method(path, *args)
        return ask


def _kinds(tree: Tree, vpaths) -> list[tuple[str, str, str, bool]]:
    return [(e.vpath, e.target, e.kind, e.is_link) for e in map(tree.lookup, vpaths)]


LOOKED_UP = ["/etc/sysctl.d/a.conf", "/etc/sysctl.d/50-abs.conf", "/etc/sysctl.d/none.conf",
             "/etc/sysctl.d/none/deeper", "/etc/conf/real.conf", "/etc/loop-a", "/etc/dangling",
             "/etc/fstab", "/etc/none", "/swapfile"]


@pytest.mark.parametrize("make", [lambda r: DirectoryFS(r), lambda r: OverlayFS(
    DirectoryFS(r), {"/etc/sysctl.d/60-new.conf": r / "etc/fstab"}), lambda r: LooseFilesFS(
    {"/etc/sysctl.d/a.conf": r / "etc/fstab", "/etc/fstab": r / "etc/fstab"})],
    ids=["directory", "overlay", "loose"])
def test_a_listed_directory_answers_lookups_of_its_names(root, make):
    """After a directory is listed, a name it does not hold is missing and a name it holds
    has its kind from the listing (a directory back-end's `scan`): the back-end is asked no
    lstat for either, and every lookup comes out as it does without the listing."""
    plain = Tree(fs=make(root))
    expected = _kinds(plain, LOOKED_UP)
    fs = CountingFS(make(root))
    tree = Tree(fs=fs)
    listed = {d: tree.listdir(d) for d in ("/", "/etc", "/etc/sysctl.d")}
    fs.asked.clear()
    assert _kinds(tree, LOOKED_UP) == expected
    for op, path in fs.asked:
        parent, name = os.path.split(path)
        if op == "lstat" and parent in listed:
            # only a listed name, and only where the listing did not tell its kind
            assert name in listed[parent] and not isinstance(fs.inner, DirectoryFS), path


def test_incomplete_listings_are_not_trusted_for_missing_names(root):
    """complete_listings=False (a live /proc): a name a listing leaves out is still looked
    up in the back-end."""
    fs = CountingFS(DirectoryFS(root), hidden={"fstab"})
    tree = Tree(fs=fs, complete_listings=False)
    assert "fstab" not in tree.listdir("/etc")
    assert tree.lookup("/etc/fstab").kind == "file"
    trusting = Tree(fs=CountingFS(DirectoryFS(root), hidden={"fstab"}))
    trusting.listdir("/etc")
    assert trusting.lookup("/etc/fstab").kind == "missing"  # what the listing says


def test_lookup_of_a_path_as_written_and_normalised_is_one_entry(root):
    tree = Tree(root=root)
    assert tree.lookup("etc//sysctl.d/./a.conf") is tree.lookup("/etc/sysctl.d/a.conf")
    assert tree.lookup("etc//sysctl.d/./a.conf").vpath == "/etc/sysctl.d/a.conf"
