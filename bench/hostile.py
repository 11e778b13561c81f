"""Peak memory and CPU of `oomlint check` on pathological trees (issue #9's shapes).

Each shape is built in a temporary directory and checked by a fresh `python -m oomlint`
process; its peak RSS and CPU time are read from the kernel (getrusage of the child).
Prints one line per shape; asserts nothing. The target: no shape above 150 MB peak RSS or
10 s CPU.

    python bench/hostile.py [--only NAME] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MIB = 1024 * 1024
CAP = 16 * MIB  # oomlint's per-file read limit


def _fill(path: Path, line: str, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = line.encode()
    path.write_bytes(data * (size // len(data)))


def sysctl_16m(root: Path, scale: float) -> None:
    """One sysctl.d file of assignment lines at the read cap."""
    _fill(root / "etc/sysctl.d/99-big.conf", "vm.swappiness = 10\n", int(CAP * scale))


def unit_16m(root: Path, scale: float) -> None:
    """One unit file of assignments at the read cap."""
    p = root / "etc/systemd/system/big.service"
    p.parent.mkdir(parents=True, exist_ok=True)
    body = b"MemoryMax=1G\n" * (int(CAP * scale) // 13)
    p.write_bytes(b"[Service]\nExecStart=/bin/true\n" + body)


def four_sysctl_files(root: Path, scale: float) -> None:
    """Four sysctl.d files just under the cap each."""
    for i in range(4):
        _fill(root / f"etc/sysctl.d/{i}0-big.conf", f"kernel.x{i} = 1\n",
              int((CAP - 4096) * scale))


def sysctl_keys_16m(root: Path, scale: float) -> None:
    """One sysctl.d file at the read cap whose every line sets a different key."""
    p = root / "etc/sysctl.d/99-keys.conf"
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w") as fh:
        size, i = 0, 0
        while size < int(CAP * scale):
            line = f"net.x.k{i} = 1\n"
            fh.write(line)
            size += len(line)
            i += 1


def units_100k(root: Path, scale: float) -> None:
    """100 000 small units, each with a MemoryMax."""
    d = root / "etc/systemd/system"
    d.mkdir(parents=True)
    for i in range(int(100_000 * scale)):
        (d / f"s{i}.service").write_text(f"[Service]\nExecStart=/bin/s{i}\nMemoryMax=1G\n")


def template_openers_16m(root: Path, scale: float) -> None:
    """A my.cnf value of unclosed and nested template openers (`{{ {% {# ` ...) at the read
    cap: the template scanner (sources/templates.py) must stay linear on it."""
    p = root / "etc/mysql/my.cnf"
    p.parent.mkdir(parents=True, exist_ok=True)
    head = b"[mysqld]\nmax_connections = "
    p.write_bytes(head + b"{{ {% {# " * ((int(CAP * scale) - len(head) - 3) // 9) + b"}}\n")


SHAPES = {"sysctl-16MiB": sysctl_16m, "unit-16MiB": unit_16m,
          "4x-sysctl-16MiB": four_sysctl_files, "100k-units": units_100k,
          "sysctl-keys-16MiB": sysctl_keys_16m, "template-openers-16MiB": template_openers_16m}


def measure(name: str, build, scale: float) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "host"
        root.mkdir()
        build(root, scale)
        out = Path(d) / "out.json"
        t0 = time.perf_counter()
        with open(out, "wb") as sink:
            proc = subprocess.Popen([sys.executable, "-m", "oomlint", "check", str(root),
                                     "--ram", "8G", "--format", "json"], stdout=sink,
                                    stderr=subprocess.DEVNULL, env=dict(os.environ))
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak and CPU
        wall = time.perf_counter() - t0
        size = out.stat().st_size
    code = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    rss = usage.ru_maxrss / 1024  # KiB on Linux
    print(f"{name:<18} exit {code}  peak RSS {rss:7.0f} MiB  CPU {cpu:6.1f} s  "
          f"wall {wall:6.1f} s  output {size / MIB:6.1f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=sorted(SHAPES))
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    for name, build in SHAPES.items():
        if args.only in (None, name):
            measure(name, build, args.scale)


if __name__ == "__main__":
    main()
