"""Property tests: every parser with arbitrary text and with mutations of valid files (byte
flips, duplicated and deleted lines, truncation, NULs, long lines, odd Unicode, huge
numbers), and the whole command line over mutated trees. Each example counts towards the
number printed in the terminal summary ("hostile input: N generated cases ran")."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oomlint.base.findings import Problems
from oomlint.base.provenance import Loc
from oomlint.parsers.fstab import parse_fstab
from oomlint.parsers.hotspot_flags import FlagSource, collect_flags, parse_option
from oomlint.parsers.java_args import java_vm_options, main_class_index, parse_argfile, split_env_options
from oomlint.parsers.jvm_options import parse_jvm_options
from oomlint.parsers.launchers import detect_launcher
from oomlint.parsers.mycnf import parse_mycnf
from oomlint.parsers.php_ini import parse_php_ini
from oomlint.parsers.postgresql_conf import parse_pg_conf, tokenize
from oomlint.parsers.redis_conf import parse_redis_conf
from oomlint.parsers.shell_vars import parse_shell_vars
from oomlint.parsers.shell_words import expand_shell_vars, split_shell
from oomlint.parsers.sysctl import parse_sysctl
from oomlint.parsers.systemd_exec import (
    JvmOption,
    expand_exec,
    parse_env_file,
    split_environment,
    split_words,
)
from oomlint.parsers.systemd_unit import parse_unit
from oomlint.parsers.zram import ExprError, eval_zram_expr, parse_ini

from . import samples
from .helpers import IMMORTAL, ODD, UNIT_DIR, count, decode, describe, mutate, oomlint, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

# Text: any code point but lone surrogates (which decoded files never contain), weighted
# towards the characters the grammars care about.
SYNTAX = "[]=#;!@$%{}()'\"\\\n\r\t -:.,/+*^0123456789kKmMgGxX_"
TEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.text(alphabet=st.sampled_from(SYNTAX + "aAzZé\u00a0\u2028\x85\ufeff"), max_size=300),
    st.lists(st.sampled_from(ODD + ("\n", "=", "[Service]", "[mysqld]", "-Xmx1g")),
             max_size=20).map("".join),
)
OPS = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 10**6), st.integers(0, 10**6)),
               min_size=1, max_size=8)
SAMPLES = {
    "unit": samples.UNIT, "sysctl": samples.SYSCTL, "fstab": samples.FSTAB, "zram": samples.ZRAM,
    "dphys": samples.DPHYS, "mycnf": samples.MYCNF, "pg": samples.PGCONF, "env": samples.ENVFILE,
    "setenv": samples.SETENV, "argfile": samples.ARGFILE, "jvm.options": samples.JVM_OPTIONS,
    "php.ini": samples.PHP_INI, "redis.conf": samples.REDIS_CONF,
}


def mutated(kind: str):
    """Mutations of the valid sample of `kind`, decoded as oomlint decodes a file."""
    return OPS.map(lambda ops: decode(mutate(SAMPLES[kind].encode(), ops)))


def _lines(text: str) -> int:
    return text.count("\n") + text.count("\r") + 2


def _sane(problems: Problems, path: str, text: str) -> None:
    """What a parser reports stays in its lane: input rule ids, its own path, real lines."""
    for f in problems.items:
        assert re.fullmatch(r"OOM0\d\d", f.rule), f
        assert f.loc.path == path and 0 <= f.loc.line <= _lines(text), f


def _check_locs(records, path: str, text: str) -> None:
    for r in records:
        loc = getattr(r, "loc", None)
        if isinstance(loc, Loc):
            assert loc.path == path and 1 <= loc.line <= _lines(text), r


# -- systemd unit files, system.conf -------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(st.one_of(TEXT, mutated("unit")))
def test_unit_parser(text):
    count("parser: systemd unit")
    p = Problems()
    unit = parse_unit(text, "x.service", p, {"Unit", "Service", "Install"})
    _sane(p, "x.service", text)
    _check_locs(unit.assignments, "x.service", text)
    assert parse_unit(text, "x.service", Problems(), {"Unit", "Service", "Install"}) == unit


# -- sysctl, fstab, zram-generator, dphys-swapfile ----------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.one_of(TEXT, mutated("sysctl")))
def test_sysctl_parser(text):
    count("parser: sysctl.d")
    p = Problems()
    f = parse_sysctl(text, "x.conf", p)
    _sane(p, "x.conf", text)
    _check_locs(f.assignments, "x.conf", text)


@settings(max_examples=80, deadline=None)
@given(st.one_of(TEXT, mutated("fstab")))
def test_fstab_parser(text):
    count("parser: fstab")
    p = Problems()
    f = parse_fstab(text, "fstab", p)
    _sane(p, "fstab", text)
    _check_locs(f.swaps, "fstab", text)
    for s in f.swaps:
        s.priority, s.noauto  # noqa: B018 - the properties must not raise either


@settings(max_examples=80, deadline=None)
@given(st.one_of(TEXT, mutated("zram")))
def test_zram_ini_parser(text):
    count("parser: zram-generator.conf")
    p = Problems()
    f = parse_ini(text, "zram.conf", p)
    _sane(p, "zram.conf", text)
    _check_locs(f.values, "zram.conf", text)


EXPRESSIONS = st.one_of(
    TEXT,
    st.from_regex(r"[0-9a-z+\-*/%^(), .]{0,60}", fullmatch=True),
    st.lists(st.sampled_from(["ram", "min(", "max(", "log(", "floor(", "int(", "round(", "(",
                              ")", ",", "+", "-", "*", "/", "%", "^", "0", "1", "2.5", "1e308",
                              "4096", "0.5", "k", "M", "G", "e", "pi"]), max_size=40).map("".join),
    st.sampled_from(samples.ZRAM_EXPRESSIONS),
)


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS, st.one_of(st.none(), st.integers(0, 2**40)))
def test_zram_expressions_are_total(text, ram):
    """A size expression evaluates to a finite number or raises ExprError: never another
    exception, a complex number or infinity (each was a traceback before)."""
    count("parser: zram size expression")
    try:
        value = eval_zram_expr(text, ram)
    except ExprError:
        return
    assert isinstance(value, float) and value == value and abs(value) != float("inf")


@settings(max_examples=80, deadline=None)
@given(st.one_of(TEXT, mutated("dphys")))
def test_shell_vars_parser(text):
    count("parser: dphys-swapfile")
    p = Problems()
    f = parse_shell_vars(text, "dphys", p)
    _sane(p, "dphys", text)
    _check_locs(f.vars.values(), "dphys", text)


# -- databases ----------------------------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(st.one_of(TEXT, mutated("mycnf")))
def test_mycnf_parser(text):
    count("parser: my.cnf")
    p = Problems()
    f = parse_mycnf(text, "my.cnf", p)
    _sane(p, "my.cnf", text)
    _check_locs(f.items, "my.cnf", text)
    for o in f.options:
        o.written  # noqa: B018


@settings(max_examples=120, deadline=None)
@given(st.one_of(TEXT, mutated("pg")))
def test_postgresql_conf_parser(text):
    count("parser: postgresql.conf")
    p = Problems()
    f = parse_pg_conf(text, "pg.conf", p)
    _sane(p, "pg.conf", text)
    _check_locs(f.items, "pg.conf", text)
    for line in text.split("\n")[:20]:
        assert tokenize(line, limit=4) == tokenize(line)[:4]


# -- php-fpm, php.ini, redis.conf -----------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.one_of(TEXT, mutated("php.ini")))
def test_php_ini_parser(text):
    count("parser: php.ini / php-fpm.conf")
    p = Problems()
    f = parse_php_ini(text, "php.ini", p)
    _sane(p, "php.ini", text)
    _check_locs(f.entries, "php.ini", text)
    _check_locs(f.sections, "php.ini", text)
    assert parse_php_ini(text, "php.ini", Problems()) == f


@settings(max_examples=100, deadline=None)
@given(st.one_of(TEXT, mutated("redis.conf")))
def test_redis_conf_parser(text):
    count("parser: redis.conf")
    p = Problems()
    f = parse_redis_conf(text, "redis.conf", p)
    _sane(p, "redis.conf", text)
    _check_locs(f.lines, "redis.conf", text)
    for line in f.lines:
        line.written  # noqa: B018


# -- JVM ------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.one_of(TEXT, mutated("env"), mutated("setenv")), st.booleans())
def test_env_file_parser(text, shell):
    count("parser: EnvironmentFile / sourced shell file")
    p = Problems()
    out = parse_env_file(text, "env", p, shell=shell)
    _sane(p, "env", text)
    _check_locs(out, "env", text)


@settings(max_examples=80, deadline=None)
@given(st.one_of(TEXT, mutated("argfile")))
def test_argfile_parser(text):
    count("parser: java @argfile")
    p = Problems()
    out = parse_argfile(text, "args", p)
    _check_locs(out, "args", text)
    java_vm_options(out)


@settings(max_examples=100, deadline=None)
@given(st.one_of(TEXT, mutated("jvm.options")), st.integers(8, 25))
def test_jvm_options_parser(text, jdk):
    count("parser: jvm.options")
    p = Problems()
    out = parse_jvm_options(text, "jvm.options", p, jdk)
    _sane(p, "jvm.options", text)
    _check_locs(out, "jvm.options", text)


WORD = st.one_of(st.sampled_from(samples.JVM_OPTION_WORDS), TEXT,
                 st.from_regex(r"-(Xm[sxn]|Xss|XX:[A-Za-z]{0,20}[=+-]?)[0-9a-zA-Z.+-]{0,30}",
                               fullmatch=True),
                 st.builds(lambda p, n: p + n, st.sampled_from(["-Xmx", "-XX:MaxRAMPercentage=",
                                                                "-XX:ThreadStackSize="]),
                           st.sampled_from(["9" * 5000, "0x" + "f" * 300, "1e999", "-1", ""])))


@settings(max_examples=100, deadline=None)
@given(st.lists(WORD, max_size=8), st.dictionaries(
    st.from_regex(r"[A-Z_]{1,8}", fullmatch=True), TEXT, max_size=3))
def test_jvm_option_parsing(words, env):
    """Command lines and flags: the systemd/shell/java word splitters, launcher detection,
    and HotSpot's option grammar, with arbitrary words and environments."""
    count("parser: JVM options and command lines")
    line = " ".join(words)
    loc = Loc("x", 1)
    split_words(line)
    split_environment(line)
    split_env_options(line)
    split_shell(line, env)
    expand_shell_vars(line, env)
    argv = expand_exec("/usr/bin/java " + line, env)
    detect_launcher(argv, env)
    detect_launcher(["/bin/sh", "-c", "exec " + line], env)
    options = [JvmOption(w, loc) for w in words]
    main_class_index(words)
    java_vm_options(options)
    for w in words:
        parse_option(w, loc, "test")
    collect_flags([FlagSource("test", options)])


# -- the whole command line over mutated trees ----------------------------------------------

PATHS = sorted(samples.TREE)
NUMBERS = st.sampled_from(["9" * 5000, "9" * 30, "0x" + "f" * 40, "-" + "9" * 25, "1e999",
                           "0" * 4000 + "1", "18446744073709551616", "-1", "0", "nan", "inf"])


@st.composite
def mutated_tree(draw):
    files: dict[str, bytes] = {p: t.encode() for p, t in samples.TREE.items()}
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=6, unique=True)):
        how = draw(st.sampled_from(["mutate", "text", "numbers", "swap"]))
        if how == "mutate":
            files[path] = mutate(files[path], draw(OPS))
        elif how == "text":
            files[path] = draw(TEXT).encode("utf-8", "surrogatepass")
        elif how == "numbers":
            number = draw(NUMBERS)
            files[path] = re.sub(rb"\d+", number.encode(), files[path])
        else:  # another file's content in this place
            files[path] = files[draw(st.sampled_from(PATHS))]
    return files


@settings(max_examples=70, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=mutated_tree())
def test_whole_command_line_over_mutated_trees(tmp_path_factory, monkeypatch, files):
    count("command line: check + budget over a mutated host")
    root = tmp_path_factory.mktemp("m")
    monkeypatch.chdir(root)
    write_tree(root / "h", {**files, f"{UNIT_DIR}/control.service": IMMORTAL})
    r = oomlint("check", "h", "--ram", "8G", "--format", "json")
    assert r.exit_code in (0, 1) and "OOM099" not in r.stdout, describe(r)
    assert ("OOM201", f"h/{UNIT_DIR}/control.service", 3) in r.triples()
    b = oomlint("budget", "h", "--ram", "8G")
    assert b.exit_code == 0, describe(b)
