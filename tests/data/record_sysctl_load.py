#!/usr/bin/env python3
"""Record what systemd-sysctl (and procps ``sysctl --system``) write for each case tree.

Writes tests/data/sysctl_load.yaml (next to this script), which tests/test_sysctl_load.py
compares oomlint's sysctl model with. Not a test module: pytest does not collect tests/data.

Each case is a tree under tests/data/sysctl_load/<case>/ laid out like / (etc/sysctl.d,
run/sysctl.d, usr/lib/sysctl.d, usr/local/lib/sysctl.d, etc/sysctl.conf). For every case, in
a private mount namespace (``unshare -m``, propagation private):

1. a FAKE /proc/sys is bind-mounted over /proc/sys: a tmpfs tree with one writable regular
   file per key of this machine's /proc/sys, each holding the key's current value, plus a
   marker file. The script checks that /proc/sys in the namespace carries the marker before
   any program runs, and aborts otherwise: systemd-sysctl and sysctl really write /proc/sys.
2. The case's directories are bind-mounted over /etc/sysctl.d, /usr/lib/sysctl.d (so also
   /lib/sysctl.d on a merged-/usr system), and a tmpfs over /run and /usr/local/lib holds
   the case's run/sysctl.d and usr/local/lib/sysctl.d; a case without one of them gets an
   empty directory. /etc/sysctl.conf is the case's file, or an empty file.
3. ``/lib/systemd/systemd-sysctl`` (no arguments; SYSTEMD_LOG_LEVEL=debug) runs under
   ``strace -e trace=openat,write``: every write to a file under /proc/sys is recorded in
   order as ``[key, value]`` (dotted key, value without the trailing newline), with the
   program's log lines.
4. The same for procps ``sysctl --system`` (a fresh fake /proc/sys).

The fake accepts any write, so the kernel's refusal of a value is not observed: it is
computed here from the kernel source ranges in KERNEL_RANGES (below, cited), never by
writing the real kernel. ``effective`` per judged key is the last write the kernel would
accept, or null when none is (the kernel keeps its default).

Usage (as root, on Debian 12 with systemd 252 and procps 4.0.2):
    python3 tests/data/record_sysctl_load.py [--out PATH] [CASE...]
Needs: root, unshare and mount (util-linux), strace, /lib/systemd/systemd-sysctl,
/usr/sbin/sysctl, PyYAML.
"""

from __future__ import annotations

import argparse
import datetime
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CASES = HERE / "sysctl_load"
DEFAULT_OUT = HERE / "sysctl_load.yaml"
MARKER = ".oomlint-fake-proc-sys"

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
ULONG_MAX = 2**64 - 1
# The keys oomlint judges: (lowest, highest) value the kernel's handler accepts.
#   proc_dointvec / proc_dointvec_minmax (kernel/sysctl.c): a C int; extra1/extra2 bounds.
#   proc_doulongvec_minmax (kernel/sysctl.c): unsigned long, a '-' sign is EINVAL.
# Tables (Linux v6.1 kernel/sysctl.c vm_table unless noted; later kernels moved entries
# into the owning files, same handlers and bounds):
KERNEL_RANGES = {
    "vm.overcommit_memory": (0, 2),  # proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_TWO
    "vm.overcommit_ratio": (INT_MIN, INT_MAX),  # overcommit_ratio_handler -> proc_dointvec
    "vm.overcommit_kbytes": (0, ULONG_MAX),  # overcommit_kbytes_handler -> proc_doulongvec_minmax
    "vm.swappiness": (0, 200),  # proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_TWO_HUNDRED
    "vm.panic_on_oom": (0, 2),  # mm/oom_kill.c, SYSCTL_ZERO..SYSCTL_TWO
    "vm.oom_kill_allocating_task": (INT_MIN, INT_MAX),  # mm/oom_kill.c, proc_dointvec
    "vm.oom_dump_tasks": (INT_MIN, INT_MAX),  # mm/oom_kill.c, proc_dointvec
    "vm.nr_hugepages": (0, ULONG_MAX),  # mm/hugetlb.c hugetlb_sysctl_handler (ulong)
    "vm.min_free_kbytes": (0, INT_MAX),  # min_free_kbytes_sysctl_handler, extra1 SYSCTL_ZERO
    "vm.vfs_cache_pressure": (0, INT_MAX),  # proc_dointvec_minmax, extra1 SYSCTL_ZERO
    "vm.watermark_scale_factor": (1, 3000),  # SYSCTL_ONE..SYSCTL_THREE_THOUSAND
    "vm.admin_reserve_kbytes": (0, ULONG_MAX),  # mm/util.c proc_doulongvec_minmax
    "vm.user_reserve_kbytes": (0, ULONG_MAX),  # mm/util.c proc_doulongvec_minmax
    "kernel.panic": (INT_MIN, INT_MAX),  # kernel/panic.c, proc_dointvec
}
_KERNEL_INT = re.compile(r"[ \t\n]*(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[ \t\n]*")


def kernel_accepts(key: str, value: str) -> bool:
    """Whether the kernel takes `value` for one of KERNEL_RANGES (proc_get_long: base 0, an
    optional '-', whitespace around it; nothing else, and an empty write is EINVAL)."""
    m = _KERNEL_INT.fullmatch(value)
    if not m:
        return False
    lo, hi = KERNEL_RANGES[key]
    digits = m.group(2)
    n = int(digits, 16) if digits[:2] in ("0x", "0X") else int(digits, 8 if digits[0] == "0" else 10)
    if m.group(1):
        if lo >= 0:  # proc_doulongvec_minmax refuses a sign; an int range refuses below lo
            return False
        n = -n
    return lo <= n <= hi


def build_fake(root: Path) -> None:
    """One regular file per key of the real /proc/sys, holding its current value."""
    for dirpath, _dirs, files in os.walk("/proc/sys"):
        rel = os.path.relpath(dirpath, "/proc/sys")
        target = root / rel
        target.mkdir(parents=True, exist_ok=True)
        for fn in files:
            try:
                with open(os.path.join(dirpath, fn), "rb") as f:
                    data = f.read(65536)
            except OSError:
                data = b""
            (target / fn).write_bytes(data)
    (root / MARKER).write_text("fake\n")


INNER = r"""
set -eu
fake="$1"; case="$2"; work="$3"; shift 3
mount -t tmpfs tmpfs "$work/mnt"
cp -a "$fake/." "$work/mnt/"
mount --bind "$work/mnt" /proc/sys
test -f /proc/sys/""" + MARKER + r""" || { echo "ABORT: /proc/sys is not the fake" >&2; exit 99; }
mkdir -p "$work/empty"
for d in etc/sysctl.d usr/lib/sysctl.d; do
  if [ -d "$case/$d" ]; then mount --bind "$case/$d" "/$d"; else mount --bind "$work/empty" "/$d"; fi
done
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /usr/local/lib
for d in run/sysctl.d usr/local/lib/sysctl.d; do
  if [ -d "$case/$d" ]; then mkdir -p "/$d"; mount --bind "$case/$d" "/$d"; fi
done
if [ -e "$case/etc/sysctl.conf" ]; then mount --bind "$case/etc/sysctl.conf" /etc/sysctl.conf
else : > "$work/empty.conf"; mount --bind "$work/empty.conf" /etc/sysctl.conf; fi
test -f /proc/sys/""" + MARKER + r""" || { echo "ABORT: /proc/sys is not the fake" >&2; exit 99; }
exec strace -f -qq -e trace=openat,write -s 8192 -o "$work/strace" "$@"
"""

_OPEN = re.compile(r'openat\(AT_FDCWD, "(/proc/sys/[^"]*)", ([A-Z_|]+)[^)]*\) = (\d+)')
_WRITE = re.compile(r'write\((\d+), "((?:[^"\\]|\\.)*)"(?:\.\.\.)?, \d+\)\s+= ')


def _unescape(s: str) -> str:
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape")


def writes_of(trace: str) -> list[list[str]]:
    fds: dict[str, str] = {}
    out: list[list[str]] = []
    for line in trace.splitlines():
        line = re.sub(r"^\d+ +", "", line)
        m = _OPEN.search(line)
        if m:
            if "O_WRONLY" in m.group(2) or "O_RDWR" in m.group(2):
                fds[m.group(3)] = m.group(1)
            else:
                fds.pop(m.group(3), None)
            continue
        m = _WRITE.match(line)
        if m and m.group(1) in fds:
            # The path as the kernel resolves it ("vm//x" is "vm/x"), in dotted form.
            path = posixpath.normpath(fds[m.group(1)])[len("/proc/sys/"):]
            key = path.translate(str.maketrans("./", "/."))
            value = _unescape(m.group(2))
            out.append([key, value[:-1] if value.endswith("\n") else value])
    return out


def run_case(case: Path, fake: Path, argv: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as w:
        work = Path(w)
        (work / "mnt").mkdir()
        env = dict(os.environ, SYSTEMD_LOG_LEVEL="debug", SYSTEMD_LOG_TARGET="console")
        r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", INNER,
                            "inner", str(fake), str(case), str(work), *argv],
                           capture_output=True, text=True, env=env)
        if r.returncode == 99 or "ABORT" in r.stderr:
            sys.exit(f"{case.name}: {r.stderr.strip()}")
        trace = (work / "strace").read_text() if (work / "strace").exists() else ""
        log = [ln for ln in (r.stdout + r.stderr).splitlines()
               if not ln.startswith(("Found ", "Failed to "))
               or "sysctl" in ln or "/proc/sys" in ln]
        return {"exit": r.returncode, "writes": writes_of(trace),
                "log": [ln for ln in log if "/proc/sys" in ln or "sysctl" in ln
                        or "Couldn't" in ln or "Line" in ln or "Overwriting" in ln
                        or "Not setting" in ln or "Setting" in ln]}


def effective(writes: list[list[str]]) -> dict:
    """Per judged key written: the last value the kernel accepts, None when none is."""
    out: dict = {}
    for key, value in writes:
        if key in KERNEL_RANGES:
            out.setdefault(key, None)
            if kernel_accepts(key, value):
                out[key] = value
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (mount namespaces)")
    names = args.cases or sorted(p.name for p in CASES.iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory() as f:
        fake = Path(f)
        build_fake(fake)
        out: dict = {
            "recorded": datetime.date.today().isoformat(),
            "kernel": os.uname().release,
            "systemd_sysctl": subprocess.run(["/lib/systemd/systemd-sysctl", "--version"],
                                             capture_output=True, text=True).stdout.split("\n")[0],
            "procps": subprocess.run(["sysctl", "--version"], capture_output=True,
                                     text=True).stdout.strip(),
            "cases": {},
        }
        for name in names:
            case = CASES / name
            sd = run_case(case, fake, ["/lib/systemd/systemd-sysctl"])
            pp = run_case(case, fake, ["/usr/sbin/sysctl", "--system"])
            out["cases"][name] = {
                "systemd_sysctl": {**sd, "effective": effective(sd["writes"])},
                "procps": {**pp, "effective": effective(pp["writes"])},
            }
    Path(args.out).write_text("# Recorded by tests/data/record_sysctl_load.py; do not edit.\n" +
                              yaml.safe_dump(out, sort_keys=False, allow_unicode=False, width=200))


if __name__ == "__main__":
    if shutil.which("strace") is None:
        sys.exit("needs strace")
    main()
