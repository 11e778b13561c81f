#!/usr/bin/env python3
"""Record what the real systemd parser says about memory/OOM directive values.

Produces tests/data/systemd_verify.yaml (next to this script), used as test
expectations for oomlint's unit-file parser.  Not a test module: pytest must not
collect it (no test_ prefix, no test functions).

For every case a small unit file is written to a temporary directory and:

1. ``systemd-analyze verify --man=no <file>`` is run (log target console,
   level info).  Log lines that start with the probe file's path or the probe
   unit's name are kept; the ``<path>:<line>: `` / ``<unit>: `` prefix is
   stripped and the remainder becomes ``message``.
2. All probe units are loaded once more with ``systemd --test --system``
   (the manager's "dump initial transaction" mode, which prints the parsed
   unit state).  It refuses to run as root, so as root it runs as nobody via
   setpriv.  From that dump the effective value is read (``bytes`` for memory
   settings, ``applied`` for the others).  This is how the byte value systemd
   derived from an accepted memory value is obtained.  If this step cannot
   run, the YAML simply lacks ``bytes``/``applied``.

``accepted`` means "systemd applied the value": false when systemd logged the
assignment as invalid/ignored (or, for placement cases, when the setting had
no effect), true otherwise.  An empty memory value is "accepted" (it resets to
the default).

system.conf ``[Manager]`` keys cannot be checked with verify.  They are
checked with ``systemd --test`` as nobody, which reads
``$XDG_CONFIG_HOME/systemd/user.conf``; systemd 252 parses system.conf and
user.conf with the same ``[Manager]`` table (src/core/main.c
parse_config_file), so an unknown key there is unknown in system.conf too.

Usage: python3 tests/data/record_systemd_verify.py [--out PATH]
Needs: systemd-analyze and /lib/systemd/systemd (Debian 12: systemd 252), PyYAML.
"""

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "systemd_verify.yaml")

SYSTEMD_BIN = next(
    (p for p in ("/lib/systemd/systemd", "/usr/lib/systemd/systemd") if os.path.exists(p)),
    "/lib/systemd/systemd",
)

UINT64_MAX = 2**64 - 1

MEMORY_DIRECTIVES = ["MemoryMax", "MemoryHigh", "MemoryLow", "MemoryMin", "MemorySwapMax"]
# Default effective value when the setting is absent (systemd 252 dump).
MEMORY_DEFAULT = {
    "MemoryMax": UINT64_MAX,
    "MemoryHigh": UINT64_MAX,
    "MemorySwapMax": UINT64_MAX,
    "MemoryLow": 0,
    "MemoryMin": 0,
}

MEMORY_VALUES = [
    # from the brief
    "1G", "1.5G", "1G 512M", "2 G", "512M", "1024", "1024B", "1K", "1T", "1P", "1E", "16E",
    "2GB", "512m", "1g", "1Gi", '"1G"', "'1G'", "max", "infinity", "Infinity", "0", "0%",
    "50%", "100%", "150%", "12.34%", "12.345%", "5\u2030", "5\u2031", "-1", "1G # cap",
    "1G;x", " 1G ", "1M 1G", "1G1G", "1.G", ".5G", "1e3", "0x100", "1 K", "1KB", "1KiB", "",
    "%", "50 %",
    # extras
    "1G512M", "1 G 512 M", "1.5K", "1.9999B", "1.5", "0.5", "0B", "0G", "0.0001K", "+1G",
    "15E", "8E", "15.9E", "18446744073709551615", "18446744073709551616", "17179869184G",
    "1_000", "1,5G", "1.5.G", "1G 0M", "100.00%", "100.01%", "0.01%", "50.5%", "5.5\u2030",
    "5.55\u2030", "1000\u2030", "1001\u2030", "1.5\u2031", "10000\u2031", "-50%", "50%%",
    "INFINITY", "infinity ", "1Gb", "1gB", "1G\t512M", "1M1K",
]

OOM_SCORE_ADJUST_VALUES = ["-1000", "1000", "-1001", "1001", "-500", "abc", "-1000 # x",
                           "+5", "0x10", "", " -900", "0", "1e2", "-0", "5.0", "010"]
OOM_POLICY_VALUES = ["stop", "kill", "continue", "Kill", "panic", "", "STOP"]
RESTART_VALUES = ["always", "on-failure", "On-Failure", "yes", "no", "on-success",
                  "on-abnormal", "on-abort", "on-watchdog", "", "always # x", "true"]
MANAGED_OOM_DIRECTIVES = ["ManagedOOMSwap", "ManagedOOMMemoryPressure"]
MANAGED_OOM_VALUES = ["auto", "kill", "Kill", "yes", "", "none"]
MANAGED_OOM_LIMIT_VALUES = ["50%", "0%", "100%", "101%", "50", "12.34%", "12.345%", "500\u2030"]

UNIT_HEADER = "[Unit]\nDescription=oomlint probe\n\n"


def service(body, extra_before="", extra_after=""):
    return f"{extra_before}{UNIT_HEADER}[Service]\nExecStart=/bin/true\n{body}{extra_after}"


class Case:
    def __init__(self, group, fields, text, directive_lines, suffix="service",
                 dump_key=None, expect=None, unit_name=None, isolated=False):
        self.group = group
        self.fields = fields          # dict written into the YAML before the verdict
        self.text = text
        # File line numbers carrying the probed assignment; systemd reports a
        # continued line under the number of its last physical line.
        lines = text.split("\n")
        extended = list(directive_lines)
        for ln in directive_lines:
            while ln <= len(lines) and lines[ln - 1].endswith("\\"):
                ln += 1
                extended.append(ln)
                # comment lines inside a continuation are skipped by systemd
                while ln <= len(lines) and lines[ln - 1].lstrip()[:1] in ("#", ";"):
                    ln += 1
                    extended.append(ln)
        self.directive_lines = extended
        self.suffix = suffix
        self.dump_key = dump_key      # field of the unit dump holding the effect
        self.expect = expect          # for placement: dump value meaning "applied"
        self.unit_name = unit_name
        self.isolated = isolated      # needs its own directory (e.g. -.slice)
        self.messages = []            # (line or None, text)
        self.dump = None
        self.extra_dump = {}          # YAML field -> dump field, recorded as well


def line_of(text, needle):
    whole = needle.endswith("\n")
    for i, line in enumerate(text.split("\n"), 1):
        if (line == needle[:-1]) if whole else (needle in line):
            return i
    raise ValueError(needle)


def build_cases():
    cases = []
    for d in MEMORY_DIRECTIVES:
        for v in MEMORY_VALUES:
            text = service(f"{d}={v}\n")
            cases.append(Case("memory_values", {"directive": d, "value": v}, text,
                              [line_of(text, f"{d}=")], dump_key=d))
    for v in OOM_SCORE_ADJUST_VALUES:
        text = service(f"OOMScoreAdjust={v}\n")
        cases.append(Case("oom_score_adjust", {"value": v}, text,
                          [line_of(text, "OOMScoreAdjust=")], dump_key="OOMScoreAdjust"))
    for v in OOM_POLICY_VALUES:
        text = service(f"OOMPolicy={v}\n")
        cases.append(Case("oom_policy", {"value": v}, text,
                          [line_of(text, "OOMPolicy=")], dump_key="OOMPolicy"))
    for v in RESTART_VALUES:
        text = service(f"Restart={v}\n")
        cases.append(Case("restart", {"value": v}, text,
                          [line_of(text, "Restart=")], dump_key="Restart"))
    for d in MANAGED_OOM_DIRECTIVES:
        for v in MANAGED_OOM_VALUES:
            text = service(f"{d}={v}\n")
            cases.append(Case("managed_oom", {"directive": d, "value": v}, text,
                              [line_of(text, f"{d}=")], dump_key=d))
    for v in MANAGED_OOM_LIMIT_VALUES:
        d = "ManagedOOMMemoryPressureLimit"
        text = service(f"ManagedOOMMemoryPressure=kill\n{d}={v}\n")
        cases.append(Case("managed_oom", {"directive": d, "value": v}, text,
                          [line_of(text, f"{d}=")], dump_key=d))

    # MemoryLimit= (deprecated cgroup-v1 setting)
    text = service("MemoryLimit=1G\n")
    cases.append(Case("memory_limit", {"case": "MemoryLimit=1G alone"}, text,
                      [line_of(text, "MemoryLimit=")], dump_key="MemoryLimit",
                      expect=str(2**30)))
    text = service("MemoryLimit=1G\nMemoryMax=2G\n")
    cases.append(Case("memory_limit", {"case": "MemoryLimit=1G with MemoryMax=2G"}, text,
                      [line_of(text, "MemoryLimit=")], dump_key="MemoryLimit",
                      expect=str(2**30)))
    for c in cases[-2:]:
        c.extra_dump = {"memory_max_bytes": "MemoryMax"}
    cases[-1].fields["note"] = ("parsed and stored, but on cgroup v2 MemoryLimit= is disregarded "
                                "when MemoryMax= etc. is set; not observable with verify")

    G1 = str(2**30)
    P = "placement"

    def placement(name, text, needle, dump_key=None, expect=None, suffix="service",
                  unit_name=None, isolated=False, lines=None):
        cases.append(Case(P, {"case": name}, text,
                          lines or [line_of(text, needle)], suffix=suffix,
                          dump_key=dump_key, expect=expect, unit_name=unit_name,
                          isolated=isolated))

    placement("StartLimitIntervalSec in [Service]", service("StartLimitIntervalSec=10\n"),
              "StartLimitIntervalSec=")
    placement("StartLimitInterval in [Service]", service("StartLimitInterval=10\n"),
              "StartLimitInterval=")
    placement("StartLimitBurst in [Service]", service("StartLimitBurst=3\n"),
              "StartLimitBurst=")
    placement("StartLimitIntervalSec in [Unit]",
              "[Unit]\nDescription=oomlint probe\nStartLimitIntervalSec=10\n\n"
              "[Service]\nExecStart=/bin/true\n", "StartLimitIntervalSec=")
    placement("MemoryMax in [Unit]",
              "[Unit]\nDescription=oomlint probe\nMemoryMax=1G\n\n[Service]\nExecStart=/bin/true\n",
              "MemoryMax=", "MemoryMax", G1)
    placement("MemoryMax in [Install]",
              service("", extra_after="\n[Install]\nMemoryMax=1G\n"),
              "MemoryMax=", "MemoryMax", G1)
    placement("memorymax (lowercase key) in [Service]", service("memorymax=1G\n"),
              "memorymax=", "MemoryMax", G1)
    placement("MemroyMax (typo) in [Service]", service("MemroyMax=1G\n"),
              "MemroyMax=", "MemoryMax", G1)
    placement("MemoryMax in extra [service] section (lowercase header)",
              service("", extra_after="\n[service]\nMemoryMax=1G\n"),
              "MemoryMax=", "MemoryMax", G1)
    placement("whole unit under [service] (lowercase header)",
              UNIT_HEADER + "[service]\nExecStart=/bin/true\nMemoryMax=1G\n",
              "MemoryMax=", "MemoryMax", G1)
    placement("X-Foo=1 in [Service]", service("X-Foo=1\n"), "X-Foo=")
    placement("line 'MemoryMax 1G' without '='", service("MemoryMax 1G\n"),
              "MemoryMax 1G", "MemoryMax", G1)
    placement("MemoryMax=1G before any section header",
              service("", extra_before="MemoryMax=1G\n"), "MemoryMax=", "MemoryMax", G1)
    placement("backslash continuation 'MemoryMax=1\\' + 'G'", service("MemoryMax=1\\\nG\n"),
              "MemoryMax=", "MemoryMax", G1)
    placement("backslash continuation 'MemoryMax=1\\' + '5G' (space or concatenation?)",
              service("MemoryMax=1\\\n5G\n"), "MemoryMax=", "MemoryMax")
    placement("comment line inside continuation 'MemoryMax=1\\' '# c' 'G'",
              service("MemoryMax=1\\\n# comment\nG\n"), "MemoryMax=", "MemoryMax", G1)
    placement("comment line inside continuation 'MemoryMax=1\\' '; c' 'G'",
              service("MemoryMax=1\\\n; comment\nG\n"), "MemoryMax=", "MemoryMax", G1)
    placement("MemoryMax = 1G (spaces around '=')", service("MemoryMax = 1G\n"),
              "MemoryMax =", "MemoryMax", G1)
    placement("MemoryMax set twice (1G then 2G): last wins",
              service("MemoryMax=1G\nMemoryMax=2G\n"), "MemoryMax=2G", "MemoryMax", str(2 * 2**30))
    placement("MemoryMax=1G then invalid MemoryMax=2GB: earlier value kept",
              service("MemoryMax=1G\nMemoryMax=2GB\n"), "MemoryMax=2GB", "MemoryMax", G1)
    placement("MemoryMax=1G then empty MemoryMax=: reset",
              service("MemoryMax=1G\nMemoryMax=\n"), "MemoryMax=\n", "MemoryMax", str(UINT64_MAX))
    placement("MemoryMax=1G in -.slice ([Slice])",
              "[Unit]\nDescription=oomlint probe root slice\n\n[Slice]\nMemoryMax=1G\n",
              "MemoryMax=", "MemoryMax", G1, suffix="slice", unit_name="-.slice",
              isolated=True)
    cases[-1].fields["note"] = ("parsed without any warning; never applied at runtime (the root "
                                "cgroup has no memory.max); not observable with verify")
    placement("MemoryMax=1G in foo.slice ([Slice])",
              "[Unit]\nDescription=oomlint probe slice\n\n[Slice]\nMemoryMax=1G\n",
              "MemoryMax=", "MemoryMax", G1, suffix="slice")
    return cases


def run(cmd, env=None, timeout=120):
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run(cmd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace")


LOG_ENV = {"SYSTEMD_LOG_TARGET": "console", "SYSTEMD_LOG_LEVEL": "info",
           "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}


def attach_messages(case, path, output):
    """Keep log lines about this probe file/unit, stripped of the prefix."""
    pfx_path = path + ":"
    pfx_unit = case.unit_name + ": "
    out = []
    for raw in output.splitlines():
        if raw.startswith(pfx_path):
            rest = raw[len(pfx_path):]
            m = re.match(r"(\d+): (.*)$", rest)
            if m:
                out.append((int(m.group(1)), m.group(2).strip()))
            else:
                out.append((None, rest.lstrip(": ").strip()))
        elif raw.startswith(pfx_unit):
            out.append((None, raw[len(pfx_unit):].strip()))
    return out


def as_nobody_cmd(cmd):
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd


def parse_dump(output):
    """Map unit name -> {field: value} from a `systemd --test` dump."""
    units = {}
    cur = None
    for line in output.splitlines():
        m = re.match(r"^\t-> Unit (.+):$", line)
        if m:
            cur = units.setdefault(m.group(1), {})
            continue
        if line.startswith("\t-> "):
            cur = None
            continue
        if cur is not None:
            m = re.match(r"^\t\t([A-Za-z][A-Za-z ]*?): ?(.*)$", line)
            if m and m.group(1) not in cur:
                cur[m.group(1)] = m.group(2)
    return units


def systemd_test(unit_dir, default_unit, xdg=None):
    env = dict(LOG_ENV)
    env["SYSTEMD_UNIT_PATH"] = unit_dir + ":"
    if xdg:
        env["XDG_CONFIG_HOME"] = xdg
        env["HOME"] = xdg
    rc, out = run(as_nobody_cmd([SYSTEMD_BIN, "--test", "--system", f"--unit={default_unit}"]),
                  env=env)
    return rc, out


def prepare_dir(path):
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o755)


def write_unit(directory, name, text):
    p = os.path.join(directory, name)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(p, 0o644)
    return p


def probe_all(cases, tmp):
    main_dir = os.path.join(tmp, "units")
    prepare_dir(main_dir)
    batch = []
    for i, c in enumerate(cases):
        if c.unit_name is None:
            c.unit_name = f"oomlint-probe-{i:04d}.{c.suffix}"
        d = os.path.join(tmp, f"iso{i:04d}") if c.isolated else main_dir
        prepare_dir(d)
        c.path = write_unit(d, c.unit_name, c.text)
        c.dir = d
        if not c.isolated:
            batch.append(c.unit_name)

    # 1. verify, one unit per invocation
    for c in cases:
        rc, out = run(["systemd-analyze", "verify", "--man=no", c.path], env=LOG_ENV)
        c.verify_rc = rc
        c.messages = attach_messages(c, c.path, out)

    # 2. manager test-mode dump, for effective values
    try:
        wants = " ".join(batch)
        write_unit(main_dir, "oomlint-probe-all.target",
                   f"[Unit]\nDescription=all probes\nWants={wants}\n")
        rc, out = systemd_test(main_dir, "oomlint-probe-all.target")
        dumps = parse_dump(out)
        for c in cases:
            if c.isolated:
                rc2, out2 = systemd_test(c.dir, c.unit_name)
                c.dump = parse_dump(out2).get(c.unit_name)
            else:
                c.dump = dumps.get(c.unit_name)
    except (OSError, subprocess.SubprocessError) as e:
        print(f"warning: systemd --test dump unavailable: {e}", file=sys.stderr)


def probe_manager_conf(tmp):
    """[Manager] keys via user.conf in systemd --test (same table as system.conf)."""
    xdg = os.path.join(tmp, "xdg")
    prepare_dir(xdg)
    prepare_dir(os.path.join(xdg, "systemd"))
    keys = [("DefaultMemoryMax", "1G"), ("DefaultMemoryHigh", "1G"),
            ("DefaultMemoryAccounting", "yes"), ("DefaultOOMPolicy", "kill"),
            ("DefaultOOMPolicy", "Kill"), ("DefaultOOMScoreAdjust", "100"),
            ("DefaultStartLimitIntervalSec", "10s"), ("DefaultStartLimitBurst", "5")]
    text = "[Manager]\n" + "".join(f"{k}={v}\n" for k, v in keys)
    conf = write_unit(os.path.join(xdg, "systemd"), "user.conf", text)
    unit_dir = os.path.join(tmp, "mgr")
    prepare_dir(unit_dir)
    write_unit(unit_dir, "oomlint-mgr.service", service(""))
    rc, out = systemd_test(unit_dir, "oomlint-mgr.service", xdg=xdg)
    results = []
    for i, (k, v) in enumerate(keys, 2):
        msgs = []
        for raw in out.splitlines():
            if raw.startswith(f"{conf}:{i}: "):
                msgs.append(raw[len(f"{conf}:{i}: "):].strip())
        results.append({
            "case": f"{k}={v} in system.conf [Manager]",
            "accepted": not any(re.search(r"ignor|unknown|invalid|fail", m, re.I) for m in msgs),
            "message": " | ".join(msgs),
            "method": "systemd --test as nobody reading $XDG_CONFIG_HOME/systemd/user.conf "
                      "(same [Manager] table as system.conf in systemd 252)",
        })
    return results


REJECT_RE = re.compile(r"ignor|refus|invalid|failed|unknown|missing|out of range", re.I)


def verdict(c):
    line_msgs = [m for (ln, m) in c.messages if ln in c.directive_lines]
    other_msgs = [m for (ln, m) in c.messages if ln not in c.directive_lines]
    loaded = c.dump.get("Unit Load State") if c.dump else None
    message = " | ".join(line_msgs + [m for m in other_msgs if REJECT_RE.search(m)])
    if c.expect is not None and c.dump is not None:
        accepted = c.dump.get(c.dump_key) == c.expect and loaded == "loaded"
    else:
        accepted = not any(REJECT_RE.search(m) for m in line_msgs)
        if loaded is not None and loaded != "loaded":
            accepted = False
        if c.group == "placement" and c.dump_key is None and c.fields["case"].startswith("X-"):
            accepted = False  # X- keys are ignored by design
    entry = dict(c.fields)
    entry["accepted"] = bool(accepted)
    entry["message"] = message
    if c.dump is not None:
        if loaded != "loaded":
            entry["load_state"] = loaded
        if c.dump_key and c.dump_key in c.dump:
            val = c.dump[c.dump_key]
            if c.group in ("memory_values", "memory_limit") or \
                    (c.group == "placement" and c.dump_key.startswith("Memory")):
                entry["bytes"] = int(val) if val.isdigit() else val
            elif c.group == "oom_score_adjust" and (not accepted or not c.fields["value"].strip()):
                # Unset: the dump shows the test-mode manager's default (+100 for an
                # unprivileged `systemd --test`), not something the unit configured.
                entry["applied"] = None
            else:
                entry["applied"] = int(val) if re.fullmatch(r"-?\d+", val) else val
        elif c.group == "oom_score_adjust":
            entry["applied"] = None
        for field, key in c.extra_dump.items():
            if key in c.dump:
                val = c.dump[key]
                entry[field] = int(val) if val.isdigit() else val
    return entry


def memory_anomalies(entries):
    """Sanity check: accepted non-default values must change the dumped bytes."""
    bad = []
    for e in entries:
        if "bytes" not in e or not e["accepted"]:
            continue
        v = e["value"].strip()
        if v in ("", "infinity"):
            continue
        if e["bytes"] == MEMORY_DEFAULT[e["directive"]] and e["bytes"] != 0:
            bad.append(e)
    return bad


def host_memory():
    try:
        return {"phys_pages": os.sysconf("SC_PHYS_PAGES"), "page_size": os.sysconf("SC_PAGE_SIZE")}
    except (ValueError, OSError):
        return {}


def systemd_version():
    rc, out = run(["systemctl", "--version"])
    if rc != 0:
        rc, out = run([SYSTEMD_BIN, "--version"])
    return out.splitlines()[0].strip() if out else "unknown"


class FlowItems(list):
    pass


def dump_yaml(data, header):
    class Dumper(yaml.SafeDumper):
        pass

    def flow_dict(dumper, d):
        return dumper.represent_mapping("tag:yaml.org,2002:map", d.items(), flow_style=True)

    def block_list(dumper, lst):
        return dumper.represent_sequence("tag:yaml.org,2002:seq", lst, flow_style=False)

    class FlowDict(dict):
        pass

    Dumper.add_representer(FlowDict, flow_dict)
    Dumper.add_representer(FlowItems, block_list)
    out = {}
    for k, v in data.items():
        if isinstance(v, list):
            out[k] = FlowItems(FlowDict(x) for x in v)
        else:
            out[k] = v
    body = yaml.dump(out, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=10000,
                     default_flow_style=False)
    return header + body


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()

    if not shutil.which("systemd-analyze"):
        sys.exit("systemd-analyze not found")

    cases = build_cases()
    tmp = tempfile.mkdtemp(prefix="oomlint-sdverify-")
    os.chmod(tmp, 0o755)
    try:
        probe_all(cases, tmp)
        manager = probe_manager_conf(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    groups = {}
    for c in cases:
        groups.setdefault(c.group, []).append(verdict(c))
    groups["manager_conf"] = manager

    anomalies = memory_anomalies(groups.get("memory_values", []))
    for e in anomalies:
        print(f"warning: accepted but default bytes: {e}", file=sys.stderr)

    version = systemd_version()
    today = datetime.date.today().isoformat()
    hm = host_memory()
    header = (
        f"# Recorded with systemd-analyze verify, {version}, Debian 12, on {today}\n"
        "# Script: tests/data/record_systemd_verify.py\n"
        "# accepted: systemd applied the value (false = logged as invalid/unknown and ignored,\n"
        "#   or no effect). message: log text for the probe with the '<path>:<line>: ' prefix\n"
        "#   removed ('' = nothing logged). bytes/applied: effective value from the\n"
        "#   `systemd --test` unit dump (18446744073709551615 = infinity; OOMScoreAdjust\n"
        "#   applied: null = left unset, i.e. the process inherits the manager's value).\n"
        "# Percentages are resolved against this host's RAM at load time: bytes =\n"
        "#   floor(phys_pages * permyriad / 10000) * page_size with the host values below.\n"
        "# Memory value probes: unit '[Unit] Description=.. / [Service] ExecStart=/bin/true /\n"
        "#   <Directive>=<value>' (value written verbatim, including quotes/spaces).\n"
    )
    data = {"host": hm}
    order = ["memory_values", "oom_score_adjust", "oom_policy", "restart", "managed_oom",
             "memory_limit", "placement", "manager_conf"]
    for k in order:
        data[k] = groups.get(k, [])
    text = dump_yaml(data, header)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {args.out} ({sum(len(v) for v in groups.values())} cases)")


if __name__ == "__main__":
    main()
