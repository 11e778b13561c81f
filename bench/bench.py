"""Speed and memory of `oomlint check` on a large synthetic host tree and on the stock
Debian tree. Prints its figures; asserts nothing.

    python bench/bench.py [--units 3000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from oomlint.catalog import load_catalog
from oomlint.config import Config
from oomlint.engine import run, select_rules
from oomlint.model.build import build_host
from oomlint.sources.tree import Tree

UNIT = """[Unit]
Description=Synthetic service {i}
After=network.target

[Service]
User=svc{i}
ExecStart=/opt/svc{i}/bin/run --port {port}
Restart=on-failure
RestartSec=5
{extra}
[Install]
WantedBy=multi-user.target
"""


def make_tree(root: Path, units: int) -> int:
    sysd = root / "etc/systemd/system"
    sysd.mkdir(parents=True)
    files = 0
    for i in range(units):
        extra = ["MemoryMax=1G\n", "MemoryMax=2GB\n", "OOMScoreAdjust=-1000\n", ""][i % 4]
        (sysd / f"svc{i}.service").write_text(UNIT.format(i=i, port=8000 + i, extra=extra))
        files += 1
        if i % 3 == 0:
            d = sysd / f"svc{i}.service.d"
            d.mkdir()
            (d / "10-memory.conf").write_text("[Service]\nMemoryHigh=768M\n")
            (d / "20-env.conf").write_text("[Service]\nEnvironment=A=1 B=2\n")
            files += 2
    sc = root / "etc/sysctl.d"
    sc.mkdir(parents=True)
    for i in range(200):
        (sc / f"{i:03d}-tune.conf").write_text(f"vm.swappiness = {i % 100}\nkernel.x{i} = 1\n")
        files += 1
    (root / "etc/fstab").write_text("/swapfile none swap sw 0 0\n")
    return files + 1


def measure(root: Path, label: str, files: int | None = None) -> None:
    catalog = load_catalog()
    selected = select_rules(catalog, None, [])
    t0 = time.perf_counter()
    host = build_host(Tree(root=root), ".", ram=16 * 2**30)
    t1 = time.perf_counter()
    result = run([(host, lambda p: p)], catalog, Config(), selected)
    t2 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = files if files is not None else sum(1 for p in root.rglob("*") if p.is_file())
    print(f"{label}: {n} files, {len(host.units)} units, {len(result.findings)} findings; "
          f"model {t1 - t0:.3f}s, checks {t2 - t1:.3f}s, total {t2 - t0:.3f}s "
          f"({n / (t2 - t0):.0f} files/s); peak RSS {rss:.0f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=3000)
    args = ap.parse_args()
    stock = Path(__file__).resolve().parent.parent / "tests" / "data" / "debian-stock"
    if stock.is_dir():
        measure(stock, "debian-stock")
    with tempfile.TemporaryDirectory() as d:
        files = make_tree(Path(d), args.units)
        measure(Path(d), f"synthetic ({args.units} services)", files)


if __name__ == "__main__":
    main()
