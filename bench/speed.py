"""Whole-process speed and memory of oomlint: start-up, one stock-like host, fleets of
synthetic hosts, against the time to just read the same files and against other linters.
Prints figures; asserts nothing.

    python bench/speed.py [--big] [--repeat 5] [--jobs N] [--work DIR]

Every figure is the median of --repeat runs of a fresh child process (wall clock, CPU =
user + system, peak RSS from wait4()'s rusage of that child); the commands compared in one
table are run interleaved (a, b, a, b, ...) so that a busy machine slows them alike.
--big adds 1 000 hosts. The synthetic repository is written once by bench/gen_repo.py
(seed 1) under --work (default: a temporary directory).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from gen_repo import generate  # noqa: E402

PY = sys.executable
# Byte-code is written and reused, as an installed package's is: a run that recompiles every
# module from source (PYTHONDONTWRITEBYTECODE) measures the compiler, not oomlint.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPATH"] = str(REPO / "src")
OOMLINT = [PY, "-m", "oomlint"]
# The floor: a fresh interpreter that lists the trees and reads every file, nothing else.
READ = ("import os,sys\n"
        "for top in sys.argv[1:]:\n"
        "    for d, _, fs in os.walk(top):\n"
        "        for f in fs:\n"
        "            p = os.path.join(d, f)\n"
        "            if os.path.isfile(p):\n"
        "                open(p, 'rb').read()\n")


BASELINE: str | None = None  # --baseline: another source tree measured beside this one


def run_once(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one fresh child."""
    env = ENV
    if cmd and cmd[0] == "BASELINE":
        cmd, env = cmd[1:], dict(ENV, PYTHONPATH=BASELINE)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def measure(cmds: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float, float]]:
    """Median (wall, CPU, RSS) of each command, runs interleaved."""
    if BASELINE:
        cmds = dict(cmds)
        for k in [k for k in cmds if k.startswith("oomlint")]:
            cmds[k + " (baseline)"] = ["BASELINE", *cmds[k]]
    samples: dict[str, list] = {k: [] for k in cmds}
    for cmd in cmds.values():  # warm-up: byte-code written, files in the page cache
        run_once(cmd)
    for _ in range(repeat):
        for name, cmd in cmds.items():
            samples[name].append(run_once(cmd))
    return {k: tuple(statistics.median(s[i] for s in v) for i in range(3))
            for k, v in samples.items()}


def count_files(paths: list[Path]) -> int:
    return sum(1 for p in paths for f in p.rglob("*") if f.is_file())


def install_wheel(work: Path) -> Path:
    """This checkout built as a wheel and installed (without its dependencies, which this
    interpreter has) under WORK/site; returns that directory."""
    dist, site = work / "dist", work / "site"
    shutil.rmtree(dist, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    subprocess.run([PY, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)],
                   check=True)
    wheel = next(dist.glob("oomlint-*.whl"))
    subprocess.run([PY, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                    str(wheel)], check=True)
    print(f"measuring the installed wheel {wheel.name}")
    return site


def row(label: str, fig: tuple[float, float, float], files: int | None = None,
        ref: float | None = None, ref_name: str = "") -> None:
    wall, cpu, rss = fig
    extra = f"  {files / wall:8.0f} files/s" if files else ""
    vs = f"  {wall / ref:5.2f}x {ref_name}" if ref else ""
    print(f"  {label:<34} wall {wall:7.3f}s  CPU {cpu:7.3f}s  RSS {rss:6.1f} MiB{extra}{vs}")


def units_of(root: Path) -> list[Path]:
    out = []
    for d in ("etc/systemd/system", "lib/systemd/system", "usr/lib/systemd/system"):
        base = root / d
        if base.is_dir():
            out += sorted(p for p in base.iterdir() if p.suffix == ".service" and p.is_file()
                          and not p.is_symlink() and "@" not in p.name)
    return out


# The standard-library modules `oomlint check` needs whatever it checks (records, enums,
# the compiled catalogue, paths, patterns).
STDLIB = "dataclasses, enum, functools, json, pathlib, re, typing"


def startup(repeat: int) -> None:
    print("start-up (a single unit file):")
    unit = REPO / "tests/data/debian-stock/lib/systemd/system/cron.service"
    if not unit.is_file():
        unit = next((REPO / "tests/data/debian-stock").rglob("*.service"))
    # Floors: `import click`, which every command that parses its arguments with click
    # pays, and the standard modules the check pipeline cannot do without, with and
    # without click.
    figs = measure({"python3 -c pass": [PY, "-c", "pass"],
                    "python3 -c 'import click'": [PY, "-c", "import click"],
                    "python3 -c 'import STDLIB'": [PY, "-c", f"import {STDLIB}"],
                    "python3 -c 'import STDLIB, click'": [PY, "-c", f"import {STDLIB}, click"],
                    "oomlint --version": OOMLINT + ["--version"],
                    "oomlint check UNIT": OOMLINT + ["check", str(unit)]},
                   repeat * 4)  # runs of 20 ms: more of them, or one slow run moves the median
    base = figs["python3 -c pass"][0]
    for k, v in figs.items():
        row(k, v, ref=base, ref_name="python3 -c pass")


def stock(repeat: int, jobs: list[str]) -> None:
    root = REPO / "tests/data/debian-stock"
    units = units_of(root)
    files = count_files([root])
    print(f"stock-like host (tests/data/debian-stock: {files} files, {len(units)} .service):")
    cmds = {"oomlint check": OOMLINT + ["check", str(root), *jobs]}
    analyze = shutil.which("systemd-analyze")
    if analyze:
        cmds["systemd-analyze verify --man=no"] = [analyze, "verify", "--man=no",
                                                   *map(str, units)]
    else:
        print("  systemd-analyze: not installed, skipped")
    sdl = shutil.which("systemdlint") or next(
        (str(p) for p in [Path(PY).parent / "systemdlint"] if p.exists()), None)
    sdl = os.environ.get("SYSTEMDLINT", sdl)
    if sdl:
        cmds["systemdlint"] = [sdl, "--rootpath", str(root), *map(str, units)]
    else:
        print("  systemdlint: not installed (pip install systemdlint, or SYSTEMDLINT=path), "
              "skipped")
    figs = measure(cmds, repeat)
    base = figs["oomlint check"][0]
    for k, v in figs.items():
        row(k, v, files=files if k.startswith("oomlint") else None)
    for k, v in figs.items():
        if not k.startswith("oomlint"):
            print(f"  oomlint / {k}: {base / v[0]:.2f}")


def fleet(work: Path, sizes: list[int], repeat: int, jobs: list[str]) -> None:
    print("fleets of synthetic hosts (bench/gen_repo.py, seed 1):")
    prev = None
    for n in sizes:
        out = work / f"repo{n}"
        if not (out / "hosts").is_dir():
            generate(out, n, seed=1)
        paths = sorted((out / "hosts").iterdir())
        files = count_files(paths)
        figs = measure({"read floor": [PY, "-c", READ, *map(str, paths)],
                        "oomlint check": OOMLINT + ["check", "--ram", "16G", *jobs,
                                                    *map(str, paths)]},
                       repeat if n <= 100 else max(1, repeat // 3))
        print(f" {n} hosts, {files} files:")
        row("read floor", figs["read floor"], files)
        for k in figs:
            if k.startswith("oomlint"):
                row(k, figs[k], files, ref=figs["read floor"][0], ref_name="read floor")
        if prev:
            pn, pfiles, pwall, pcpu = prev
            print(f"  {files / pfiles:.1f}x the files of {pn} hosts: "
                  f"{figs['oomlint check'][0] / pwall:.2f}x the wall time, "
                  f"{figs['oomlint check'][1] / pcpu:.2f}x the CPU")
        prev = (n, files, figs["oomlint check"][0], figs["oomlint check"][1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", action="store_true", help="also 1 000 hosts")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--jobs", help="pass --jobs N to oomlint check")
    ap.add_argument("--work", type=Path, help="where the synthetic repositories are kept")
    ap.add_argument("--baseline", help="another oomlint src/ directory to measure alongside "
                    "(interleaved), e.g. a `git worktree` of the commit before a change")
    ap.add_argument("--oomlint", help="the oomlint command to measure (default: python -m "
                    "oomlint on this checkout's src/), e.g. an installed wheel's bin/oomlint")
    ap.add_argument("--only", choices=["startup", "stock", "fleet"], action="append")
    ap.add_argument("--wheel", action="store_true", help="measure oomlint as users run it: "
                    "build this checkout's wheel and run its installed copy (the compiled "
                    "catalogue) instead of the checkout")
    args = ap.parse_args()
    global BASELINE
    BASELINE = args.baseline
    work = args.work or Path(tempfile.mkdtemp(prefix="oomlint-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.oomlint:
        OOMLINT[:] = args.oomlint.split()
    elif args.wheel:
        site = install_wheel(work)
        ENV["PYTHONPATH"] = str(site)
        # the console script pip wrote, as pre-commit and CI run it (no runpy)
        OOMLINT[:] = [PY, str(site / "bin" / "oomlint")]
    jobs = ["--jobs", args.jobs] if args.jobs else []
    only = set(args.only or ["startup", "stock", "fleet"])
    print(f"{PY} ({sys.version.split()[0]}), {os.cpu_count()} CPUs, medians of "
          f"{args.repeat} interleaved runs")
    try:
        if "startup" in only:
            startup(args.repeat)
        if "stock" in only:
            stock(args.repeat, jobs)
        if "fleet" in only:
            # 100 -> 200 is the "2x the files" step; 1 000 (--big) the memory bound
            fleet(work, [1, 10, 100, 200] + ([1000] if args.big else []), args.repeat, jobs)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
