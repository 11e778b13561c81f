#!/usr/bin/env python3
"""Record how systemd 252 itself loads the unit trees under tests/data/units_load/.

Produces tests/data/units_load.yaml (next to this script), the expectations of
tests/test_units_load.py, so the suite runs without systemd. Not a test module: pytest
must not collect it (no test_ prefix, no test functions).

Each case is a directory tests/data/units_load/<case>/ laid out like / (etc/systemd/system,
usr/lib/systemd/system, etc/systemd/system.conf, ...). For every case, inside a private
mount namespace (``unshare -m``, propagation private), the case's systemd directories are
overlay-mounted over the real ones (``lowerdir=<case>/etc/systemd:/etc/systemd``, the same
for usr/lib/systemd and run/systemd when the case has them), so systemd sees the case's
files at their real paths and the real units (the slices, targets it always loads) below
them. One more read-only layer on top holds only ``/etc/systemd/system/oomlint-probe.target``
with ``Wants=`` on the units of interest (UNITS below). Then

    setpriv --reuid=nobody --regid=nogroup --clear-groups \\
        /lib/systemd/systemd --test --system --unit=oomlint-probe.target --no-pager

prints its dump of every loaded unit (``systemd --test`` refuses to run as root, hence
nobody). Unprivileged, it reads ``$XDG_CONFIG_HOME/systemd/user.conf`` instead of
system.conf (the same ``[Manager]`` table in systemd 252, src/core/main.c
parse_config_file), so a case's etc/systemd/system.conf (and system.conf.d/) is also given
to it as that file (and user.conf.d/).
Nothing outside the namespace changes: no file is written under the real /etc, /usr or /run.

From the dump each unit of interest records: load_state (``Unit Load State``: loaded,
masked, not-found, bad-setting, error), description, slice, fragment (``Fragment Path``),
dropins (every ``DropIn Path``, in systemd's order), memory_max / memory_high (bytes;
18446744073709551615 = infinity), oom_policy, delegate; and ``said``, the log lines about
the case's files or the unit. Paths are recorded as systemd prints them (/lib is a link to
/usr/lib on Debian 12; the test compares them as tree-relative paths under usr/lib).

Usage (as root; recorded in a Debian 12 container whose PID 1 is not systemd):
    python3 tests/data/record_units_load.py [--out PATH] [CASE ...]
Needs: /lib/systemd/systemd (Debian 12: systemd 252), util-linux unshare and setpriv,
overlayfs (mount -t overlay), the nobody user and nogroup group, PyYAML.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "units_load"
DEFAULT_OUT = HERE / "units_load.yaml"
SYSTEMD_BIN = next((p for p in ("/lib/systemd/systemd", "/usr/lib/systemd/systemd")
                    if os.path.exists(p)), "/lib/systemd/systemd")
# The real directories a case may put files under, overlay-mounted when the case has them.
MOUNTED = ("etc/systemd", "usr/lib/systemd", "run/systemd")

# case -> the units whose state is recorded (each is pulled in by the probe target).
UNITS = {
    "delegate-oom-policy": ["plain.service", "ctr.service", "pids.service", "no.service",
                            "reset.service", "explicit.service", "dropin.service",
                            "kill.service", "empty.service", "noempty.service", "junk.service",
                            "off.service"],
    "delegate-manager-default": ["plain.service", "ctr.service"],
    "slice-specifiers": ["app@web.service", "app-web.slice", "a-b@x.service", "j-k@x.service",
                         "nn@x.service", "full@x.service", "upper@x.service",
                         "bigp@x.service", "bigj@x.service", "keep@x.service",
                         "plain-i.service", "pct@x.service", "user@0.service",
                         "user-0.slice"],
    "dropin-search-order": ["a.service", "m.service", "p-q.service", "t@i.service",
                            "r-s@i.service"],
    "dropin-ignored-names": ["h.service", ".hidden.service"],
    "fragment-empty-or-comment": ["comment.service", "blank.service", "zero.service",
                                  "null.service", "ghost.service"],
    "byte-order-mark": ["bom.service", "bomonly.service", "bomdrop.service",
                        "bomslice.slice"],
    "slice-values": ["reset.service", "lead.service", "dbl.service", "trail.service",
                     "notslice.service", "badname.service", "nested.service",
                     "root.service", "-x.slice", "a--b.slice", "a-.slice", "a-b-c.slice"],
}

FIELDS = {  # dump field -> recorded key
    "Unit Load State": "load_state",
    "Description": "description",
    "Slice": "slice",
    "Fragment Path": "fragment",
    "MemoryMax": "memory_max",
    "MemoryHigh": "memory_high",
    "OOMPolicy": "oom_policy",
    "Delegate": "delegate",
}
INTEGER = {"memory_max", "memory_high"}


def parse_dump(output: str) -> dict[str, dict]:
    """unit name -> {dump field: [values]} from the ``-> By units`` dump."""
    units: dict[str, dict] = {}
    cur = None
    for line in output.splitlines():
        m = re.match(r"^\t-> Unit (.+):$", line)
        if m:
            cur = units.setdefault(m.group(1), {})
            continue
        if not line.startswith("\t\t"):
            cur = None  # another unit's header, a job list, the end of the dump
            continue
        if cur is None or line.startswith(("\t\t\t", "\t\t->")):
            continue  # ExecStart= and other nested blocks
        m = re.match(r"^\t\t([A-Za-z][A-Za-z ]*?): ?(.*)$", line)
        if m:
            cur.setdefault(m.group(1), []).append(m.group(2))
    return units


def unit_facts(dump: dict | None) -> dict:
    if dump is None:
        return {"load_state": None}
    out: dict = {}
    for field, key in FIELDS.items():
        if field in dump:
            v = dump[field][0]
            out[key] = int(v) if key in INTEGER and v.isdigit() else v
    out["dropins"] = list(dump.get("DropIn Path", []))
    return out


def copy_case(case: Path, dest: Path) -> None:
    shutil.copytree(case, dest, symlinks=True)
    copy_perms(dest)


def copy_perms(dest: Path) -> None:
    """World-readable, so that systemd running as nobody reads them."""
    for dirpath, dirnames, filenames in os.walk(dest):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                os.chmod(p, 0o644)


def run_case(name: str, tmp: Path) -> tuple[str, int]:
    case = tmp / "case"
    copy_case(CASES_DIR / name, case)
    probe = tmp / "probe" / "etc" / "systemd" / "system"
    probe.mkdir(parents=True)
    wants = " ".join(UNITS[name])
    (probe / "oomlint-probe.target").write_text(
        f"[Unit]\nDescription=oomlint probe\nWants={wants}\n")
    xdg = tmp / "xdg" / "systemd"
    xdg.mkdir(parents=True)
    conf = case / "etc" / "systemd" / "system.conf"
    if conf.exists():
        shutil.copyfile(conf, xdg / "user.conf")
    if conf.with_suffix(".conf.d").is_dir():
        shutil.copytree(conf.with_suffix(".conf.d"), xdg / "user.conf.d")
    for d in (tmp / "probe", tmp / "probe" / "etc", tmp / "probe" / "etc" / "systemd", probe,
              tmp / "xdg", tmp):
        os.chmod(d, 0o755)
    copy_perms(xdg)
    mounts = []
    for d in MOUNTED:
        layers = [str(tmp / "probe" / d)] if d == "etc/systemd" else []
        if (case / d).is_dir():
            layers.append(str(case / d))
        if layers:
            mounts.append(f"mount -t overlay overlay -o lowerdir={':'.join(layers)}:/{d} /{d}")
    script = " && ".join([
        "mount --make-rprivate /", *mounts,
        "exec setpriv --reuid=nobody --regid=nogroup --clear-groups "
        f"env XDG_CONFIG_HOME={tmp / 'xdg'} HOME={tmp / 'xdg'} SYSTEMD_LOG_LEVEL=info "
        "SYSTEMD_LOG_COLOR=0 SYSTEMD_PAGER= "
        f"{SYSTEMD_BIN} --test --system --unit=oomlint-probe.target --no-pager",
    ])
    p = subprocess.run(["unshare", "-m", "sh", "-c", script], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    return p.stdout.decode("utf-8", "replace"), p.returncode


def said_lines(output: str, name: str, units: list[str]) -> list[str]:
    files = {"/" + str(p.relative_to(CASES_DIR / name)) for p in (CASES_DIR / name).rglob("*")}
    out = []
    for line in output.splitlines():
        head = line.split(":", 1)[0]
        if head in files or any(line.startswith(u + ":") for u in units):
            out.append(line.strip())
    return out


def systemd_version() -> str:
    p = subprocess.run([SYSTEMD_BIN, "--version"], stdout=subprocess.PIPE, text=True)
    return p.stdout.splitlines()[0].strip() if p.stdout else "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("cases", nargs="*", help="only these cases (others are kept from --out)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (unshare -m and mount need it; systemd itself runs as nobody)")
    old = {}
    if args.cases and os.path.exists(args.out):
        old = (yaml.safe_load(Path(args.out).read_text()) or {}).get("cases", {})
    recorded = {}
    for name in UNITS:
        if args.cases and name not in args.cases:
            if name in old:
                recorded[name] = old[name]
            continue
        with tempfile.TemporaryDirectory(prefix="oomlint-units-load-") as t:
            os.chmod(t, 0o755)
            out, rc = run_case(name, Path(t))
        if "-> By units:" not in out:
            sys.exit(f"{name}: no unit dump (rc {rc}):\n{out[-2000:]}")
        dumps = parse_dump(out)
        recorded[name] = {
            "units": {u: unit_facts(dumps.get(u)) for u in UNITS[name]},
            "said": said_lines(out, name, UNITS[name]),
        }
    header = (
        f"# Recorded with `systemd --test --system` ({systemd_version()}, Debian 12) on "
        f"{datetime.date.today().isoformat()}\n"
        "# Script: tests/data/record_units_load.py (how each case is mounted and run).\n"
        "# Trees: tests/data/units_load/<case>/ laid out like /. Per unit: the values of its\n"
        "#   dump (load_state null: systemd did not load the unit at all); memory bytes with\n"
        "#   18446744073709551615 = infinity; dropins in the order systemd applies them;\n"
        "#   said: systemd's log lines about the case's files and units.\n"
    )
    body = yaml.safe_dump({"systemd": systemd_version(), "cases": recorded},
                          sort_keys=False, allow_unicode=True, width=200)
    Path(args.out).write_text(header + body)
    print(f"wrote {args.out} ({sum(len(c['units']) for c in recorded.values())} units)")


if __name__ == "__main__":
    main()
