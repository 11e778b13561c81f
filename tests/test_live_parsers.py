"""parsers/proc.py and parsers/cgroup.py: the kernel's formats, in bytes, with lines; any
input is read without raising."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from oomlint.parsers.cgroup import V1_UNLIMITED, parse_bytes, parse_limit, unit_of_cgroup
from oomlint.parsers.proc import (
    parse_cmdline,
    parse_int,
    parse_keyed,
    parse_meminfo,
    parse_pressure,
    parse_proc_cgroup,
    parse_swaps,
    sysctl_value,
)

# /proc/meminfo of Debian 12 on 24 GB without swap (../shared/reference/linux.md §5.7).
MEMINFO = ("MemTotal:       24684084 kB\nSwapTotal:             0 kB\nCommitLimit:    12342040 kB\n"
           "Committed_AS:      65020 kB\nHugePages_Total:       0\nHugepagesize:       2048 kB\n")


def test_meminfo_in_bytes_with_lines():
    m = parse_meminfo(MEMINFO, "/proc/meminfo")
    assert m.get("MemTotal") == 24684084 * 1024
    assert m.get("HugePages_Total") == 0 and m.get("Hugepagesize") == 2 * 1024 * 1024
    assert m.values["CommitLimit"].loc.line == 3 and m.bad == []


def test_status_reads_vmrss_and_vmswap_only():
    st_ = parse_meminfo("Name:\tmysqld\nUid:\t0\t0\t0\t0\nVmRSS:\t  7580000 kB\nVmSwap:\t  12 kB\n",
                        "/proc/1/status")
    assert st_.get("VmRSS") == 7580000 * 1024 and st_.get("VmSwap") == 12 * 1024
    assert st_.bad == []  # status lines that are not numbers are not errors


def test_vmstat_and_events():
    v = parse_keyed("nr_free_pages 12\noom_kill 3\n", "/proc/vmstat")
    assert v.get("oom_kill") == 3 and v.values["oom_kill"].loc.line == 2


def test_psi_lines():
    # Documentation/accounting/psi.rst: the format of /proc/pressure/memory.
    p = parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                       "full avg10=12.50 avg60=3.00 avg300=100.00 total=12345\n", "/proc/pressure/memory")
    assert p.lines["full"].avg(10) == 12.5 and p.lines["full"].avg300 == 100.0
    assert p.lines["full"].total == 12345 and p.lines["full"].loc.line == 2


def test_swaps_unescape_and_kib():
    text = ("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
            "/swap\\040file                             file\t\t2097148\t\t1024\t\t-2\n"
            "/dev/zram0                              partition\t4194300\t\t0\t\t100\n")
    swaps, bad = parse_swaps(text, "/proc/swaps")
    assert [(s.filename, s.type, s.size, s.used, s.priority, s.loc.line) for s in swaps] == [
        ("/swap file", "file", 2097148 * 1024, 1024 * 1024, -2, 2),
        ("/dev/zram0", "partition", 4194300 * 1024, 0, 100, 3)]
    assert bad == []


def test_proc_cgroup_v2_and_v1():
    assert parse_proc_cgroup("0::/system.slice/nginx.service\n").unified == \
        "/system.slice/nginx.service"
    hybrid = parse_proc_cgroup("12:memory:/system.slice/x.service\n1:name=systemd:/\n0::/\n")
    assert hybrid.memory_v1 == "/system.slice/x.service" and hybrid.unified == "/"
    assert parse_proc_cgroup("4:cpu,memory:/a\n").memory_v1 == "/a"


def test_small_values():
    assert parse_cmdline(b"/usr/bin/app\0-c\0x y\0") == ["/usr/bin/app", "-c", "x y"]
    assert parse_cmdline(b"") == []
    assert parse_int(" -1000\n") == -1000 and parse_int("1.5") is None
    assert sysctl_value("4096\t87380   6291456\n") == "4096 87380 6291456"


def test_limits():
    assert parse_limit("max\n").unlimited
    assert parse_limit("536870912\n").bytes == 536870912
    assert parse_limit("9223372036854771712\n").unlimited  # v1's PAGE_COUNTER_MAX
    assert parse_limit(str(V1_UNLIMITED - 4096)).bytes == V1_UNLIMITED - 4096
    assert parse_limit("1G") is None and parse_bytes("-1") is None


def test_units_of_cgroups():
    assert unit_of_cgroup("/system.slice/nginx.service") == "nginx.service"
    assert unit_of_cgroup("/system.slice/docker-ab.scope/inner") == "docker-ab.scope"
    assert unit_of_cgroup("/user.slice") == "user.slice"
    assert unit_of_cgroup("/") is None and unit_of_cgroup("/lxc/39004") is None


@given(st.text(max_size=300))
def test_any_text_is_read_without_raising(text):
    for parse in (parse_meminfo, parse_keyed, parse_pressure, parse_swaps):
        parse(text, "/proc/x")
    parse_proc_cgroup(text)
    parse_limit(text)
    parse_int(text)
    unit_of_cgroup(text)
    parse_cmdline(text.encode("utf-8", "surrogatepass"))
