"""One test per bug this suite found, through the command line. Before the fixes each of
these raised a traceback, hung (a cubic regular expression, quadratic loops: the sizes here
took minutes to years), read a setting systemd never sees, or lost a finding. They carry no
timing assertion: a regression shows up as a failure or as a suite that does not finish."""

from __future__ import annotations

import random
import string

import pytest

from .helpers import IMMORTAL, UNIT_DIR, check, oomlint, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

CONTROL = ("OOM201", f"h/{UNIT_DIR}/control.service", 3)
BIG = "9" * 5000  # Python's int() refuses more than 4300 digits


def host(cwd, files):
    return write_tree(cwd / "h", {f"{UNIT_DIR}/control.service": IMMORTAL, **files})


def assert_clean_run(r):
    assert r.exit_code in (0, 1) and "OOM099" not in r.stdout, r.stdout[-2000:]


# -- tracebacks ---------------------------------------------------------------------------


@pytest.mark.parametrize("expr", ["log(1, 1)", "0 ^ -1", "(-8) ^ 0.5", "(" * 3000 + "1" + ")" * 3000,
                                  "-" * 3000 + "1", "2^" * 3000 + "2", "1e308 * 10", BIG + "M",
                                  "round(1e308 * 10)", "int(1e400)"])
def test_zram_size_expression(cwd, expr):
    """ZeroDivisionError, TypeError (a complex size), RecursionError, OverflowError."""
    host(cwd, {"etc/systemd/zram-generator.conf": f"[zram0]\nzram-size = {expr}\n"})
    r = check("h", "--select=OOM0,OOM201,OOM301")
    assert (r.exit_code, r.triples()) == (1, [CONTROL])  # a zram device of unknown size


def test_zram_device_number_beyond_int_conversion(cwd):
    host(cwd, {"etc/systemd/zram-generator.conf": f"[zram{BIG}]\n[zram1]\n[zram01]\n"})
    assert_clean_run(check("h"))


@pytest.mark.parametrize("path, text", [
    (f"{UNIT_DIR}/a.service", f"[Service]\nExecStart=/x\nMemoryMax={BIG}\nOOMScoreAdjust={BIG}\n"
                              f"StartLimitBurst={BIG}\nRestartSec={BIG}\nMemoryHigh=0x{BIG}\n"),
    ("etc/sysctl.d/a.conf", f"vm.overcommit_memory = {BIG}\nvm.swappiness = 0x{'f' * 5000}\n"
                            f"vm.nr_hugepages = -{BIG}\n"),
    ("etc/mysql/my.cnf", f"[mysqld]\nmax_connections = {BIG}\nkey_buffer_size = 0{BIG}\n"),
    ("etc/postgresql/15/main/postgresql.conf", f"shared_buffers = {BIG}\nwork_mem = 0x{'f' * 5000}\n"
                                               f"max_connections = {BIG}.5e9\n"),
    ("etc/elasticsearch/jvm.options", f"{BIG}:-Xmx1g\n17-{BIG}:-Xms1g\n-Xmx{BIG}g\n"),
    ("etc/dphys-swapfile", f"CONF_SWAPSIZE={BIG}\nCONF_MAXSWAP={'9' * 4000}\n"),
    ("etc/dphys-swapfile", "CONF_SWAPSIZE=²\nCONF_MAXSWAP=١٢\n"),
    ("etc/fstab", f"/swapfile none swap sw,pri={BIG} 0 0\n"),
])
def test_numbers_beyond_int_conversion(cwd, path, text):
    """ValueError: Exceeds the limit (4300 digits) for integer string conversion; also
    OverflowError from float(), and str.isdigit() digits that int() refuses."""
    host(cwd, {path: text,
               f"{UNIT_DIR}/es.service": "[Service]\nExecStart=/usr/share/elasticsearch/bin/"
                                         "systemd-entrypoint\nMemoryMax=4G\n"})
    assert_clean_run(check("h"))
    assert oomlint("budget", "h", "--ram", "8G").exit_code == 0


def test_size_fraction_overflow_is_refused_like_systemd(cwd):
    """parse_size() reads the fraction with its own strtoull(): 20 nines overflow it."""
    host(cwd, {f"{UNIT_DIR}/a.service": "[Service]\nExecStart=/x\nMemoryMax=1.99999999999999999999G\n"
                                        "MemoryHigh=1.00000000000000000000000001G\n"})
    r = check("h", "--select=OOM0,OOM201,OOM203")
    assert (r.exit_code, r.triples()) == (1, sorted([(
        "OOM203", f"h/{UNIT_DIR}/a.service", 3), CONTROL]))


# -- settings systemd never sees, findings that were lost -------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c"])
def test_unicode_line_separators_do_not_split_lines(cwd, separator):
    """str.splitlines() split here; systemd does not: the MemoryMax= is part of the
    description, the service has no limit (OOM202), and later line numbers stay right."""
    host(cwd, {f"{UNIT_DIR}/a.service":
               f"[Unit]\nDescription=x{separator}MemoryMax=1G\n[Service]\nExecStart=/x\n"
               "OOMScoreAdjust=-1000\n"})
    r = check("h", "--select=OOM0,OOM201,OOM202")
    assert (r.exit_code, r.triples()) == (1, sorted([
        ("OOM201", f"h/{UNIT_DIR}/a.service", 5), ("OOM202", f"h/{UNIT_DIR}/a.service", 3),
        CONTROL]))


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2003"])
def test_unicode_spaces_are_not_systemd_whitespace(cwd, space):
    """str.strip() removed them; systemd's strstrip() does not, so the key is unknown."""
    host(cwd, {f"{UNIT_DIR}/a.service": f"[Service]\nExecStart=/x\n{space}MemoryMax=1G\n",
               "etc/sysctl.d/a.conf": f"{space}vm.panic_on_oom = 1\n"})
    r = check("h", "--select=OOM0,OOM201,OOM202,OOM304")
    assert (r.exit_code, r.triples()) == (1, sorted([
        ("OOM202", f"h/{UNIT_DIR}/a.service", 1), CONTROL]))


def test_binary_content_past_the_size_limit_is_reported(cwd):
    """Truncating at the last newline before 16 MiB dropped the NUL bytes after it."""
    root = host(cwd, {})
    with open(root / UNIT_DIR / "dump.service", "wb") as fh:
        fh.write(b"[Service]\nExecStart=/x\n" + b"\0" * (17 * 1024 * 1024))
    r = check("h", "--select=OOM0,OOM201")
    assert (r.exit_code, r.triples()) == (1, sorted([
        ("OOM002", f"h/{UNIT_DIR}/dump.service", 3), ("OOM004", f"h/{UNIT_DIR}/dump.service", 0),
        CONTROL]))


# -- hangs: super-linear time on one file ----------------------------------------------------


@pytest.mark.parametrize("comment", ["# oomlint: disable=" + " " * 100_000 + "!",
                                     "# oomlint: disable=A" + " -" * 50_000 + "!",
                                     "; oomlint: disable-file=" + "\t" * 100_000 + "x"])
def test_pragma_regex_backtracking(cwd, comment):
    """A cubic regular expression: 300 spaces took 5 s, these would take years."""
    host(cwd, {f"{UNIT_DIR}/a.service": f"{comment}\n[Service]\nExecStart=/x\n",
               "etc/sysctl.d/a.conf": f"{comment}\n", "etc/mysql/my.cnf": f"{comment}\n"})
    assert_clean_run(check("h"))


def test_same_key_assigned_many_times(cwd):
    """Every override copied the chain of earlier ones, keeping each copy alive: quadratic
    time and memory (30 000 lines: 3.6 GB; two 16 MiB files of such lines ran out of 24 GB)."""
    host(cwd, {"etc/sysctl.d/a.conf": "vm.swappiness = 10\n" * 30_000,
               f"{UNIT_DIR}/a.service": "[Service]\nExecStart=/x\n" + "Environment=A=1\n" * 10_000,
               "etc/postgresql/15/main/postgresql.conf": "work_mem = 4MB\n" * 10_000})
    assert_clean_run(check("h"))


def test_many_unknown_keys(cwd):
    """Each unknown key scanned the whole directive table, then computed edit distances to
    every memory directive: 20 000 keys took 30 s, 200 000 three minutes."""
    rng = random.Random(5)
    keys = "".join("".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(3, 12)))
                   + "=x\n" for _ in range(20_000))
    host(cwd, {f"{UNIT_DIR}/a.service": "[Service]\nExecStart=/x\n" + keys + "MemoryMaxx=1G\n"})
    r = check("h", "--select=OOM205")
    assert (r.exit_code, r.triples()[-1]) == (1, ("OOM205", f"h/{UNIT_DIR}/a.service", 20_003))
    assert "did you mean MemoryMax=?" in r.at("OOM205")[-1]["message"]


def test_many_refusals(cwd):
    """A list membership test per refusal (comparing dataclasses): quadratic in the number
    of broken lines, seconds for these, hours for a 16 MiB file."""
    host(cwd, {"etc/postgresql/15/main/postgresql.conf": "x = 1 2\n" * 6_000,
               "etc/mysql/my.cnf": "[mysqld]\n" + "key_buffer_size = 1x\n" * 6_000})
    r = check("h", "--select=OOM402,OOM452")
    assert r.exit_code == 1 and len(r.findings) == 12_000


def test_many_pragmas_and_findings(cwd):
    """Every finding was matched against every pragma of the host, resolving the pragma's
    rules each time: quadratic, a minute for these."""
    host(cwd, {"etc/sysctl.d/a.conf": "# oomlint: disable=OOM9 -- never matches\n" * 6_000,
               "etc/sysctl.d/b.conf": "x\n" * 6_000,
               "etc/sysctl.d/c.conf": "# oomlint: disable=OOM005\ny\n" * 3_000})
    r = check("h", "--select=OOM005")
    assert r.exit_code == 1 and len(r.findings) == 6_000
    assert len(r.doc["suppressed"]) == 3_000


@pytest.mark.parametrize("word", ["a" * 150_000, "${" * 75_000])
def test_long_words_on_a_launcher_command_line(cwd, word):
    """The shell word splitter copied the word for every character, and ${ searched the
    rest of the word for its } each time: quadratic."""
    host(cwd, {f"{UNIT_DIR}/a.service":
               f"[Service]\nExecStart=/bin/sh -c 'exec /usr/bin/java {word} -jar x.jar'\n"
               "MemoryMax=1G\n",
               f"{UNIT_DIR}/t.service": "[Service]\nEnvironment=CATALINA_HOME=/t\n"
               "ExecStart=/t/bin/catalina.sh run\nMemoryMax=1G\n",
               "t/bin/setenv.sh": f"CATALINA_OPTS=\"{word}\"\n"})
    assert_clean_run(check("h"))


@pytest.mark.parametrize("line", ["'\\" * 100_000, "1" * 200_000])
def test_long_malformed_lines_in_scanned_formats(cwd, line):
    """postgresql.conf rescanned a failed quoted string from every quote (quadratic);
    jvm.options' version-range regex backtracked over every split of a digit run."""
    host(cwd, {"etc/postgresql/15/main/postgresql.conf": f"{line}\nx = {line}\n",
               "etc/elasticsearch/jvm.options": f"{line}\n{line}:-Xmx1g\n",
               f"{UNIT_DIR}/es.service": "[Service]\nExecStart=/usr/share/elasticsearch/bin/"
                                         "systemd-entrypoint\nMemoryMax=4G\n"})
    assert_clean_run(check("h"))


def test_many_sourced_assignments(cwd):
    """The launcher environment was copied for every assignment of a sourced file."""
    host(cwd, {f"{UNIT_DIR}/t.service": "[Service]\nEnvironment=CATALINA_HOME=/t\n"
               "ExecStart=/t/bin/catalina.sh run\nMemoryMax=1G\n",
               "t/bin/setenv.sh": "".join(f"V{i}=$V{i - 1}x\n" for i in range(1, 30_000))})
    assert_clean_run(check("h"))
