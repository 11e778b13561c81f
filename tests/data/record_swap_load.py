#!/usr/bin/env python3
"""Record which swap systemd 252 activates at boot for each tree under tests/data/swap_load/.

Produces tests/data/swap_load.yaml (next to this script), the expectations of
tests/test_swap_load.py. Not a test module: pytest must not collect it (no test_ prefix, no
test functions).

Every case is a directory laid out like / (``etc/fstab``, ``etc/systemd/system/...``,
``usr/lib/systemd/system/...``, and the swap files it names, which only oomlint sizes). For
each one, inside a private mount namespace (``unshare -m --propagation private``):

1. A new root is assembled on a tmpfs: this machine's /usr, /etc, /proc, /sys, /dev and /var
   bound in, a fresh /run and /tmp, the case's ``etc/fstab`` bound over /etc/fstab (an empty
   file when the case has none) and its unit directories overlaid on the real ones
   (``overlay lowerdir=<case dir>:<real dir>``, read-only). The process then chroots into
   it. Only the namespace sees any of this; nothing under the real /etc, /usr or /run is
   written.

   The new root is needed because this machine is a container: systemd-fstab-generator
   skips every swap line when ``detect_container()`` answers yes (src/basic/virt.c: it
   finds /.dockerenv), which a real host never does. The chroot has no /.dockerenv, so the
   generator and PID 1's swap code see a plain host (the generator's log says
   "Found container virtualization none").

2. ``/lib/systemd/system-generators/systemd-fstab-generator OUT OUT OUT`` runs as root with
   debug logging; the unit files and symlinks it writes, and its log lines about swap
   entries, are recorded (``generator``, ``generator_log``).

3. ``/lib/systemd/systemd --test --system --unit=default.target --no-pager`` runs as
   nobody (setpriv, as tests/data/record_systemd_verify.py does; the manager refuses
   --test as root). In test mode it runs the generators itself into temporary directories
   (MANAGER_TEST_FULL, src/core/manager.h), loads the units and prints the initial
   transaction of the boot target. Every ``.swap`` unit with a ``start`` job in "By jobs"
   is what systemd would activate at boot (``started``); for every ``.swap`` unit the dump
   lists, its load state, What= and fragment path are recorded (``units``).
   ``default.target`` rather than ``swap.target``: the boot transaction is the question,
   a ``.swap`` unit can be pulled in by another target than swap.target, and with a masked
   swap.target ``--unit=swap.target`` only fails.

Each case runs --repeat times (default 3); a case whose started set differs between runs is
recorded with ``unstable: true`` and every set seen (systemd iterates dependencies in
hashmap order).

Usage (as root, on Debian 12 with systemd 252):
    python3 tests/data/record_swap_load.py [--out PATH] [--repeat N] [CASE ...]
Needs: unshare, chroot, setpriv (util-linux, coreutils), overlayfs, PyYAML.
"""

import argparse
import datetime
import os
import re
import shlex
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "swap_load")
DEFAULT_OUT = os.path.join(HERE, "swap_load.yaml")
SYSTEMD = "/lib/systemd/systemd"
GENERATOR = "/lib/systemd/system-generators/systemd-fstab-generator"
UNIT_DIRS = ("etc/systemd/system", "usr/lib/systemd/system")

NS_SCRIPT = r"""
set -e
R={root}
C={case}
mount -t tmpfs -o mode=755 tmpfs "$R"
mkdir -p "$R/usr" "$R/etc" "$R/proc" "$R/sys" "$R/dev" "$R/run" "$R/tmp" "$R/var" "$R/out"
for l in bin lib lib64 sbin; do
  if [ -L "/$l" ]; then ln -s "$(readlink "/$l")" "$R/$l"; fi
done
mount --rbind /usr "$R/usr"
mount --rbind /etc "$R/etc"
mount --rbind /proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
mount --rbind /var "$R/var"
mount -t tmpfs -o mode=1777 tmpfs "$R/run"
mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
if [ -f "$C/etc/fstab" ]; then
  mount --bind "$C/etc/fstab" "$R/etc/fstab"
else
  mount --bind {empty} "$R/etc/fstab"
fi
for d in {unit_dirs}; do
  if [ -d "$C/$d" ]; then
    mount -t overlay overlay -o "lowerdir=$C/$d:/$d" "$R/$d"
  fi
done
chroot "$R" env SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 \
  {generator} /out /out /out > {gen_log} 2>&1 || echo "generator rc=$?" >> {gen_log}
(cd "$R/out" && find . -mindepth 1 | sort | while read -r p; do
   if [ -L "$p" ]; then echo "L $p -> $(readlink "$p")";
   elif [ -d "$p" ]; then echo "D $p";
   else echo "F $p"; sed 's/^/| /' "$p"; fi
 done) > {gen_tree}
chroot "$R" setpriv --reuid=65534 --regid=65534 --clear-groups \
  env SYSTEMD_LOG_LEVEL=info SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 SYSTEMD_PAGER= \
  {systemd} --test --system --unit=default.target --no-pager > {dump} 2>&1 \
  || echo "systemd rc=$?" >> {dump}
"""


def run_case(case_dir, tmp):
    root = os.path.join(tmp, "root")
    os.makedirs(root, exist_ok=True)
    empty = os.path.join(tmp, "empty-fstab")
    open(empty, "w").close()
    files = {k: os.path.join(tmp, k) for k in ("gen_log", "gen_tree", "dump")}
    script = NS_SCRIPT.format(root=shlex.quote(root), case=shlex.quote(case_dir),
                              empty=shlex.quote(empty), unit_dirs=" ".join(UNIT_DIRS),
                              generator=GENERATOR, systemd=SYSTEMD,
                              **{k: shlex.quote(v) for k, v in files.items()})
    subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                   check=True, timeout=300)
    out = {}
    for k, p in files.items():
        with open(p, encoding="utf-8", errors="replace") as f:
            out[k] = f.read()
    return out


def parse_generator(tree_text, log_text):
    files, links = {}, {}
    cur = None
    for line in tree_text.splitlines():
        if line.startswith("| ") or line == "|":
            if cur is not None:
                files[cur] += line[2:] + "\n"
            continue
        cur = None
        if line.startswith("L "):
            path, _, target = line[2:].partition(" -> ")
            links[path[2:]] = target
        elif line.startswith("F "):
            cur = line[4:]
            files[cur] = ""
    swap_files = {p: t for p, t in files.items() if p.endswith(".swap")}
    swap_links = {p: t for p, t in links.items() if p.endswith(".swap")}
    log = [ln for ln in log_text.splitlines()
           if re.search(r"swap|Duplicate|already exists|Found entry|fstab|generator rc",
                        ln, re.I) and "SELinux" not in ln]
    return {"units": swap_files, "links": swap_links}, log


def parse_dump(text):
    """The .swap units of a `systemd --test` dump and the start jobs of "By jobs"."""
    units, started = {}, set()
    section, cur = None, None
    for line in text.splitlines():
        if line.startswith("-> By units:"):
            section = "units"
            continue
        if line.startswith("-> By jobs:"):
            section = "jobs"
            continue
        if section == "units":
            m = re.match(r"^\t-> Unit (.+):$", line)
            if m:
                cur = units.setdefault(m.group(1), {}) if m.group(1).endswith(".swap") else None
                continue
            if cur is not None:
                m = re.match(r"^\t\t(Unit Load State|What|Fragment Path|Source Path): (.*)$", line)
                if m and m.group(1) not in cur:
                    cur[m.group(1)] = m.group(2)
        elif section == "jobs":
            m = re.match(r"^\t\tAction: (.+\.swap) -> start$", line)
            if m:
                started.add(m.group(1))
    for u in units.values():
        fp = u.get("Fragment Path", "")
        u["Fragment Path"] = re.sub(r"^/tmp/systemd-temporary-[^/]+/", "<generator-tmp>/", fp)
    errors = [ln for ln in text.splitlines()
              if not ln.startswith(("\t", "-> ")) and re.search(r"swap|systemd rc", ln, re.I)]
    return units, sorted(started), errors


def record(case_dir, repeat):
    seen, last = [], None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="oomlint-swap-") as tmp:
            raw = run_case(case_dir, tmp)
        units, started, errors = parse_dump(raw["dump"])
        generator, gen_log = parse_generator(raw["gen_tree"], raw["gen_log"])
        if started not in seen:
            seen.append(started)
        last = {"started": started, "units": units, "systemd_log": errors,
                "generator": generator, "generator_log": gen_log}
    if len(seen) > 1:
        last["unstable"] = True
        last["started_seen"] = seen
    return last


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (unshare -m, mount, chroot)")
    names = args.cases or sorted(os.listdir(CASES))
    recorded = {}
    if args.cases and os.path.exists(args.out):
        with open(args.out, encoding="utf-8") as f:
            recorded = (yaml.safe_load(f) or {}).get("cases", {})
    for name in names:
        print(f"{name} ...", file=sys.stderr)
        recorded[name] = record(os.path.join(CASES, name), args.repeat)
    version = subprocess.run([SYSTEMD, "--version"], stdout=subprocess.PIPE,
                             text=True).stdout.splitlines()[0]
    doc = {
        "recorded_with": version,
        "recorded_on": datetime.date.today().isoformat(),
        "method": "systemd-fstab-generator and `systemd --test --system "
                  "--unit=default.target` in a private mount namespace over each case "
                  "tree (tests/data/record_swap_load.py)",
        "cases": dict(sorted(recorded.items())),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("# Generated by tests/data/record_swap_load.py; do not edit by hand.\n")
        yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=False, width=100)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
