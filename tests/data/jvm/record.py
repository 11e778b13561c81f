#!/usr/bin/env python3
"""Record what a real HotSpot JVM does with memory flags, for tests/test_jvm.py.

Produces tests/data/jvm/expected.yaml (next to this script). Not a test module: pytest
does not collect it (no test_ prefix, no test functions).

For every case the JVM is run as

    java <args> [-XX:MaxRAM=<bytes>] -XX:+PrintFlagsFinal <probe> [app args]

with the case's environment variables (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, _JAVA_OPTIONS)
and nothing else of the caller's JVM variables. `<probe>` is a tiny class compiled here
(javac) that prints ``Runtime.maxMemory()``, ``jdk.internal.misc.VM.maxDirectMemory()``,
its arguments and the ``probe.*`` system properties; without javac ``-version`` is used
and only the flags are recorded. From the output are kept: the exit code, the flags
MaxHeapSize, InitialHeapSize, MinHeapSize, MaxMetaspaceSize, ReservedCodeCacheSize,
ThreadStackSize, MaxDirectMemorySize, MaxRAM, G1HeapRegionSize, UseCompressedOops and the
Use*GC flags, the probe's values, and, for a refused start, the message (stdout and stderr
less the flag table and the generic "Error: Could not create the Java Virtual Machine." /
"A fatal exception" / "Error occurred during initialization of VM" / "Picked up ..."
lines).

Argfile cases write the case's text after a first line "Probe" into an @argfile, so the
launcher's tokens come back as the probe's arguments.

Two more suites write their own files:

- ``--suite direct`` (direct_memory.yaml): Serial and Parallel heaps of many shapes, where
  the default direct-memory cap ``VM.maxDirectMemory()`` is ``Runtime.maxMemory()``, less
  than MaxHeapSize; besides the probe, ``-XshowSettings:vm`` ("Max. Heap Size
  (Estimated)", which is Runtime.maxMemory()) and the young-generation flags are kept.
- ``--suite removed`` (removed_flags.yaml): every flag of oomlint's retired-flag table
  (src/oomlint/base/grammar/hotspot_removed.py) given to each ``--java`` (repeatable), and
  what the JVM makes of it: accepted, deprecated (works, warns), obsolete ("Ignoring
  option ...; support was removed in N") or expired ("Unrecognized VM option").

Usage: python3 tests/data/jvm/record.py [--java PATH ...] [--out PATH] [--suite flags|direct|removed]
Needs: a JDK (java, and javac for the runtime values), PyYAML.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import subprocess
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "expected.yaml")
G = 1024**3
M = 1024**2
FLAGS = ("MaxHeapSize", "InitialHeapSize", "MinHeapSize", "MaxMetaspaceSize", "ReservedCodeCacheSize",
         "ThreadStackSize", "MaxDirectMemorySize", "MaxRAM", "G1HeapRegionSize", "UseCompressedOops",
         "UseSerialGC", "UseParallelGC", "UseG1GC", "UseZGC", "UseShenandoahGC")
YOUNG_FLAGS = ("NewSize", "MaxNewSize", "NewRatio", "SurvivorRatio", "MinSurvivorRatio",
               "InitialSurvivorRatio", "UseAdaptiveSizePolicy")
SHOW_MAX_HEAP = re.compile(r"^\s*Max\. Heap Size \(Estimated\): (\S+)$")
NOISE = re.compile(r"^(Error: Could not create the Java Virtual Machine\.|Error: A fatal exception "
                   r"has occurred\. Program will exit\.|Error occurred during initialization of VM|"
                   r"(NOTE: )?Picked up \S+: .*|\[Global flags\]|OpenJDK 64-Bit Server VM warning: .*)$")
GLUED = " Error: Could not create the Java Virtual Machine."
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "\\": "\\"}
FLAG_LINE = re.compile(r"^\s*\S+\s+(\w+)\s+:?=\s+(\S*)\s+\{")
PROBE = """
import java.util.TreeMap;
public class Probe {
    public static void main(String[] a) {
        System.out.println("probe max_memory=" + Runtime.getRuntime().maxMemory());
        System.out.println("probe max_direct_memory=" + jdk.internal.misc.VM.maxDirectMemory());
        for (String s : a) System.out.println("probe arg=" + s.replace("\\\\", "\\\\\\\\")
            .replace("\\n", "\\\\n").replace("\\r", "\\\\r").replace("\\t", "\\\\t").replace("\\f", "\\\\f"));
        TreeMap<String, String> p = new TreeMap<>();
        for (String k : System.getProperties().stringPropertyNames())
            if (k.startsWith("probe.")) p.put(k, System.getProperty(k));
        for (var e : p.entrySet()) System.out.println("probe prop " + e.getKey() + "=" + e.getValue());
    }
}
"""
EXPORTS = ["--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"]


def case(cid, args=(), env=None, max_ram=None, app=(), note=""):
    return {"id": cid, "args": list(args), "env": dict(env or {}), "max_ram": max_ram,
            "app_args": list(app), "note": note}


# -- heap from explicit flags -----------------------------------------------------------
EXPLICIT = [
    case("xmx-k", ["-Xmx1048576k"]),
    case("xmx-m-aligned-up", ["-Xmx1001m"], note="G1: aligned up to 2 MiB"),
    case("xmx-g", ["-Xmx2g"]),
    case("xmx-upper-case", ["-Xmx2G"]),
    case("xmx-t", ["-Xmx1t"]),
    case("xmx-bytes", ["-Xmx1073741824"]),
    case("xmx-hex", ["-Xmx0x40000000"]),
    case("xmx-octal-looking", ["-Xmx010m"], note="decimal, not octal"),
    case("xmx-region-8m", ["-Xmx10001m"], note="G1 region 8 MiB: aligned to 8 MiB"),
    case("xmx-31g-coops", ["-Xmx31g"]),
    case("xmx-32767m-no-coops", ["-Xmx32767m"]),
    case("xmx-33g-region-32m", ["-Xmx33g"]),
    case("maxheapsize", ["-XX:MaxHeapSize=3g"]),
    case("xmx-then-maxheapsize", ["-Xmx1g", "-XX:MaxHeapSize=2g"], note="aliases: last wins"),
    case("maxheapsize-then-xmx", ["-XX:MaxHeapSize=2g", "-Xmx1g"]),
    case("xms-raises-max", ["-Xms2g"], max_ram="1g"),
    case("initialheapsize-raises-max", ["-XX:InitialHeapSize=2g"], max_ram="1g"),
    case("minheapsize-raises-max", ["-XX:MinHeapSize=300m"], max_ram="512m"),
    case("xms0-ergonomic", ["-Xms0"], max_ram="8g"),
    case("xmn-initial", ["-Xmn100m"], max_ram="128m"),
    case("app-args-after-main", ["-Xmx1g"], app=["-Xmx2g"], note="-Xmx2g goes to the application"),
]
# -- heap ergonomics ----------------------------------------------------------------------
ERGONOMIC = [case(f"maxram-{m}", [], max_ram=m) for m in (
    "128m", "200m", "249m", "250m", "256m", "300m", "512m", "1g", "1792m", "2g", "3g", "8g",
    "16g", "64g", "100g", "127g", "128g", "200g", "1t")] + [
    case("maxram-128g-coops", ["-XX:+UseCompressedOops"], max_ram="128g"),
    case("maxram-1t-coops", ["-XX:+UseCompressedOops"], max_ram="1t"),
    case("maxram-128g-coops-serial", ["-XX:+UseCompressedOops", "-XX:+UseSerialGC"], max_ram="128g"),
    case("maxram-200g-coops-parallel", ["-XX:+UseCompressedOops", "-XX:+UseParallelGC"], max_ram="200g"),
    case("maxram-64g-no-coops", ["-XX:-UseCompressedOops"], max_ram="64g"),
    case("percent-75", ["-XX:MaxRAMPercentage=75"], max_ram="8g"),
    case("percent-75.5", ["-XX:MaxRAMPercentage=75.5"], max_ram="8g"),
    case("percent-0", ["-XX:MaxRAMPercentage=0"], max_ram="8g"),
    case("percent-50-100g", ["-XX:MaxRAMPercentage=50"], max_ram="100g"),
    case("percent-75-physical", ["-XX:MaxRAMPercentage=75"], note="no MaxRAM: physical memory"),
    case("fraction-2", ["-XX:MaxRAMFraction=2"], max_ram="8g"),
    case("minpercent-10-small", ["-XX:MinRAMPercentage=10"], max_ram="200m"),
    case("initialpercent-10", ["-XX:InitialRAMPercentage=10"], max_ram="8g"),
    case("ergo-heap-size-limit", ["-XX:ErgoHeapSizeLimit=1g"], max_ram="8g"),
    case("physical-default", [], note="no MaxRAM: physical memory"),
]
# -- collectors -----------------------------------------------------------------------------
GCS = [
    case("serial-1g", ["-XX:+UseSerialGC"], max_ram="1g"),
    case("one-cpu-selects-serial", ["-XX:ActiveProcessorCount=1"], max_ram="1g"),
    case("serial-xmx-1001m", ["-XX:+UseSerialGC", "-Xmx1001m"]),
    case("parallel-xmx-1001m", ["-XX:+UseParallelGC", "-Xmx1001m"]),
    case("parallel-8g", ["-XX:+UseParallelGC"], max_ram="8g"),
    case("zgc-xmx-1001m", ["-XX:+UseZGC", "-Xmx1001m"]),
    case("shenandoah-xmx-1001m", ["-XX:+UseShenandoahGC", "-Xmx1001m"]),
    case("shenandoah-xmx-1000001k", ["-XX:+UseShenandoahGC", "-Xmx1000001k"]),
    case("shenandoah-xmx-100001m", ["-XX:+UseShenandoahGC", "-Xmx100001m"]),
    case("shenandoah-8g", ["-XX:+UseShenandoahGC"], max_ram="8g"),
    case("g1-region-3m", ["-XX:G1HeapRegionSize=3m", "-Xmx1001m"]),
]
# -- non-heap ---------------------------------------------------------------------------------
NON_HEAP = [
    case("xss-256k", ["-Xss256k"], max_ram="8g"),
    case("xss-136k", ["-Xss136k"], max_ram="8g"),
    case("xss-bytes-rounded", ["-Xss140000"], max_ram="8g", note="rounded up to whole KiB"),
    case("xss-0", ["-Xss0"], max_ram="8g"),
    case("xss-1g", ["-Xss1g"], max_ram="8g"),
    case("threadstacksize-512", ["-XX:ThreadStackSize=512"], max_ram="8g", note="KiB"),
    case("threadstacksize-1m", ["-XX:ThreadStackSize=1m"], max_ram="8g", note="1m KiB = 1 GiB"),
    case("xss-then-threadstacksize", ["-Xss200k", "-XX:ThreadStackSize=300"], max_ram="8g"),
    case("threadstacksize-then-xss", ["-XX:ThreadStackSize=300", "-Xss200k"], max_ram="8g"),
    case("codecache-64m", ["-XX:ReservedCodeCacheSize=64m"], max_ram="8g"),
    case("codecache-100001k", ["-XX:ReservedCodeCacheSize=100001k"], max_ram="8g"),
    case("codecache-2g", ["-XX:ReservedCodeCacheSize=2g"], max_ram="8g"),
    case("codecache-2496k", ["-XX:ReservedCodeCacheSize=2496k"], max_ram="8g"),
    case("maxjitcodesize", ["-Xmaxjitcodesize100m"], max_ram="8g"),
    case("tiered-off", ["-XX:-TieredCompilation"], max_ram="8g"),
    case("tiered-off-codecache-64m", ["-XX:-TieredCompilation", "-XX:ReservedCodeCacheSize=64m"],
         max_ram="8g"),
    case("tiered-stop-1", ["-XX:TieredStopAtLevel=1"], max_ram="8g"),
    case("tiered-stop-0", ["-XX:TieredStopAtLevel=0"], max_ram="8g"),
    case("xint", ["-Xint"], max_ram="8g"),
    case("xcomp", ["-Xcomp"], max_ram="8g"),
    case("direct-unset", ["-Xmx1g"]),
    case("direct-unset-serial", ["-XX:+UseSerialGC", "-Xmx1g"]),
    case("direct-1g", ["-XX:MaxDirectMemorySize=1g"], max_ram="8g"),
    case("direct-0", ["-Xmx1g", "-XX:MaxDirectMemorySize=0"], note="explicit 0: no direct memory"),
    case("metaspace-256m", ["-XX:MaxMetaspaceSize=256m"], max_ram="8g"),
    case("metaspace-max", ["-XX:MaxMetaspaceSize=18446744073709551615"], max_ram="8g"),
]
# -- where flags come from ---------------------------------------------------------------------
PRECEDENCE = [
    case("precedence-jto-vs-cmdline", ["-Xmx2g"], {"JAVA_TOOL_OPTIONS": "-Xmx1g"}),
    case("precedence-jdk-vs-cmdline", ["-Xmx2g"], {"JDK_JAVA_OPTIONS": "-Xmx1g"}),
    case("precedence-java-options-vs-cmdline", ["-Xmx2g"], {"_JAVA_OPTIONS": "-Xmx1g"}),
    case("precedence-jto-1g-jdk-3g", [], {"JAVA_TOOL_OPTIONS": "-Xmx1g", "JDK_JAVA_OPTIONS": "-Xmx3g"}),
    case("precedence-jto-3g-jdk-1g", [], {"JAVA_TOOL_OPTIONS": "-Xmx3g", "JDK_JAVA_OPTIONS": "-Xmx1g"}),
    case("precedence-all-four", ["-Xmx4g"], {"_JAVA_OPTIONS": "-Xmx1g", "JAVA_TOOL_OPTIONS": "-Xmx2g",
                                             "JDK_JAVA_OPTIONS": "-Xmx3g"}),
    case("precedence-jto-xms-cmdline-xmx", ["-Xmx1g"], {"JAVA_TOOL_OPTIONS": "-Xms512m"}),
    case("env-quotes", [], {"JAVA_TOOL_OPTIONS": "-Dprobe.jto='a b'\"c d\" -Dprobe.x=\\\\n",
                            "JDK_JAVA_OPTIONS": "-Dprobe.jdk='a b'\"c d\" '-Xmx1g'",
                            "_JAVA_OPTIONS": "  -Dprobe.j=\"x\ty\"  "}),
    case("argfile-then-cmdline", ["@{file:-Xmx5g}", "-Xmx1g"]),
    case("cmdline-then-argfile", ["-Xmx1g", "@{file:-Xmx5g}"]),
    case("jdk-java-options-argfile", [], {"JDK_JAVA_OPTIONS": "@{file:-Xmx5g}"}),
]
REFUSALS = [
    case(f"refuse-{i:02d}", args, env) for i, (args, env) in enumerate([
        (["-Xmx1.5g"], {}), (["-Xmx1gb"], {}), (["-Xmx-1g"], {}), (["-Xmx0"], {}), (["-Xmx1k"], {}),
        (["-Xmx1m"], {}), (["-Xmx1g -Xms1g"], {}), (["-Xmx+1g"], {}), (["-Xmx1e9"], {}),
        (["-Xmx16e"], {}), (["-Xmx0x"], {}), (["-Xmx"], {}), (["-Xmx1g "], {}), (["-Xms1.5g"], {}),
        (["-Xms1k"], {}), (["-Xmx100m", "-Xms200m"], {}), (["-Xmx100m", "-XX:MinHeapSize=200m"], {}),
        (["-Xms100m", "-XX:MinHeapSize=200m"], {}), (["-Xss1.5m"], {}), (["-Xss2g"], {}),
        (["-Xss135k"], {}), (["-Xss1000"], {}), (["-XX:ThreadStackSize=100"], {}),
        (["-XX:ThreadStackSize=2g"], {}), (["-XX:ThreadStackSize=-1"], {}),
        (["-XX:ThreadStackSize=1.5"], {}), (["-XX:MaxHeapSize=1.5g"], {}),
        (["-XX:MaxMetaspaceSize=1.5g"], {}), (["-XX:MaxDirectMemorySize=-1"], {}),
        (["-XX:MaxDirectMemorySize=9223372036854775808"], {}), (["-XX:ReservedCodeCacheSize=3g"], {}),
        (["-XX:ReservedCodeCacheSize=1m"], {}), (["-XX:ReservedCodeCacheSize=1.5m"], {}),
        (["-XX:-TieredCompilation", "-XX:ReservedCodeCacheSize=2m"], {}),
        (["-XX:MaxRAMPercentage=101"], {}), (["-XX:MaxRAMPercentage=75."], {}),
        (["-XX:MaxRAMPercentage=abc"], {}), (["-XX:MaxRAMPercentage=1k"], {}),
        (["-XX:MaxRAMPercentage=-1"], {}), (["-XX:MaxRAM=1.5g"], {}), (["-XX:MaxRAM=0"], {}),
        (["-XX:MaxRAM=3m"], {}), (["-XX:G1HeapRegionSize=64m"], {}),
        (["-XX:+UseSerialGC", "-XX:+UseG1GC"], {}), (["-XX:-UseG1GC"], {}),
        (["-XX:TieredCompilation"], {}), (["-XX:UseG1GC=true"], {}), (["-XX:+TieredCompilation=1"], {}),
        (["-XX:-MaxRAMPercentage"], {}), (["-XX:MaxHeapSize"], {}), (["-XX:maxheapsize=1g"], {}),
        (["-XX:MaxRamPercentage=75"], {}), (["-xmx1g"], {}), (["-XX:TieredStopAtLevel=5"], {}),
        (["-XX:MaxRAMFraction=0"], {}), (["-Xmx1g"], {"JAVA_TOOL_OPTIONS": "-Xms2g"}),
        (["-Xms2g"], {"JAVA_TOOL_OPTIONS": "-Xmx1g"}),
        ([], {"JAVA_TOOL_OPTIONS": "-Xmx1g '-Dx"}), ([], {"JDK_JAVA_OPTIONS": "-Xmx1g '-Dx"}),
        ([], {"_JAVA_OPTIONS": "\"-Xmx1g"}), ([], {"JDK_JAVA_OPTIONS": "-jar x.jar"}),
        ([], {"JDK_JAVA_OPTIONS": "-version"}), ([], {"JDK_JAVA_OPTIONS": "Main"}),
        ([], {"JAVA_TOOL_OPTIONS": "@{file:-Xmx5g}"}), (["@/nonexistent/args"], {}),
    ])
]
ARGFILES = [
    ("plain", "-Xmx1g -Xms1g\n-Dprobe.a=1\n"),
    ("quotes", "\"x y\" 'a\"b' pre\"in quote\"post '' \"\"\n"),
    ("escapes-in-quotes", "\"u\\tv\" 'w\\n' \"back\\\\slash\" \"q\\\"q\" \"\\x\"\n"),
    ("backslash-outside-quotes", "c:\\path\\file \\n\n"),
    ("comments", "# whole line\n-Da=1 # trailing\n  # indented\n-Db=2#glued\n"),
    ("comment-drops-token", "a#b c\nnext\n"),
    ("comment-keeps-quoted-part", "\"x y\"#z w\nq r\n"),
    ("continuation", "\"s\\\n   t\" \"u\\\n\\\n v\"\n"),
    ("open-quote-ends-at-newline", "\"open quote\nnext 'also open\n"),
    ("whitespace-kinds", "a\tb\fc\r\nd\n"),
    ("no-final-newline", "last"),
    ("at-sign-literal", "@nofile @@x\n"),
]


def parse_output(text: str, names=FLAGS) -> tuple[dict, dict, list[str]]:
    flags, probe, other = {}, {"args": [], "props": {}}, []
    for line in text.splitlines():
        m = FLAG_LINE.match(line)
        if m:
            if m.group(1) in names:
                v = m.group(2)
                flags[m.group(1)] = v == "true" if v in ("true", "false") else int(v)
            continue
        if line.startswith("probe "):
            body = line[6:]
            if body.startswith("arg="):
                probe["args"].append(re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], body[4:]))
            elif body.startswith("prop "):
                k, _, v = body[5:].partition("=")
                probe["props"][k] = v
            else:
                k, _, v = body.partition("=")
                probe[k] = int(v)
            continue
        line = line.rstrip("\r")
        line = line[: -len(GLUED)] if line.endswith(GLUED) else line
        if line.strip() and not NOISE.match(line.strip()):
            other.append(line.rstrip())
    return flags, probe, other


def size(text: str) -> int:
    return int(text[:-1]) * {"m": M, "g": G, "t": 1024 * G}[text[-1]]


class Runner:
    def __init__(self, java: str, work: str):
        self.java = java
        self.work = work
        self.probe = self._build_probe()
        self.nfile = 0

    def _build_probe(self) -> list[str] | None:
        javac = shutil.which("javac") or os.path.join(os.path.dirname(self.java), "javac")
        if not os.path.exists(javac):
            return None
        with open(os.path.join(self.work, "Probe.java"), "w") as f:
            f.write(PROBE)
        r = subprocess.run([javac, *EXPORTS, "-d", self.work, os.path.join(self.work, "Probe.java")],
                           capture_output=True, text=True)
        return [*EXPORTS, "-cp", self.work, "Probe"] if r.returncode == 0 else None

    def file(self, content: str) -> str:
        self.nfile += 1
        path = os.path.join(self.work, f"args{self.nfile}")
        with open(path, "w") as f:
            f.write(content)
        return path

    def subst(self, text: str, files: dict) -> str:
        def repl(m):
            path = self.file(m.group(1).replace(" ", "\n") + "\n")
            files[os.path.basename(path)] = m.group(1)
            return "@" + path
        return re.sub(r"@\{file:([^}]*)\}", repl, text)

    def env(self, extra: dict) -> dict:
        env = {k: v for k, v in os.environ.items()
               if k not in ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")}
        env.update(extra)
        return env

    def run(self, c: dict, names=FLAGS) -> dict:
        files: dict = {}
        args = [self.subst(a, files) for a in c["args"]]
        env = {k: self.subst(v, files) for k, v in c["env"].items()}
        cmd = [self.java, *args]
        if c["max_ram"]:
            cmd.append(f"-XX:MaxRAM={size(c['max_ram'])}")
        cmd.append("-XX:+PrintFlagsFinal")
        cmd += self.probe or ["-version"]
        cmd += c["app_args"]
        r = subprocess.run(cmd, capture_output=True, text=True, env=self.env(env), cwd=self.work)
        flags, probe, other = parse_output(r.stdout + "\n" + r.stderr, names)
        out = {"id": c["id"], "args": c["args"], "env": c["env"], "max_ram": c["max_ram"],
               "exit": r.returncode}
        if c["app_args"]:
            out["app_args"] = c["app_args"]
        if c["note"]:
            out["note"] = c["note"]
        if r.returncode == 0:
            out["flags"] = flags
            if self.probe:
                out["runtime"] = {k: probe[k] for k in ("max_memory", "max_direct_memory") if k in probe}
                if probe["args"]:
                    out["runtime"]["args"] = probe["args"]
                if probe["props"]:
                    out["runtime"]["props"] = probe["props"]
        else:
            out["message"] = "\n".join(other).replace(self.work, "<tmp>")
        return out

    def argfile(self, cid: str, text: str) -> dict:
        path = self.file("Probe\n" + text)
        r = subprocess.run([self.java, *EXPORTS, "-cp", self.work, "@" + path], capture_output=True,
                           text=True, env=self.env({}), cwd=self.work)
        _, probe, _ = parse_output(r.stdout)
        return {"id": cid, "text": text, "exit": r.returncode, "tokens": probe["args"]}


def host_facts(java: str) -> dict:
    v = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.splitlines()
    r = subprocess.run([java, "-XX:MaxRAMPercentage=25", "-XX:+PrintFlagsFinal", "-version"],
                       capture_output=True, text=True)
    flags, _, _ = parse_output(r.stdout)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"java_version": v[0] if v else "", "runtime": v[1] if len(v) > 1 else "",
            "physical_memory": flags.get("MaxRAM"), "cpus": cpus}


# -- direct memory under Serial and Parallel (suite "direct") -------------------------------
DIRECT = [
    case(f"{gc.lower()}-{tag}", [f"-XX:+Use{gc}GC", *args], max_ram=ram)
    for gc in ("Serial", "Parallel")
    for tag, args, ram in (
        ("xmx64m", ["-Xmx64m"], None), ("xmx256m", ["-Xmx256m"], None),
        ("xmx1g", ["-Xmx1g"], None), ("xmx1001m", ["-Xmx1001m"], None),
        ("xmx3g", ["-Xmx3g"], None), ("xmx8g", ["-Xmx8g"], None), ("xmx31g", ["-Xmx31g"], None),
        ("ram-2g", [], "2g"), ("ram-16g", [], "16g"), ("ram-200m", [], "200m"),
        ("newratio-1", ["-Xmx1g", "-XX:NewRatio=1"], None),
        ("newratio-4", ["-Xmx1g", "-XX:NewRatio=4"], None),
        ("survivorratio-4", ["-Xmx1g", "-XX:SurvivorRatio=4"], None),
        ("minsurvivorratio-5", ["-Xmx1g", "-XX:MinSurvivorRatio=5"], None),
        ("xmn100m", ["-Xmx1g", "-Xmn100m"], None),
        ("maxnewsize-600m", ["-Xmx1g", "-XX:MaxNewSize=600m"], None),
        ("newsize-400m", ["-Xmx1g", "-XX:NewSize=400m"], None),
        ("xms-xmx-2g", ["-Xms2g", "-Xmx2g"], None),
        ("no-adaptive", ["-Xmx1g", "-XX:-UseAdaptiveSizePolicy"], None),
        ("direct-512m", ["-Xmx1g", "-XX:MaxDirectMemorySize=512m"], None),
    )
] + [case("g1-xmx1g", ["-XX:+UseG1GC", "-Xmx1g"]), case("g1-ram-2g", ["-XX:+UseG1GC"], max_ram="2g")]


def run_direct(runner: "Runner", c: dict) -> dict:
    out = runner.run(c, names=FLAGS + YOUNG_FLAGS)
    cmd = [runner.java, *c["args"]]
    if c["max_ram"]:
        cmd.append(f"-XX:MaxRAM={size(c['max_ram'])}")
    r = subprocess.run([*cmd, "-XshowSettings:vm", "-version"], capture_output=True, text=True,
                       env=runner.env({}))
    for line in (r.stdout + r.stderr).splitlines():
        m = SHOW_MAX_HEAP.match(line)
        if m:
            out["show_settings_max_heap"] = m.group(1)
    return out


# -- retired flags (suite "removed") ---------------------------------------------------------
def retired_names() -> list[str]:
    import sys
    sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "src"))
    from oomlint.base.grammar.hotspot_removed import RETIRED
    return sorted(RETIRED)


def run_removed(java: str, name: str) -> dict:
    def attempt(option: str) -> tuple[int, str]:
        r = subprocess.run([java, option, "-version"], capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items() if "JAVA_OPTIONS" not in k
                                and k != "JAVA_TOOL_OPTIONS"})
        lines = [ln for ln in (r.stdout + r.stderr).splitlines()
                 if not re.match(r"^(openjdk version|OpenJDK Runtime Environment|OpenJDK 64-Bit Server VM "
                                 r"(\(build|Temurin)|Error: (Could not|A fatal)|java version)", ln)]
        return r.returncode, "\n".join(lines)
    option = f"-XX:{name}=1"  # a valued flag; a boolean one says "Missing +/- setting"
    code, text = attempt(option)
    if "Missing +/- setting" in text or "Improperly specified" in text:
        option = f"-XX:+{name}"
        code, text = attempt(option)
    if "Unrecognized VM option" in text:
        status = "expired"
    elif "Ignoring option" in text and "support was removed" in text:
        status = "obsolete"
    elif "deprecated" in text:
        status = "deprecated"
    else:
        status = "accepted" if code == 0 else "refused"
    return {"flag": name, "option": option, "exit": code, "status": status, "message": text}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--java", action="append", default=[])
    ap.add_argument("--out", default="")
    ap.add_argument("--suite", choices=("flags", "direct", "removed"), default="flags")
    opts = ap.parse_args()
    javas = opts.java or [shutil.which("java") or "java"]
    if opts.suite == "removed":
        doc = {"generated": datetime.date.today().isoformat(),
               "command": "python3 tests/data/jvm/record.py --suite removed --java ... --java ...",
               "jvms": [{"java": host_facts(j)["java_version"], "runtime": host_facts(j)["runtime"],
                         "flags": [run_removed(j, n) for n in retired_names()]} for j in javas]}
        out = opts.out or os.path.join(HERE, "removed_flags.yaml")
        with open(out, "w") as f:
            yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True, width=100)
        print(f"wrote {out}")
        return
    opts.java = javas[0]
    if opts.suite == "direct":
        with tempfile.TemporaryDirectory() as work:
            runner = Runner(opts.java, work)
            doc = {"generated": datetime.date.today().isoformat(),
                   "command": "python3 tests/data/jvm/record.py --suite direct",
                   "host": host_facts(opts.java), "probe": runner.probe is not None,
                   "cases": [run_direct(runner, c) for c in DIRECT]}
        out = opts.out or os.path.join(HERE, "direct_memory.yaml")
        with open(out, "w") as f:
            yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True, width=100)
        print(f"wrote {out}: {len(doc['cases'])} cases")
        return
    opts.out = opts.out or DEFAULT_OUT
    with tempfile.TemporaryDirectory() as work:
        runner = Runner(opts.java, work)
        doc = {
            "generated": datetime.date.today().isoformat(),
            "command": "python3 tests/data/jvm/record.py",
            "host": host_facts(opts.java),
            "probe": runner.probe is not None,
            "cases": [runner.run(c) for c in (*EXPLICIT, *ERGONOMIC, *GCS, *NON_HEAP, *PRECEDENCE,
                                              *REFUSALS)],
            "argfiles": [runner.argfile(cid, text) for cid, text in ARGFILES],
        }
    with open(opts.out, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True, width=100)
    print(f"wrote {opts.out}: {len(doc['cases'])} cases, {len(doc['argfiles'])} argfiles")


if __name__ == "__main__":
    main()
