"""Fixtures of the hostile-input suite, and the count of generated cases in the summary."""

from __future__ import annotations

import os
import socket
import subprocess
import urllib.request

import pytest

from .helpers import CASES


def _refuse(*args, **kwargs):
    raise AssertionError("oomlint tried to execute a program or open a connection")


def pytest_configure(config):
    config.addinivalue_line("markers", "subprocess: the test itself starts a Python process")


@pytest.fixture
def sealed(monkeypatch, request):
    """No program can be started and no socket opened while the test runs (except by a
    test marked `subprocess`, which measures oomlint in a fresh interpreter)."""
    if request.node.get_closest_marker("subprocess"):
        return
    monkeypatch.setattr(subprocess, "Popen", _refuse)
    monkeypatch.setattr(os, "system", _refuse)
    monkeypatch.setattr(os, "popen", _refuse)
    for name in dir(os):
        if name.startswith(("exec", "spawn", "posix_spawn")) or name in ("fork", "forkpty"):
            monkeypatch.setattr(os, name, _refuse)
    monkeypatch.setattr(socket, "socket", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    monkeypatch.setattr(urllib.request, "urlopen", _refuse)


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """Run from `tmp_path`, so that paths in the output are relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def outside(tmp_path):
    """A directory next to the checked tree, holding sentinel files with values no tree in
    this suite uses: if one of them reaches the output, oomlint read outside the tree."""
    d = tmp_path / "outside"
    d.mkdir()
    (d / "sentinel.service").write_text("[Service]\nExecStart=/bin/x\nOOMScoreAdjust=-987\n"
                                        "MemoryMax=777777K\n")
    (d / "sentinel.cnf").write_text("[mysqld]\ninnodb_buffer_pool_size = 777777K\n"
                                    "max_connections = 7777\n")
    (d / "sentinel.conf").write_text("shared_buffers = 777777kB\nmax_connections = 7777\n"
                                     "vm.overcommit_memory = 2\nvm.swappiness = 77\n")
    (d / "sentinel.env").write_text("JAVA_OPTS=-Xmx777777k\n_JAVA_OPTIONS=-Xmx777777k\n")
    (d / "sentinel.args").write_text("-Xmx777777k\n")
    (d / "jvm.options").write_text("-Xmx777777k\n")
    (d / "conf.d").mkdir()
    (d / "conf.d" / "x.cnf").write_text("[mysqld]\nmax_connections = 7777\n")
    (d / "conf.d" / "x.conf").write_text("max_connections = 7777\n")
    return d


def pytest_terminal_summary(terminalreporter):
    if CASES:
        total = sum(CASES.values())
        terminalreporter.write_sep("-", f"hostile input: {total} generated cases ran")
        for name, n in sorted(CASES.items()):
            terminalreporter.write_line(f"  {n:6d}  {name}")
