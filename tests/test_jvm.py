"""JVM flags: where they are written, which one wins, and what HotSpot makes of them.

The sizing is compared with recordings of OpenJDK 17.0.15 (tests/data/jvm/expected.yaml and
direct_memory.yaml, made by tests/data/jvm/record.py) and, when a ``java`` is installed, with
a live run; the retired-flag table with OpenJDK 17.0.15 and Temurin 25.0.3
(removed_flags.yaml). The host trees of tests/data/jvm_hosts (Elasticsearch 8, OpenSearch 2,
Jenkins, jetty9, start scripts) run through the CLI.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from oomlint.base.findings import Problems
from oomlint.base.grammar.c import GIB, MIB, GrammarError
from oomlint.base.grammar.hotspot import jvm_parse_double, jvm_parse_size
from oomlint.base.provenance import Loc
from oomlint.model.build import build_host
from oomlint.model.hotspot import ergonomic_heap, max_heap_for_compressed_oops
from oomlint.model.jvm_launch import es_auto_heap_mib, jvm_from_argv, list_entries, load_jvm
from oomlint.parsers.hotspot_flags import FlagSource, Refusal, collect_flags, parse_option
from oomlint.parsers.java_args import java_vm_options, parse_argfile, split_env_options
from oomlint.parsers.jvm_options import parse_jvm_options
from oomlint.parsers.launchers import detect_launcher
from oomlint.parsers.shell_words import split_shell
from oomlint.parsers.systemd_exec import (
    JvmOption,
    expand_exec,
    parse_env_file,
    split_environment,
    split_words,
)
from oomlint.sources.tree import Tree

DATA = Path(__file__).parent / "data" / "jvm"
RECORDED = yaml.safe_load((DATA / "expected.yaml").read_text())
HOST = RECORDED["host"]
UINT64_MAX = 2**64 - 1
SIZES = {"m": MIB, "g": GIB, "t": 1024 * GIB}
FILE_ARG = re.compile(r"@\{file:([^}]*)\}")


# ======================================================================================
# Replaying a recorded command through the model
# ======================================================================================


def _tree_for(case: dict, root: Path) -> tuple[list[str], dict[str, str], Tree]:
    """The case's argv and environment, its @{file:...} argfiles written into a tree."""
    root.mkdir(parents=True, exist_ok=True)
    count = [0]

    def place(text: str) -> str:
        def repl(m: re.Match) -> str:
            count[0] += 1
            (root / f"args{count[0]}").write_text(m.group(1).replace(" ", "\n") + "\n")
            return f"@/args{count[0]}"
        return FILE_ARG.sub(repl, text)

    argv = ["java", *(place(a) for a in case["args"])]
    if case["max_ram"]:
        argv.append(f"-XX:MaxRAM={int(case['max_ram'][:-1]) * SIZES[case['max_ram'][-1]]}")
    argv += ["-XX:+PrintFlagsFinal", "-cp", "/probe", "Probe", *case.get("app_args", [])]
    env = {k: place(v) for k, v in case["env"].items()}
    return argv, env, Tree(root=root)


def _model(case: dict, root: Path, host: dict):
    argv, env, tree = _tree_for(case, root)
    return jvm_from_argv(tree, argv, env, Problems(), 17, host["physical_memory"], cpus=host["cpus"])


def _gc(flags: dict) -> str:
    for flag, gc in (("UseSerialGC", "Serial"), ("UseParallelGC", "Parallel"), ("UseG1GC", "G1"),
                     ("UseZGC", "Z"), ("UseShenandoahGC", "Shenandoah")):
        if flags.get(flag):
            return gc
    return "?"


def _compare(case: dict, config) -> None:
    """The model's sizing equals what the JVM printed for this case."""
    flags = case["flags"]
    assert config.refused == [], config.refused
    assert config.gc == _gc(flags)
    assert config.max_heap.bytes == flags["MaxHeapSize"], config.max_heap.how
    assert config.initial_heap.bytes == flags["InitialHeapSize"], config.initial_heap.how
    assert config.compressed_oops == flags["UseCompressedOops"]
    meta = flags["MaxMetaspaceSize"]
    assert config.metaspace.bytes == (None if meta == UINT64_MAX else meta)
    assert config.code_cache.bytes == flags["ReservedCodeCacheSize"], config.code_cache.how
    stack = flags["ThreadStackSize"] * 1024
    if stack:
        assert config.thread_stack.bytes == stack
    else:
        assert config.thread_stack.setting.value == 0 and config.thread_stack.bytes == MIB
    runtime = case.get("runtime", {})
    if flags["MaxDirectMemorySize"]:
        assert config.direct_memory.bytes == flags["MaxDirectMemorySize"]
    elif "MaxDirectMemorySize" in config.flags:
        assert config.direct_memory.bytes == 0 == runtime.get("max_direct_memory", 0)
    elif config.gc in ("G1", "Z", "Shenandoah"):
        assert config.direct_memory.bytes == runtime.get("max_direct_memory", flags["MaxHeapSize"])
    elif "max_direct_memory" in runtime:  # Serial/Parallel: less a survivor space
        assert config.direct_memory.bytes == runtime["max_direct_memory"]


def _normalize(message: str) -> str:
    lines = [line.rstrip() for line in message.splitlines()]
    return re.sub(r"@(<tmp>|)/args[0-9]+", "@ARGFILE", "\n".join(lines))


def _compare_refusal(case: dict, config) -> None:
    assert config.refused, "the model accepts what the JVM refused"
    assert _normalize(config.refused[0][2]) == _normalize(case["message"])


ACCEPTED = [c for c in RECORDED["cases"] if c["exit"] == 0]
REFUSED = [c for c in RECORDED["cases"] if c["exit"] != 0]


@pytest.mark.parametrize("case", ACCEPTED, ids=[c["id"] for c in ACCEPTED])
def test_recorded_sizing(case, tmp_path):
    _compare(case, _model(case, tmp_path / "root", HOST))


@pytest.mark.parametrize("case", REFUSED, ids=[f"{c['id']}:{' '.join(c['args'])}" for c in REFUSED])
def test_recorded_refusal(case, tmp_path):
    _compare_refusal(case, _model(case, tmp_path / "root", HOST))


@pytest.mark.parametrize("case", RECORDED["argfiles"], ids=[c["id"] for c in RECORDED["argfiles"]])
def test_recorded_argfile_tokens(case):
    assert [o.text for o in parse_argfile(case["text"], "f", Problems())] == case["tokens"]


def test_recorded_env_quotes():
    case = next(c for c in RECORDED["cases"] if c["id"] == "env-quotes")
    props = {}
    for value in case["env"].values():
        for word in split_env_options(value):
            key, _, v = word[2:].partition("=")
            if word.startswith("-Dprobe."):
                props[key] = v
    assert props == case["runtime"]["props"]


def test_recordings_cover_the_brief():
    ids = {c["id"] for c in RECORDED["cases"]}
    assert {"maxram-512m", "maxram-1g", "maxram-2g", "maxram-3g", "maxram-8g", "maxram-16g",
            "maxram-64g", "maxram-128g", "minpercent-10-small", "xss-256k", "threadstacksize-512",
            "codecache-64m", "tiered-off", "direct-unset", "precedence-java-options-vs-cmdline",
            "precedence-jto-vs-cmdline", "precedence-jdk-vs-cmdline"} <= ids
    assert len(REFUSED) >= 20 and RECORDED["probe"]


# -- live comparison --------------------------------------------------------------------------

LIVE = ["xmx-m-aligned-up", "maxram-512m", "maxram-3g", "maxram-128g", "maxram-1t-coops",
        "minpercent-10-small", "percent-75", "threadstacksize-1m", "tiered-off", "direct-0",
        "precedence-all-four", "precedence-jto-3g-jdk-1g", "cmdline-then-argfile", "serial-1g",
        "refuse-00", "refuse-15", "refuse-23", "refuse-55"]


@pytest.mark.skipif(shutil.which("java") is None, reason="no java installed")
def test_live_jvm_agrees(tmp_path):
    spec = importlib.util.spec_from_file_location("jvm_record", DATA / "record.py")
    record = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(record)
    java = shutil.which("java")
    version = record.host_facts(java)
    if "17." not in version["java_version"]:
        pytest.skip(f"the model is HotSpot 17's; found {version['java_version']}")
    cases = {c["id"]: c for c in RECORDED["cases"]}
    work = tmp_path / "work"
    work.mkdir()
    runner = record.Runner(java, str(work))
    for cid in LIVE:
        spec_case = {**cases[cid], "app_args": cases[cid].get("app_args", []), "note": ""}
        live = runner.run(spec_case)
        config = _model(live, tmp_path / cid, version)
        if live["exit"] == 0:
            _compare(live, config)
        else:
            _compare_refusal(live, config)


# ======================================================================================
# Size grammar (base/grammar/hotspot.py)
# ======================================================================================


@pytest.mark.parametrize("text,expected", [
    ("1g", GIB), ("1G", GIB), ("512m", 512 * MIB), ("512M", 512 * MIB), ("1048576k", GIB),
    ("1K", 1024), ("1t", 1024 * GIB), ("1073741824", GIB), ("0x40000000", GIB), ("0x10m", 16 * MIB),
    ("010m", 10 * MIB), ("0", 0),
])
def test_jvm_parse_size(text, expected):
    assert jvm_parse_size(text) == expected


@pytest.mark.parametrize("text", ["1.5g", "1gb", "1GB", "-1g", "+1g", "1e9", "16e", "2 g", " 2g", "",
                                  "0x", "g", "99999999999t", "18446744073709551616"])
def test_jvm_parse_size_refused(text):
    with pytest.raises(GrammarError, match="Invalid maximum heap size: -Xmx"):
        jvm_parse_size(text, f"-Xmx{text}")


def test_jvm_parse_double():
    assert [jvm_parse_double(t) for t in ("75", "75.0", "1.5e1", "075", "0x10")] == [75, 75, 15, 75, 16]
    for bad in ("75.", ".5", "1e1", "-1", " 50", "50%"):
        with pytest.raises(GrammarError):
            jvm_parse_double(bad)


def test_thread_stack_size_counts_kib():
    (flag,) = parse_option("-XX:ThreadStackSize=1m", Loc("f", 1), "t")
    assert flag.value == GIB  # 1m KiB: the classic 1 GiB-per-thread mistake
    (flag,) = parse_option("-Xss1m", Loc("f", 1), "t")
    assert flag.value == MIB


# ======================================================================================
# systemd: EnvironmentFile=
# ======================================================================================


def _env(text: str, shell: bool = False):
    problems = Problems()
    got = parse_env_file(text, "etc/default/app", problems, shell=shell)
    return [(a.key, a.value, a.loc.line) for a in got], problems


def test_env_file_basic_syntax():
    text = ("# comment\n"
            "; also a comment\n"
            "  JAVA_OPTS = -Xmx1g -Xms1g   \n"
            "\n"
            "PLAIN=a b # not a comment\n"
            "NOEQ\n"
            "EMPTY=\n")
    assert _env(text)[0] == [("JAVA_OPTS", "-Xmx1g -Xms1g", 3), ("PLAIN", "a b # not a comment", 5),
                             ("EMPTY", "", 7)]


def test_env_file_quotes_and_escapes():
    text = ("S='-Dx=$HOME \\n'\n"
            'D="a \\"b\\" \\$c \\\\ \\x"\n'
            'CAT="a"  "b"c  "d"\n'
            "U=x\\ y\n")
    # After a closing quote blanks are skipped and another quote opens; once unquoted text
    # starts (VALUE state) a quote is an ordinary character.
    assert _env(text)[0] == [("S", "-Dx=$HOME \\n", 1), ("D", 'a "b" $c \\ \\x', 2),
                             ("CAT", 'abc  "d"', 3), ("U", "x y", 4)]


def test_env_file_multiline_and_continuation():
    text = ('MULTI="-Xmx1g\n'
            '-Xms1g"\n'
            "CONT=-Xmx2g \\\n"
            "  -Xss512k\n"
            'DQCONT="a\\\n'
            'b"\n'
            "AFTER=1\n")
    assert _env(text)[0] == [("MULTI", "-Xmx1g\n-Xms1g", 1), ("CONT", "-Xmx2g   -Xss512k", 3),
                             ("DQCONT", "ab", 5), ("AFTER", "1", 7)]


def test_env_file_comment_continues_with_backslash():
    assert _env("# comment \\\nHIDDEN=1\nSEEN=2\n")[0] == [("SEEN", "2", 3)]


def test_env_file_has_no_export_keyword():
    got, problems = _env("export JAVA_OPTS=-Xmx1g\n")
    assert got == [("export JAVA_OPTS", "-Xmx1g", 1)]
    assert [(f.rule, str(f.loc)) for f in problems.items] == [("OOM005", "etc/default/app:1")]
    got, problems = _env("export JAVA_OPTS=-Xmx1g\n", shell=True)
    assert got == [("JAVA_OPTS", "-Xmx1g", 1)] and problems.items == []


def test_env_file_end_without_newline_and_crlf():
    assert _env("A=1\r\nB='x")[0] == [("A", "1", 1), ("B", "x", 2)]


def test_env_file_pragmas_are_collected():
    got = parse_env_file("# oomlint: disable=OOM501 -- sized by hand\nJAVA_OPTS=-Xmx1g\n", "f", Problems())
    assert [(p.rules, p.target_line) for p in got.pragmas] == [(("OOM501",), 2)]


# ======================================================================================
# systemd: Environment= and ExecStart=
# ======================================================================================


def test_split_environment():
    value = '"JAVA_OPTS=-Xmx1g -Xms1g" FOO=bar \'BAZ=a b\' not-an-assignment 1X=2 SP=a\\sb PCT=50%%'
    assert split_environment(value) == [("JAVA_OPTS", "-Xmx1g -Xms1g"), ("FOO", "bar"),
                                        ("BAZ", "a b"), ("SP", "a b"), ("PCT", "50%")]


def test_split_words_refuses_what_systemd_refuses():
    assert split_words('a "b c" d\\te') == ["a", "b c", "d\te"]
    assert split_words('a "unbalanced') is None
    assert split_words("bad\\qescape") is None
    assert split_words("x '' y") == ["x", "", "y"]


ENV = {"JAVA_OPTS": '-Xmx1g "-Dname=a b"', "HEAP": "2g", "EMPTY": ""}


@pytest.mark.parametrize("line,expected", [
    ("/usr/bin/java $JAVA_OPTS -jar a.jar", ["/usr/bin/java", "-Xmx1g", "-Dname=a b", "-jar", "a.jar"]),
    ("/usr/bin/java ${JAVA_OPTS} -jar a.jar", ["/usr/bin/java", '-Xmx1g "-Dname=a b"', "-jar", "a.jar"]),
    ("/usr/bin/java -Xmx${HEAP} X", ["/usr/bin/java", "-Xmx2g", "X"]),
    ("/usr/bin/java -Xmx$HEAP X", ["/usr/bin/java", "-Xmx$HEAP", "X"]),
    ("/usr/bin/java $UNSET ${UNSET} $EMPTY X", ["/usr/bin/java", "", "X"]),
    ("/usr/bin/java $$HEAP X", ["/usr/bin/java", "$HEAP", "X"]),
    ("-/usr/bin/java $JAVA_OPTS", ["/usr/bin/java", "-Xmx1g", "-Dname=a b"]),
    ("+!/usr/bin/java -Xmx${HEAP}", ["/usr/bin/java", "-Xmx2g"]),
    ("@/usr/bin/java myjava -Xmx1g", ["/usr/bin/java", "-Xmx1g"]),
    (":/usr/bin/java $JAVA_OPTS", ["/usr/bin/java", "$JAVA_OPTS"]),
    ("/usr/bin/java '-Dx=${HEAP} y'", ["/usr/bin/java", "-Dx=2g y"]),
])
def test_expand_exec(line, expected):
    assert expand_exec(line, ENV) == expected


def test_expand_exec_takes_words_too():
    assert expand_exec(["java", "$JAVA_OPTS"], ENV) == ["java", "-Xmx1g", "-Dname=a b"]
    assert expand_exec("", ENV) == [] and expand_exec('java "open', ENV) == []


# ======================================================================================
# jvm.options and argfiles
# ======================================================================================

JVM_OPTIONS = """## JVM configuration
-Xms1g
-Xmx1g
8-13:-XX:+UseConcMarkSweepGC
14-:-XX:+UseG1GC
17:-XX:MaxDirectMemorySize=512m
11:-Xss2m
 # indented comments are not comments
-Xss1m \n\
13-9:-Xss4m
garbage
"""


def test_jvm_options_version_ranges():
    problems = Problems()
    got = parse_jvm_options(JVM_OPTIONS, "etc/elasticsearch/jvm.options", problems, 17)
    assert [(o.text, o.loc.line) for o in got] == [
        ("-Xms1g", 2), ("-Xmx1g", 3), ("-XX:+UseG1GC", 5), ("-XX:MaxDirectMemorySize=512m", 6),
        ("-Xss1m ", 9)]
    assert [(o.text, o.loc.line) for o in got.invalid] == [
        (" # indented comments are not comments", 8), ("13-9:-Xss4m", 10), ("garbage", 11)]
    assert [(f.rule, f.loc.line) for f in problems.items] == [("OOM005", 8), ("OOM005", 10),
                                                              ("OOM005", 11)]


def test_jvm_options_other_jdks():
    texts = [o.text for o in parse_jvm_options(JVM_OPTIONS, "f", Problems(), 11)]
    assert texts == ["-Xms1g", "-Xmx1g", "-XX:+UseConcMarkSweepGC", "-Xss2m", "-Xss1m "]
    texts = [o.text for o in parse_jvm_options(JVM_OPTIONS, "f", Problems(), 21)]
    assert texts == ["-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-Xss1m "]


def test_jvm_options_trailing_space_is_refused_by_the_jvm():
    (option,) = parse_jvm_options("-Xmx1g \n", "f", Problems(), 17)
    assert parse_option(option.text, option.loc, "f") == Refusal(
        Loc("f", 1), "-Xmx1g ", "Invalid maximum heap size: -Xmx1g ")


def test_argfile_positions():
    got = parse_argfile("# heap\n-Xmx1g\n\"-Dname=a\\\n   b\" -Xss1m\n", "opt/app/jvm.args", Problems())
    assert [(o.text, o.loc.line) for o in got] == [("-Xmx1g", 2), ("-Dname=ab", 3), ("-Xss1m", 4)]


# ======================================================================================
# Options, precedence
# ======================================================================================


def test_parse_option_kinds():
    loc = Loc("f", 1)
    assert [(f.name, f.value) for f in parse_option("-Xms512m", loc, "s")] == [
        ("MinHeapSize", 512 * MIB), ("InitialHeapSize", 512 * MIB)]
    assert [(f.name, f.value) for f in parse_option("-XX:-TieredCompilation", loc, "s")] == [
        ("TieredCompilation", False)]
    assert [(f.name, f.value) for f in parse_option("-XX:MaxRAMPercentage=75", loc, "s")] == [
        ("MaxRAMPercentage", 75.0)]
    assert parse_option("-Dfoo=bar", loc, "s") == [] and parse_option("-XX:+UseNUMA", loc, "s") == []
    assert parse_option("-Xmx2g", loc, "s")[0].source == "s"


def test_java_vm_options_stop_at_the_main_class():
    args = [JvmOption(t, Loc("f", 1)) for t in
            ["-Xmx1g", "-cp", "a.jar", "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Xss2m",
             "-jar", "app.jar", "-Xmx9g"]]
    assert [o.text for o in java_vm_options(args)] == ["-Xmx1g", "-Xss2m"]
    args = [JvmOption(t, Loc("f", 1)) for t in ["-Xmx1g", "com.example.Main", "-Xmx9g"]]
    assert [o.text for o in java_vm_options(args)] == ["-Xmx1g"]


def _opts(path: str, *words: str) -> list[JvmOption]:
    return [JvmOption(w, Loc(path, i + 1)) for i, w in enumerate(words)]


def test_collect_flags_last_wins_with_overrides():
    flags = collect_flags([
        FlagSource("JAVA_TOOL_OPTIONS", _opts("jto", "-Xmx1g")),
        FlagSource("JDK_JAVA_OPTIONS", _opts("jdk", "-Xmx3g")),
        FlagSource("command line", _opts("cmd", "-XX:MaxHeapSize=2g", "-Xss1m", "-Xmx1.5g")),
        FlagSource("_JAVA_OPTIONS", _opts("jo", "-XX:ThreadStackSize=512")),
    ])
    heap = flags.settings["MaxHeapSize"]
    assert (heap.raw, heap.loc) == ("-XX:MaxHeapSize=2g", Loc("cmd", 1))
    assert [(s.raw, s.loc) for s in heap.overrides] == [("-Xmx1g", Loc("jto", 1)), ("-Xmx3g", Loc("jdk", 1))]
    assert flags.source_of["MaxHeapSize"] == "command line"
    stack = flags.settings["ThreadStackSize"]
    assert (stack.raw, stack.value, [s.raw for s in stack.overrides]) == (
        "-XX:ThreadStackSize=512", 512 * 1024, ["-Xss1m"])
    assert flags.refused == [Refusal(Loc("cmd", 3), "-Xmx1.5g", "Invalid maximum heap size: -Xmx1.5g")]


def test_precedence_matches_the_recorded_jvm():
    """JAVA_TOOL_OPTIONS < JDK_JAVA_OPTIONS < command line < _JAVA_OPTIONS (recorded)."""
    cases = {c["id"]: c for c in RECORDED["cases"]}
    assert cases["precedence-jto-3g-jdk-1g"]["flags"]["MaxHeapSize"] == GIB
    assert cases["precedence-jto-1g-jdk-3g"]["flags"]["MaxHeapSize"] == 3 * GIB
    assert cases["precedence-jto-vs-cmdline"]["flags"]["MaxHeapSize"] == 2 * GIB
    assert cases["precedence-jdk-vs-cmdline"]["flags"]["MaxHeapSize"] == 2 * GIB
    assert cases["precedence-java-options-vs-cmdline"]["flags"]["MaxHeapSize"] == GIB
    assert cases["precedence-all-four"]["flags"]["MaxHeapSize"] == GIB


# ======================================================================================
# Heap ergonomics, directly
# ======================================================================================


def _flags(*words: str):
    return collect_flags([FlagSource("cmd", _opts("cmd", *words))])


def test_ergonomic_heap_rules():
    assert ergonomic_heap(8 * GIB, _flags()).max_heap.bytes == 2 * GIB
    assert ergonomic_heap(8 * GIB, _flags()).max_heap.how == (
        "MaxRAMPercentage 25% of 8 GiB (the memory the JVM sees)")
    small = ergonomic_heap(200 * MIB, _flags(), cpus=1)
    assert (small.gc, small.max_heap.bytes) == ("Serial", 100 * MIB)
    assert small.max_heap.how == ("MinRAMPercentage 50% of 200 MiB (the memory the JVM sees): small "
                                  "memory, below the 124.8 MiB MaxHeapSize default")
    plateau = ergonomic_heap(300 * MIB, _flags())
    assert plateau.max_heap.bytes == 126 * MIB and "raised to the 124.8 MiB" in plateau.max_heap.how
    big = ergonomic_heap(256 * GIB, _flags())  # capped at MaxRAM 128 GiB, then the coops limit
    assert (big.max_heap.bytes, big.compressed_oops) == (30 * GIB - 32 * MIB, True)
    assert "compressed-oops limit" in big.max_heap.how
    pct = ergonomic_heap(256 * GIB, _flags("-XX:MaxRAMPercentage=25"))  # override: coops off
    assert (pct.max_heap.bytes, pct.compressed_oops) == (64 * GIB, False)
    assert max_heap_for_compressed_oops("G1") == 32 * GIB - 32 * MIB
    unknown = ergonomic_heap(None, _flags())
    assert unknown.max_heap.bytes is None and unknown.max_heap.how.startswith("unknown")
    assert ergonomic_heap(None, _flags("-Xmx1g")).max_heap.bytes == GIB


def test_container_support_off_uses_host_ram():
    got = ergonomic_heap(2 * GIB, _flags("-XX:-UseContainerSupport"), host_ram=64 * GIB)
    assert got.max_heap.bytes == 16 * GIB and "UseContainerSupport" in got.max_heap.how


# ======================================================================================
# From a unit to its JVM (real pipeline: model/build.py, then load_jvm)
# ======================================================================================


def _load(tree_factory, files: dict[str, str], unit: str = "app.service", **kw):
    root = tree_factory(files)
    tree = Tree(root=root)
    host = build_host(tree, "host")
    problems = Problems()
    config = load_jvm(tree, host.units[unit].settings, None, problems, **kw)
    return config, problems


APP = "etc/systemd/system/app.service"


def test_unit_environment_and_exec_locations(tree):
    config, problems = _load(tree, {
        APP: "[Service]\n"
             'Environment="JAVA_OPTS=-Xms256m -Xmx1g" JAVA_TOOL_OPTIONS=-Xss512k\n'
             "EnvironmentFile=-/etc/default/app\n"
             "EnvironmentFile=-/etc/default/missing\n"
             "ExecStart=/usr/bin/java $JAVA_OPTS -XX:MaxMetaspaceSize=${META} @/opt/app/jvm.args "
             "-jar /opt/app/app.jar -Xmx9g\n",
        "etc/systemd/system/app.service.d/50-mem.conf": "[Service]\nEnvironment=META=256m\n",
        "etc/default/app": "# heap\nJAVA_OPTS='-Xmx1500m -Xms1500m'\n",
        "opt/app/jvm.args": "-XX:MaxDirectMemorySize=512m\n-Xmx2g\n",
    }, visible_ram=4 * GIB)
    assert problems.items == [] and config.refused == []
    heap = config.flags["MaxHeapSize"]
    assert (heap.raw, heap.loc) == ("-Xmx2g", Loc("opt/app/jvm.args", 2))
    assert [(s.raw, s.loc) for s in heap.overrides] == [("-Xmx1500m", Loc("etc/default/app", 2))]
    meta = config.flags["MaxMetaspaceSize"]
    assert (meta.raw, meta.loc) == ("-XX:MaxMetaspaceSize=256m",
                                    Loc("etc/systemd/system/app.service.d/50-mem.conf", 2))
    stack = config.flags["ThreadStackSize"]
    assert (stack.raw, stack.loc) == ("-Xss512k", Loc(APP, 2))
    assert config.settings() == {"max_heap_bytes": 2 * GIB, "max_metaspace_bytes": 256 * MIB,
                                 "reserved_code_cache_bytes": 240 * MIB, "thread_stack_bytes": 512 * 1024,
                                 "max_direct_memory_bytes": 512 * MIB}
    assert config.max_heap.loc == Loc("opt/app/jvm.args", 2)
    assert config.sources == ["etc/default/app", "JAVA_TOOL_OPTIONS", "opt/app/jvm.args"]
    assert config.loc == Loc(APP, 5)


def test_unit_ergonomic_heap_and_environment_precedence(tree):
    config, problems = _load(tree, {
        APP: "[Service]\n"
             "Environment=_JAVA_OPTIONS=-Xmx3g JDK_JAVA_OPTIONS=-Xmx2g\n"
             "Environment=_JAVA_OPTIONS=\n"
             "ExecStart=/usr/lib/jvm/java-17/bin/java -XX:MaxRAMPercentage=50 -cp /opt/app Main\n",
    }, visible_ram=2 * GIB)
    assert config.max_heap.bytes == 2 * GIB and config.flags["MaxHeapSize"].loc == Loc(APP, 2)
    config, _ = _load(tree, {
        APP: "[Service]\nExecStart=/usr/bin/java -XX:MaxRAMPercentage=50 -cp /opt/app Main\n"},
        visible_ram=2 * GIB)
    assert config.max_heap.bytes == GIB
    assert config.max_heap.setting is None
    assert config.max_heap.how == "MaxRAMPercentage 50% of 2 GiB (the memory the JVM sees)"


def test_braced_variable_is_one_argument_and_refused(tree):
    config, _ = _load(tree, {
        APP: "[Service]\nEnvironment=\"JAVA_OPTS=-Xmx1g -Xms1g\"\n"
             "ExecStart=/usr/bin/java ${JAVA_OPTS} -jar a.jar\n"})
    assert config.refused == [(Loc(APP, 2), "-Xmx1g -Xms1g", "Invalid maximum heap size: -Xmx1g -Xms1g")]


def test_missing_environment_file_and_argfile_are_refused(tree):
    config, problems = _load(tree, {
        APP: "[Service]\nEnvironmentFile=/etc/default/app\nExecStart=/usr/bin/java @/opt/none Main\n"})
    assert config.refused == [
        (Loc(APP, 2), "EnvironmentFile=/etc/default/app",
         "the file does not exist"),
        (Loc(APP, 3), "@/opt/none", "Error: could not open `/opt/none'")]
    assert problems.items == []


def test_not_a_jvm(tree):
    config, _ = _load(tree, {APP: "[Service]\nExecStart=/usr/bin/python3 -m http.server\n"})
    assert config is None


def test_shell_wrapper(tree):
    config, _ = _load(tree, {
        APP: "[Service]\nEnvironment=HEAP=768m\n"
             "ExecStart=/bin/sh -c 'exec java -Xmx$HEAP -jar /opt/app.jar'\n"})
    assert config.max_heap.bytes == 768 * MIB
    assert config.flags["MaxHeapSize"].loc == Loc(APP, 2)


# ======================================================================================
# Launcher conventions
# ======================================================================================


def test_detect_launcher():
    kafka = detect_launcher(["/opt/kafka/bin/kafka-server-start.sh", "/etc/kafka/server.properties"])
    assert kafka[1].kind == "kafka"
    tomcat = detect_launcher(["/bin/bash", "/opt/tomcat/bin/catalina.sh", "run"])
    assert tomcat[0] == "/opt/tomcat/bin/catalina.sh"
    es = detect_launcher(["/usr/share/elasticsearch/bin/systemd-entrypoint", "-p", "x"])
    assert es[1].kind == "elasticsearch"
    assert detect_launcher(["/usr/bin/python3"]) is None
    assert split_shell("a 'b c' \"d $X\" e\\ f", {"X": "1 2"}) == ["a", "b c", "d 1 2", "e f"]


def test_kafka_default_heap_and_override(tree):
    unit = "[Service]\nExecStart=/opt/kafka/bin/kafka-server-start.sh /opt/kafka/config/server.properties\n"
    config, _ = _load(tree, {APP: unit}, visible_ram=8 * GIB)
    assert (config.launcher, config.max_heap.bytes, config.initial_heap.bytes) == ("kafka", GIB, GIB)
    assert config.flags["MaxHeapSize"].loc == Loc(APP, 2) and config.gc == "G1"
    config, _ = _load(tree, {APP: unit.replace("[Service]\n", "[Service]\nEnvironmentFile=/etc/kafka/env\n"),
                             "etc/kafka/env": "KAFKA_HEAP_OPTS=\"-Xmx4g -Xms4g\"\nKAFKA_OPTS=-Xmx6g\n"})
    heap = config.flags["MaxHeapSize"]
    assert (heap.raw, heap.loc, [s.raw for s in heap.overrides]) == (
        "-Xmx6g", Loc("etc/kafka/env", 2), ["-Xmx4g"])


def test_tomcat_setenv_and_catalina_opts_win(tree):
    config, _ = _load(tree, {
        APP: "[Service]\nEnvironment=CATALINA_HOME=/opt/tomcat \"JAVA_OPTS=-Xmx1g -Dq='a b'\"\n"
             "ExecStart=/opt/tomcat/bin/catalina.sh run\n",
        "opt/tomcat/bin/setenv.sh": "#!/bin/sh\nCATALINA_OPTS=\"$CATALINA_OPTS -Xmx2g\"\n"
                                    "export JAVA_TOOL_OPTIONS=-Xss2m\nJDK_JAVA_OPTIONS=-Xmx8g\n",
    })
    heap = config.flags["MaxHeapSize"]
    assert (heap.raw, heap.loc, [(s.raw, s.loc) for s in heap.overrides]) == (
        "-Xmx2g", Loc("opt/tomcat/bin/setenv.sh", 2), [("-Xmx1g", Loc(APP, 2))])
    assert config.thread_stack.bytes == 2 * MIB  # exported: reaches the JVM
    assert config.sources[0] == "opt/tomcat/bin/setenv.sh"
    assert "JDK_JAVA_OPTIONS" not in config.sources  # not exported: the JVM never sees it


ES_UNIT = ("[Service]\nEnvironment=ES_PATH_CONF=/etc/elasticsearch\n"
           "EnvironmentFile=-/etc/default/elasticsearch\n"
           "ExecStart=/usr/share/elasticsearch/bin/systemd-entrypoint -p /run/es.pid --quiet\n")


def test_elasticsearch_jvm_options_and_es_java_opts(tree):
    config, problems = _load(tree, {
        APP: ES_UNIT,
        "etc/elasticsearch/jvm.options": "-XX:+UseG1GC\n8-13:-Xmx1g\n17-:-XX:MaxDirectMemorySize=1g\n",
        "etc/elasticsearch/jvm.options.d/heap.options": "-Xms4g\n-Xmx4g\n",
        "etc/elasticsearch/jvm.options.d/ignored.txt": "-Xmx9g\n",
        "etc/default/elasticsearch": "ES_JAVA_OPTS=\"-Xmx6g -Xms6g\"\n",
    }, visible_ram=16 * GIB)
    assert problems.items == []
    heap = config.flags["MaxHeapSize"]
    assert (heap.raw, heap.loc) == ("-Xmx6g", Loc("etc/default/elasticsearch", 1))
    assert [s.loc for s in heap.overrides] == [Loc("etc/elasticsearch/jvm.options.d/heap.options", 2)]
    assert config.direct_memory.bytes == GIB  # set: Elasticsearch adds nothing
    assert config.flags["ThreadStackSize"].raw == "-Xss1m" and config.flags["AlwaysPreTouch"].value
    assert config.sources == ["etc/default/elasticsearch", "etc/elasticsearch/jvm.options",
                              "etc/elasticsearch/jvm.options.d/heap.options"]


def test_elasticsearch_auto_heap_and_direct_memory(tree):
    config, _ = _load(tree, {APP: ES_UNIT, "etc/elasticsearch/jvm.options": "-XX:+UseG1GC\n"},
                      visible_ram=8 * GIB)
    assert config.max_heap.bytes == config.initial_heap.bytes == 4 * GIB
    assert config.flags["MaxHeapSize"].loc == Loc(APP, 4)
    assert config.direct_memory.bytes == 2 * GIB  # JvmErgonomics: heap / 2
    assert es_auto_heap_mib(512 * MIB) == 204 and es_auto_heap_mib(256 * MIB) == 128
    assert es_auto_heap_mib(128 * GIB) == 31 * 1024


def test_elasticsearch_bad_jvm_options_line(tree):
    config, problems = _load(tree, {APP: ES_UNIT, "etc/elasticsearch/jvm.options": "Xmx1g\n"},
                             visible_ram=8 * GIB)
    assert config.refused[0] == (Loc("etc/elasticsearch/jvm.options", 1), "",
                                 "improperly formatted JVM option (not jvm.options syntax)")
    assert [(f.rule, str(f.loc)) for f in problems.items] == [("OOM005", "etc/elasticsearch/jvm.options:1")]


def test_zookeeper_and_jetty(tree):
    config, _ = _load(tree, {APP: "[Service]\nExecStart=/opt/zk/bin/zkServer.sh start-foreground\n"})
    assert config.max_heap.bytes == 1000 * MIB
    config, _ = _load(tree, {APP: "[Service]\nEnvironment=ZK_SERVER_HEAP=2048 JVMFLAGS=-Xss256k\n"
                                  "ExecStart=/opt/zk/bin/zkServer.sh start-foreground\n"})
    assert (config.max_heap.bytes, config.thread_stack.bytes) == (2 * GIB, 256 * 1024)
    config, _ = _load(tree, {APP: "[Service]\nExecStart=/opt/jetty/bin/jetty.sh run\n",
                             "etc/default/jetty": "JAVA_OPTIONS=\"-Xmx3g -Dx='a b'\"\n"})
    assert config.max_heap.bytes == 3 * GIB
    assert config.flags["MaxHeapSize"].loc == Loc("etc/default/jetty", 1)


def test_list_entries_replays_resets(tree):
    root = tree({APP: "[Service]\nEnvironment=A=1\nEnvironment=\nEnvironment=B=2\nEnvironment=C=3\n"
                      "ExecStart=/usr/bin/java X\n"})
    host = build_host(Tree(root=root), "h")
    got = list_entries(host.units["app.service"].settings["Environment"])
    assert got == [("B=2", Loc(APP, 4)), ("C=3", Loc(APP, 5))]


def test_pragmas_of_files_read_are_kept(tree):
    config, _ = _load(tree, {
        APP: "[Service]\nEnvironmentFile=/etc/default/app\nExecStart=/usr/bin/java $JAVA_OPTS Main\n",
        "etc/default/app": "# oomlint: disable=OOM5 -- sized by hand\nJAVA_OPTS=-Xmx1g\n"})
    assert [(p.rules, p.loc, p.target_line) for p in config.pragmas] == [
        (("OOM5",), Loc("etc/default/app", 1), 2)]


# ======================================================================================
# Sizing is total: any flags and any RAM give a configuration (parser totality is
# tests/hostile/test_properties.py)
# ======================================================================================

TEXT = st.text(alphabet=st.sampled_from(list("-Xmsx:=+@#;'\"\\$ {}\t\n\rkmgMG0123456789.AaUuexjvoptJ_")),
               max_size=60)
OPTION = st.one_of(TEXT, st.sampled_from(["-Xmx", "-Xss", "-XX:MaxRAM=", "-XX:ThreadStackSize=",
                                          "-XX:MaxRAMPercentage=", "-XX:+UseG1GC", "-Xms", "-XX:"]).flatmap(
    lambda p: TEXT.map(lambda t: p + t)))




@settings(max_examples=300, deadline=None)
@given(st.lists(OPTION, max_size=6), st.sampled_from([None, 0, 100 * MIB, 3 * GIB, 300 * GIB]))
def test_sizing_is_total(options, ram):
    env = {"JAVA_TOOL_OPTIONS": " ".join(options)}
    config = jvm_from_argv(Tree(files={}), ["java", *options, "Main"], env, Problems(), 17, ram)
    assert config is not None
    config.settings()


# ======================================================================================
# Direct memory under Serial / Parallel: Runtime.maxMemory() (tests/data/jvm/direct_memory.yaml)
# ======================================================================================

DIRECT = yaml.safe_load((DATA / "direct_memory.yaml").read_text())


@pytest.mark.parametrize("case", DIRECT["cases"], ids=lambda c: c["id"])
def test_default_direct_memory_is_runtime_max_memory(case, tmp_path):
    cfg = _model(case, tmp_path / "t", DIRECT["host"])
    runtime = case["runtime"]
    assert cfg.max_heap.bytes == case["flags"]["MaxHeapSize"]
    assert cfg.direct_memory.bytes == runtime["max_direct_memory"]
    if "MaxDirectMemorySize" not in " ".join(case["args"]):
        # the default cap is Runtime.maxMemory(), what -XshowSettings:vm estimates
        assert runtime["max_direct_memory"] == runtime["max_memory"]


def test_serial_parallel_direct_memory_below_heap():
    below = [c for c in DIRECT["cases"] if c["id"].startswith(("serial-", "parallel-"))
             and "direct-" not in c["id"]]
    assert below and all(c["runtime"]["max_memory"] < c["flags"]["MaxHeapSize"] for c in below)
    shown = [c for c in DIRECT["cases"] if c.get("show_settings_max_heap")]
    for c in shown:  # "Max. Heap Size (Estimated): 494.94M" is Runtime.maxMemory()
        text = c["show_settings_max_heap"]
        value = float(text[:-1]) * {"M": MIB, "G": GIB}[text[-1]]
        assert abs(value - c["runtime"]["max_memory"]) < 0.01 * MIB * (1024 if text[-1] == "G" else 1)


# ======================================================================================
# Flags retired from the JDK (tests/data/jvm/removed_flags.yaml)
# ======================================================================================

REMOVED = yaml.safe_load((DATA / "removed_flags.yaml").read_text())


def _major(version: str) -> int:
    return int(version.split('"')[1].split(".")[0])


@pytest.mark.parametrize("jvm", REMOVED["jvms"], ids=lambda j: j["java"])
def test_retired_flag_table_matches_the_jvm(jvm):
    from oomlint.base.grammar.hotspot_removed import RETIRED, retired_status

    major = _major(jvm["java"])
    seen = {f["flag"] for f in jvm["flags"]}
    assert seen == set(RETIRED)
    for f in jvm["flags"]:
        expected = {"expired": "expired", "obsolete": "obsolete"}.get(f["status"])
        assert retired_status(f["flag"], major) == expected, f["flag"]
        parsed = parse_option(f["option"], Loc("x", 1), "command line", jdk_major=major)
        if f["status"] == "expired":
            assert isinstance(parsed, Refusal)
            assert parsed.reason == f["message"].splitlines()[0]


def test_retired_flag_versions():
    from oomlint.base.grammar.hotspot_removed import retired_status

    assert retired_status("UseConcMarkSweepGC", 13) is None
    assert retired_status("UseConcMarkSweepGC", 14) == "obsolete"
    assert retired_status("UseConcMarkSweepGC", 15) == "expired"
    assert retired_status("PrintGCDateStamps", 8) is None
    assert retired_status("UseBiasedLocking", 17) is None
    assert retired_status("UseBiasedLocking", 21) == "expired"
    assert retired_status("MaxRAMFraction", 21) is None
    assert retired_status("MaxRAMFraction", 25) == "expired"
    assert retired_status("UseG1GC", 25) is None


def test_obsolete_flag_is_ignored_and_expired_flag_refused():
    loc = Loc("x", 1)
    assert parse_option("-XX:+UseParallelOldGC", loc, "command line", jdk_major=15) == []
    refused = parse_option("-XX:+UseParallelOldGC", loc, "command line", jdk_major=17)
    assert isinstance(refused, Refusal)
    assert refused.reason == "Unrecognized VM option 'UseParallelOldGC'"
    # MaxRAMFraction still sizes the heap on 21; JDK 25 refuses it (recorded)
    assert parse_option("-XX:MaxRAMFraction=2", loc, "command line", jdk_major=21)[0].value == 2
    assert isinstance(parse_option("-XX:MaxRAMFraction=2", loc, "command line", jdk_major=25), Refusal)
    flags = collect_flags([FlagSource("command line", [
        JvmOption("-XX:+IgnoreUnrecognizedVMOptions", loc), JvmOption("-XX:+UseConcMarkSweepGC", loc)])])
    assert flags.refused == []


# ======================================================================================
# Start scripts read through the tree
# ======================================================================================


def test_parse_wrapper_steps():
    from oomlint.parsers.launchers import is_java_command, parse_wrapper

    text = ("#!/bin/sh\n[ -r /etc/default/app ] && . /etc/default/app\n"
            'JAVA_OPTS="$JAVA_OPTS -Xmx1g"\n  INDENTED=1\n'
            "main() {\n\teval exec \\\n\t\t\"${JAVA_CMD}\" \\\n\t\t${JAVA_OPTS} -jar x.jar\n}\n")
    steps = parse_wrapper(text, "bin/app")
    assert [(s.kind, s.loc.line) for s in steps] == [("source", 2), ("assign", 3), ("exec", 6)]
    assert steps[0].path == "/etc/default/app"
    assert steps[2].quoted == "eval" and steps[2].value.startswith('"${JAVA_CMD}"')
    assert is_java_command('"${JENKINS_JAVA_CMD}"') and is_java_command("$JAVA_HOME/bin/java")
    assert not is_java_command("/usr/bin/python3")


def test_jenkins_wrapper_eval_exec(tree):
    root = tree({
        "usr/lib/systemd/system/jenkins.service": (
            "[Service]\nExecStart=/usr/bin/jenkins\n"
            'Environment="JAVA_OPTS=-Djava.awt.headless=true -Xmx3g"\n'),
        "usr/bin/jenkins": ('#!/bin/sh\nmain() {\n\teval exec \\\n\t\t"${JENKINS_JAVA_CMD}" \\\n'
                            '\t\t${JAVA_OPTS} \\\n\t\t-jar "${JENKINS_WAR}"\n}\nmain\n'),
    })
    host = build_host(Tree(root=root), ".", ram=16 * GIB)
    [j] = host.jvms
    assert j.config.launcher == "jenkins"
    assert j.config.max_heap.bytes == 3 * GIB
    assert j.config.max_heap.loc == Loc("usr/lib/systemd/system/jenkins.service", 3)


def test_generic_wrapper_chain_and_redirections(tree):
    root = tree({
        "etc/systemd/system/a.service": "[Service]\nExecStart=/opt/a/bin/start -x\n",
        "opt/a/bin/start": "#!/bin/bash\nexec /opt/a/bin/run \"$@\" </dev/null 2>&1\n",
        "opt/a/bin/run": ('#!/bin/sh\nA_OPTS="-Xmx700m"\nexec "$JAVA_HOME/bin/java" $A_OPTS '
                          '-cp /opt/a/lib Main "$@" > /var/log/a.log\n'),
    })
    host = build_host(Tree(root=root), ".", ram=16 * GIB)
    [j] = host.jvms
    assert j.config.max_heap.bytes == 700 * MIB
    assert j.config.max_heap.loc == Loc("opt/a/bin/run", 2)
    assert host.jvm_unmodelled == []


def test_wrapper_loop_is_bounded(tree):
    root = tree({
        "etc/systemd/system/a.service": ('[Service]\nEnvironment="JAVA_OPTS=-Xmx1g"\n'
                                         "ExecStart=/opt/a/start\n"),
        "opt/a/start": "#!/bin/sh\nexec /opt/a/start \"$@\"\n",
    })
    host = build_host(Tree(root=root), ".", ram=16 * GIB)
    assert host.jvms == []
    [u] = host.jvm_unmodelled
    assert "a loop of start scripts" in u.reason and u.loc.line == 2


def test_many_exec_lines_are_bounded(tree):
    # every line execs the next script: at most 4 deep and 4 lines per script are tried
    files = {"etc/systemd/system/a.service": ('[Service]\nEnvironment="JAVA_OPTS=-Xmx1g"\n'
                                              "ExecStart=/s/0\n")}
    for i in range(8):
        files[f"s/{i}"] = "#!/bin/sh\n" + "".join(f"exec /s/{j}\n" for j in range(8) if j != i) * 50
    host = build_host(Tree(root=tree(files)), ".", ram=16 * GIB)
    assert host.jvms == [] and len(host.jvm_unmodelled) == 1


def test_daemon_binaries_are_not_read(tree):
    root = tree({"etc/systemd/system/d.service": "[Service]\nExecStart=/usr/sbin/daemon -f\n",
                 "usr/sbin/daemon": "\x7fELF" + "x" * 200_000})
    t = Tree(root=root)
    before = t.budget
    host = build_host(t, ".", ram=16 * GIB)
    assert host.jvms == [] and host.jvm_unmodelled == []
    assert before - t.budget < 10_000  # the unit file only, not the 200 kB binary


def test_bundled_jdk_unless_java_home(tree):
    unit = ("[Service]\nEnvironment=ES_PATH_CONF=/etc/elasticsearch\n{extra}"
            "ExecStart=/usr/share/elasticsearch/bin/systemd-entrypoint -p x --quiet\n")
    for extra, major in (("", 21), ("Environment=ES_JAVA_HOME=/usr/lib/jvm/java-17\n", 17)):
        root = tree({"usr/lib/systemd/system/elasticsearch.service": unit.format(extra=extra),
                     "etc/elasticsearch/jvm.options.d/h.options": "-Xmx2g\n"})
        [j] = build_host(Tree(root=root), ".", ram=16 * GIB).jvms
        assert j.config.jdk_major == major


# ======================================================================================
# The host trees of tests/data/jvm_hosts through the CLI
# ======================================================================================

HOSTS = Path(__file__).parent / "data" / "jvm_hosts"


def _cli(*args):
    from click.testing import CliRunner

    from oomlint.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _findings(host: str, select: str = "OOM1,OOM5"):
    r = _cli("check", HOSTS / host, "--ram", "16G", "--select", select, "--format", "json")
    data = json.loads(r.output)
    return r.exit_code, sorted((f["rule"], f["path"].split(f"jvm_hosts/{host}/", 1)[-1], f["line"])
                               for f in data["findings"])


def _budget(host: str) -> dict:
    r = _cli("budget", HOSTS / host, "--ram", "16G", "--format", "json")
    assert r.exit_code == 0
    return {s["name"]: s for s in json.loads(r.output)["hosts"][0]["services"]}


def test_cli_elasticsearch8_entrypoint_is_a_jvm():
    # before: "No findings." and an empty budget (the entrypoint was not known)
    s = _budget("elasticsearch8")["elasticsearch.service"]
    assert s["kind"] == "jvm"
    assert s["settings"]["max_heap_bytes"] == 8 * GIB
    assert s["settings"]["max_direct_memory_bytes"] == 4 * GIB  # JvmErgonomics: heap / 2
    assert round(s["worst_case_bytes"] / GIB, 2) == 13.19
    assert "JDK 21, G1 collector" in s["notes"]
    assert _findings("elasticsearch8") == (0, [])


def test_cli_opensearch2_direct_memory_is_half_the_heap():
    # before: OOM101 error "17.19 GiB, above the host's 16 GiB" and two OOM504 warnings
    s = _budget("opensearch2")["opensearch.service"]
    assert s["settings"]["max_direct_memory_bytes"] == 4 * GIB
    assert round(s["worst_case_bytes"] / GIB, 2) == 13.19
    assert _findings("opensearch2") == (0, [])


def test_cli_jenkins_wrapper():
    # before: "No findings."
    code, found = _findings("jenkins")
    assert code == 1
    assert found == [("OOM501", "etc/systemd/system/jenkins.service.d/override.conf", 2)]
    assert _budget("jenkins")["jenkins.service"]["settings"]["max_heap_bytes"] == 4 * GIB


def test_cli_jetty9_cms_flags_refused():
    # before: "No findings."
    code, found = _findings("jetty9")
    assert code == 1
    assert found == [("OOM507", "etc/jetty9/start.d/jvm.ini", n) for n in (14, 15, 16)]


def test_cli_wrapper_and_unmodelled_jvm():
    # before: "No findings."
    code, found = _findings("wrapper")
    assert code == 1
    assert found == [("OOM501", "etc/default/app-server", 2),
                     ("OOM508", "etc/systemd/system/legacy-batch.service", 5)]


def test_cli_serial_gc_direct_memory_below_heap():
    # before: "direct memory (default: Runtime.maxMemory(), the maximum heap (an upper bound
    # with this GC)) 1 GiB", worst case 2.69 GiB
    s = _budget("serial-gc")["metrics-agent.service"]
    recorded = {c["id"]: c for c in DIRECT["cases"]}["serial-xmx1g"]["runtime"]["max_direct_memory"]
    assert s["settings"]["max_direct_memory_bytes"] == recorded == 1037959168
    assert round(s["worst_case_bytes"] / GIB, 2) == 2.65


# ======================================================================================
# The same flag sets on Temurin 25.0.3 (tests/data/jvm/expected-jdk25.yaml, recorded with
# record.py --java .../temurin-25/bin/java): the bundled JDKs of Elasticsearch/OpenSearch
# are 21 and newer; no JDK 21 package installs here, so 25 brackets them with 17.
# ======================================================================================

RECORDED_25 = yaml.safe_load((DATA / "expected-jdk25.yaml").read_text())
# Known JDK 25 differences the HotSpot 17 model does not follow: "-XX:MaxRAMPercentage=75."
# is accepted (17 refuses a fraction without digits), and the default ReservedCodeCacheSize
# is 4 KiB larger (251662336).
KNOWN_25 = {"refuse-35"}


@pytest.mark.parametrize("case", [c for c in RECORDED_25["cases"] if c["id"] not in KNOWN_25],
                         ids=lambda c: c["id"])
def test_recorded_jdk25_heap_sizing(case, tmp_path):
    argv, env, tree = _tree_for(case, tmp_path / "root")
    host = RECORDED_25["host"]
    config = jvm_from_argv(tree, argv, env, Problems(), 25, host["physical_memory"],
                           cpus=host["cpus"])
    if case["exit"] != 0:
        assert config.refused, "the model accepts what JDK 25 refused"
        return
    flags, runtime = case["flags"], case.get("runtime", {})
    assert config.refused == []
    assert config.gc == _gc(flags)
    assert config.max_heap.bytes == flags["MaxHeapSize"]
    assert config.initial_heap.bytes == flags["InitialHeapSize"]
    assert config.compressed_oops == flags["UseCompressedOops"]
    if "max_direct_memory" in runtime:
        assert config.direct_memory.bytes == runtime["max_direct_memory"]
    assert 0 <= flags["ReservedCodeCacheSize"] - config.code_cache.bytes <= 4096


@pytest.mark.parametrize("argv", [
    ["/usr/bin/env", "JAVA_HOME=/opt/jdk", "java", "-Xmx1g", "Main"],
    ["/bin/bash", "-lc", "exec java -Xmx1g Main"],
    ["/bin/sh", "-ec", "exec /usr/bin/java -Xmx1g -jar app.jar"],
])
def test_env_and_shell_option_clusters(argv):
    found = detect_launcher(argv)
    assert found is not None and found[0] == "java" and "-Xmx1g" in found[2]
