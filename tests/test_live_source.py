"""sources/live.py: bounded, confined, read-only reads of /proc, /sys and the kernel log,
and model/live.py building a `LiveHost` from hostile captured trees."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from conftest import write_tree

from oomlint.model.build import build_host
from oomlint.sources.live import (
    KMSG,
    MAX_LIVE_FILE,
    LiveSource,
    kmsg_line,
    live_source,
    read_kmsg,
)
from oomlint.sources.tree import Tree

CAPTURE = Path(__file__).parent / "data" / "live-capture"


def source(root: Path, **kw) -> LiveSource:
    return LiveSource(proc=root / "proc", sys=root / "sys", **kw)


def audit_host(root: Path, **kw):
    return build_host(Tree(root=root / "root"), ".", live=source(root, **kw))


def test_captured_machine_loads():
    host = audit_host(CAPTURE)
    live = host.live
    assert host.ram == 25276071936 and host.ram_source == "/proc/meminfo MemTotal"
    assert live.cgroup_version == 1
    assert set(live.cgroups) == {"/", "/process_api"}
    assert live.cgroups["/"].max.unlimited  # 9223372036854771712 is v1's "no limit"
    assert live.vmstat.get("oom_kill") == 0
    assert live.pressure.lines["full"].avg300 == 0.0
    assert live.swaps == []
    assert live.sysctl["vm.swappiness"][0] == "60"
    assert [(p.pid, p.comm, p.argv0) for p in live.processes] == [(1, "process_api", "process_api"),
                                                                  (28463, "bash", "bash")]
    assert live.processes[1].cgroup == "/process_api/2be0f640ef9b9c48c69ea3295d5816ea"
    assert live.unreadable == {}


def test_a_link_out_of_a_captured_proc_is_not_followed(tmp_path):
    outside = write_tree(tmp_path / "outside", {"meminfo": "MemTotal: 999 kB\n"})
    root = write_tree(tmp_path / "cap", {"proc/vmstat": "oom_kill 0\n"})
    os.symlink(outside / "meminfo", root / "proc" / "meminfo")  # absolute: resolved inside
    os.symlink("../../outside/meminfo", root / "proc" / "swaps")  # `..` stops at the root
    host = audit_host(root)
    assert host.ram is None and host.live.swaps is None
    assert set(host.live.unreadable) >= {"/proc/meminfo", "/proc/swaps"}
    assert "symbolic link" in host.live.unreadable["/proc/meminfo"]


def test_loops_fifos_binary_and_huge_files_are_noted_once(tmp_path):
    root = write_tree(tmp_path / "cap", {"proc/vmstat": "x" * (MAX_LIVE_FILE + 10) + "\n"})
    os.symlink("loop2", root / "proc" / "loop1")
    os.symlink("loop1", root / "proc" / "loop2")
    os.symlink("loop1", root / "proc" / "meminfo")
    os.mkfifo(root / "proc" / "swaps")  # would block a plain open()
    (root / "proc" / "pressure").mkdir()
    (root / "proc" / "pressure" / "memory").write_bytes(b"some \0\0\xff")
    src = source(root)
    build_host(Tree(root=root / "root"), ".", live=src)
    why = src.unreadable
    assert "loop" in why["/proc/meminfo"]
    assert why["/proc/swaps"] == "not a regular file"
    assert "binary" in why["/proc/pressure/memory"]
    assert "only the start was read" in why["/proc/vmstat"]


def test_unparsable_numbers_are_skipped_and_kept_for_oom715(tmp_path):
    root = write_tree(tmp_path / "cap", {
        "proc/meminfo": "MemTotal:        lots kB\nMemFree: 12 kB\n",
        "proc/vmstat": "oom_kill 99999999999999999999999\npgfault 12\n",
        "proc/pressure/memory": "some avg10=abc avg60=0.00 avg300=0.00 total=0\n",
        "proc/swaps": "Filename Type Size Used Priority\n/swapfile file big 0 -2\n",
    })
    host = audit_host(root)
    live = host.live
    assert host.ram is None and live.meminfo.get("MemFree") == 12 * 1024
    assert live.vmstat.get("oom_kill") is None and live.vmstat.get("pgfault") == 12
    assert live.pressure.lines == {} and live.swaps == []
    assert sorted((loc.path, loc.line) for loc, _ in live.bad_lines) == [
        ("/proc/meminfo", 1), ("/proc/pressure/memory", 1), ("/proc/swaps", 2),
        ("/proc/vmstat", 1)]


def test_processes_that_exit_or_are_kernel_threads_are_skipped_quietly(tmp_path):
    root = write_tree(tmp_path / "cap", {
        "proc/2/oom_score": "0\n", "proc/2/status": "Name:\tkthreadd\n",  # no VmRSS
        "proc/77/status": "Name:\tgone\nVmRSS:\t 4 kB\n",  # exited: no oom_score any more
        "proc/90/oom_score": "1500\n", "proc/90/status": "Name:\tbig\nVmRSS:\t 1024 kB\n",
        "proc/90/oom_score_adj": "1000\n", "proc/90/comm": "big\n",
        "proc/90/cgroup": "0::/system.slice/big.service\n",
        "proc/90/cmdline": "/opt/big/bin/big\0--password=hunter2\0",
    })
    live = audit_host(root).live
    assert [(p.pid, p.unit, p.argv0, p.rss) for p in live.processes] == \
        [(90, "big.service", "big", 1024 * 1024)]
    assert "hunter2" not in repr(live)  # only the program name of a command line is kept
    assert not any(k.startswith("/proc/77") or k.startswith("/proc/2") for k in live.unreadable)


def test_nothing_is_written(tmp_path):
    root = write_tree(tmp_path / "cap", {"proc/meminfo": "MemTotal: 8 kB\n",
                                         "root/etc/fstab": "/swapfile none swap sw 0 0\n"})
    before = {p: (p.stat().st_mtime_ns, p.stat().st_mode) for p in root.rglob("*")}
    audit_host(root)
    assert {p: (p.stat().st_mtime_ns, p.stat().st_mode) for p in root.rglob("*")} == before


def test_display_shows_live_paths_under_the_directories_given(tmp_path):
    src = LiveSource(proc=Path("snap/proc"), sys=Path("/sys"))
    assert src.display("/proc/vmstat") == "snap/proc/vmstat"
    assert src.display("/sys/fs/cgroup/memory.max") == "/sys/fs/cgroup/memory.max"
    assert LiveSource().display("/proc/vmstat") == "/proc/vmstat"


def test_kmsg_only_for_the_real_proc():
    assert live_source(None, None, None).kmsg
    assert not live_source(Path("snap/proc"), None, None).kmsg
    assert not live_source(None, None, "kern.log").kmsg


def test_kmsg_records_become_printk_lines():
    rec = b"6,1234,12001000123,-;Out of memory: Killed process 1 (x)\n SUBSYSTEM=mem\n"
    assert kmsg_line(rec) == "[12001.000123] Out of memory: Killed process 1 (x)"
    assert kmsg_line(b"no header") == "no header"
    assert kmsg_line(b"6,1,bad,-;text") == "text"


def test_kmsg_must_be_a_character_device(tmp_path):
    f = tmp_path / "kmsg"
    f.write_text("6,1,0,-;hello\n")
    with pytest.raises(OSError):
        read_kmsg(str(f))


@pytest.mark.skipif(not os.path.exists(KMSG) or not os.access(KMSG, os.R_OK),
                    reason="/dev/kmsg not readable here")
def test_real_kmsg_is_read_without_blocking():
    if not stat.S_ISCHR(os.stat(KMSG).st_mode):
        pytest.skip("/dev/kmsg is not a character device here")
    try:
        text = read_kmsg()  # returns at EAGAIN: a blocking read would hang this test
    except OSError:
        pytest.skip("/dev/kmsg cannot be read here")
    assert all(line.startswith("[") for line in text.splitlines()[:5])
