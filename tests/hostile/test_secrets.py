"""Secrets stay out of the output. CI logs are public: a message shows at most the offending
token of the input (masked when its key names a password, secret or token, clipped at about
80 characters), and a file reached by an include that is not in the expected format is
named by path and line only. Each case runs through the command line in text and JSON and
asserts that the finding is still reported (rule, path, line) while the secret strings
appear nowhere in stdout or stderr."""

from __future__ import annotations

import pytest

from oomlint.base.redact import clip, line_key, mask_secrets, word

from .helpers import UNIT_DIR, oomlint, write_tree

pytestmark = pytest.mark.usefixtures("sealed")

HASH = "$6$saltsalt$hashhashHASHSECRETxyz0123456789abcdefABCDEF"
SHADOW = f"root:{HASH}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"
PASSWORD = "hunter2"
SECRETS = (HASH, "HASHSECRET", "saltsalt", PASSWORD)
PG = "etc/postgresql/15/main/postgresql.conf"


def run(cwd, files: dict[str, str], *args):
    """The tree under `cwd`/h checked in text and in JSON: (text run, JSON run)."""
    write_tree(cwd / "h", files)
    common = ("check", "h", "--ram", "8G", *args)
    return oomlint(*common), oomlint(*common, "--format", "json")


def assert_no_secret(*runs):
    for r in runs:
        for secret in SECRETS:
            assert secret not in r.stdout and secret not in r.stderr, (secret, r.stdout)


def found(run, rule: str, path: str, line: int) -> dict:
    hits = [f for f in run.at(rule) if (f["path"], f["line"]) == (path, line)]
    assert hits, run.stdout
    return hits[0]


def test_postgresql_include_of_a_shadow_file(cwd):
    """(a) The server refuses to start, which is still reported, at the included file's
    line; the line itself (the password hash) is not."""
    text, js = run(cwd, {PG: "max_connections = 10\ninclude '/etc/shadow'\n",
                         "etc/shadow": SHADOW})
    assert_no_secret(text, js)
    assert (text.exit_code, js.exit_code) == (1, 1)
    for line in (1, 2):
        f = found(js, "OOM452", "h/etc/shadow", line)
        assert f["message"].startswith(f"not postgresql.conf syntax (included from {PG}:2); "
                                       "postgres refuses to start")
        assert f"h/etc/shadow:{line}: OOM452" in text.stdout


def test_postgresql_syntax_error_shows_the_key_not_the_line(cwd):
    """In postgresql.conf itself a syntax error names the parameter and the token near the
    error; a password-like value in the quoting hint is masked."""
    text, js = run(cwd, {PG: "max_connections = 10 20\n"
                             f"ssl_key_password = my.{PASSWORD}\n"})
    assert_no_secret(text, js)
    assert found(js, "OOM452", f"h/{PG}", 1)["message"].startswith(
        'max_connections: syntax error near token "20"; postgres refuses to start')
    assert found(js, "OOM452", f"h/{PG}", 2)["message"].startswith(
        "ssl_key_password: syntax error near token \"***\" (quote it: ssl_key_password = "
        "'***'); postgres refuses to start")


def test_jvm_option_with_a_password_in_a_braced_variable(cwd):
    """(b) ``${JAVA_OPTS}`` is one word: -Xmx refuses "2g -D...", and the message shows the
    -Xmx part only."""
    files = {
        f"{UNIT_DIR}/app.service": "[Service]\nEnvironmentFile=/etc/default/app\n"
                                   "ExecStart=/usr/bin/java ${JAVA_OPTS} -jar app.jar\n"
                                   "MemoryMax=4G\n",
        "etc/default/app": f"JAVA_OPTS=-Xmx2g -Djavax.net.ssl.keyStorePassword={PASSWORD}\n",
    }
    write_tree(cwd / "h", files)
    (cwd / "h/etc/default/app").chmod(0o600)
    text, js = run(cwd, {})
    assert_no_secret(text, js)
    assert (text.exit_code, js.exit_code) == (1, 1)
    f = found(js, "OOM507", "h/etc/default/app", 1)
    assert f["message"] == ("app.service: -Xmx2g…: Invalid maximum heap size: -Xmx2g…; the "
                            "service cannot start, so it stays down or restarts in a loop")
    assert f["subject"] == ["app.service", "-Xmx2g…"]


def test_mysql_include_of_a_file_that_is_no_option_file(cwd):
    """mysqld drops the rest of an included file it cannot read as options: reported by
    path and line, with the line that includes it, never with the text."""
    text, js = run(cwd, {"etc/mysql/my.cnf": "[mysqld]\nmax_connections = 10\n"
                                             "!include /etc/shadow\n",
                         "etc/shadow": SHADOW})
    assert_no_secret(text, js)
    assert (text.exit_code, js.exit_code) == (1, 1)
    f = found(js, "OOM005", "h/etc/shadow", 1)
    assert f["message"] == ("Found option without preceding group (included from "
                            "etc/mysql/my.cnf:3); mysqld ignores the rest of this included file")


def test_mysql_refusal_shows_the_key(cwd):
    """A first-level my.cnf that mysqld refuses: the name the line starts with, not the
    line; a password-like value is masked."""
    text, js = run(cwd, {"etc/mysql/my.cnf": f"root:{HASH}\n"})
    assert_no_secret(text, js)
    f = found(js, "OOM402", "h/etc/mysql/my.cnf", 1)
    assert f["message"].startswith("root…: Found option without preceding group; mysqld "
                                   "refuses to start")
    text, js = run(cwd, {"etc/mysql/my.cnf": f"[mysqld]\nmy password = {PASSWORD}\n"})
    assert_no_secret(text, js)
    f = found(js, "OOM402", "h/etc/mysql/my.cnf", 2)
    assert f["message"].startswith("my…: unknown variable 'my…'")


def test_argfile_with_a_password(cwd):
    """An @argfile: the refused option is shown up to its value, the password option next
    to it is not shown at all, nor is a password option that is refused itself."""
    text, js = run(cwd, {
        f"{UNIT_DIR}/app.service": "[Service]\nExecStart=/usr/bin/java @/opt/app/args -jar "
                                   "app.jar\nMemoryMax=4G\n",
        "opt/app/args": f"-Xmx2q -Ddb.password={PASSWORD}\n"
                        f"-XX:MaxRAMPercentage=x -Dapi_key={PASSWORD}\n",
    })
    assert_no_secret(text, js)
    assert (text.exit_code, js.exit_code) == (1, 1)
    assert found(js, "OOM507", "h/opt/app/args", 1)["message"].startswith(
        "app.service: -Xmx2q: Invalid maximum heap size: -Xmx2q;")
    assert found(js, "OOM507", "h/opt/app/args", 2)["message"].startswith(
        "app.service: -XX:MaxRAMPercentage=x: Improperly specified VM option "
        "'MaxRAMPercentage=x'")


def test_unit_environment_password_in_a_refused_value(cwd):
    """Environment= with a *_PASSWORD= value inside a value the JVM or systemd refuses."""
    text, js = run(cwd, {
        f"{UNIT_DIR}/app.service":
            "[Service]\n"
            f'Environment="JAVA_OPTS=-Xmx1q -DAPP_DB_PASSWORD={PASSWORD}"\n'
            f"Environment=JDK_JAVA_OPTIONS=\"-DDB_PASSWORD={PASSWORD} '-Xmx1g\"\n"
            "ExecStart=/usr/bin/java ${JAVA_OPTS} -jar app.jar\n"
            "MemoryMax=4G\n"
            f"MemoryMax=DB_PASSWORD={PASSWORD}\n",
    })
    assert_no_secret(text, js)
    assert (text.exit_code, js.exit_code) == (1, 1)
    path = f"h/{UNIT_DIR}/app.service"
    assert found(js, "OOM507", path, 2)["message"].startswith(
        "app.service: -Xmx1q…: Invalid maximum heap size: -Xmx1q…;")
    assert found(js, "OOM507", path, 3)["message"].startswith(
        "app.service: JDK_JAVA_OPTIONS: Error: Unmatched quote in environment variable "
        "JDK_JAVA_OPTIONS;")
    assert found(js, "OOM203", path, 6)["message"].startswith(
        "app.service: systemd ignores MemoryMax=DB_PASSWORD=*** (expected a number at "
        "'DB_PASSWORD=***')")


@pytest.mark.parametrize("rel, body, rule, line", [
    ("etc/sysctl.d/90-x.conf", SHADOW, "OOM005", 1),
    (f"{UNIT_DIR}/x.service", f"[Service]\nExecStart=/bin/x\nMemoryMax=1G\n{SHADOW}",
     "OOM005", 4),
    (f"{UNIT_DIR}/y.service", f"[Service]\nExecStart=/bin/x\nMemoryMax=1G\n[{SHADOW}",
     "OOM005", 4),
    ("etc/systemd/zram-generator.conf", f"[zram0]\n{SHADOW}", "OOM005", 2),
    ("etc/elasticsearch/jvm.options.d/x.options", SHADOW, "OOM005", 1),
])
def test_line_echoes_show_the_first_name_only(cwd, rel, body, rule, line):
    """The parsers' "this line is not ..." problems show the name the line starts with."""
    files = {rel: body}
    if "elasticsearch" in rel:
        files[f"{UNIT_DIR}/elasticsearch.service"] = (
            "[Service]\nExecStart=/usr/share/elasticsearch/bin/systemd-entrypoint\n"
            "MemoryMax=4G\n")
    text, js = run(cwd, files)
    assert_no_secret(text, js)
    found(js, rule, f"h/{rel}", line)


def test_long_values_are_clipped(cwd):
    """An echoed value is cut at about 80 characters, with an ellipsis."""
    text, js = run(cwd, {PG: "shared_buffers = '" + "9" * 5000 + "x'\n"})
    f = found(js, "OOM452", f"h/{PG}", 1)
    assert "9" * 81 not in f["message"] and "…" in f["message"]
    assert len(f["message"]) < 500


def test_internal_error_text_is_clipped_and_masked(cwd, monkeypatch):
    """OOM099 quotes the exception, whose text may quote the input."""
    from oomlint.checks import oom201_unkillable_service

    def crash(host, opts):
        raise ValueError(f"bad value 'DB_PASSWORD={PASSWORD}' " + "x" * 500)
        yield

    monkeypatch.setattr(oom201_unkillable_service, "check", crash)
    text, js = run(cwd, {f"{UNIT_DIR}/a.service": "[Service]\nExecStart=/x\nMemoryMax=1G\n"},
                   "--select=OOM0,OOM201")
    assert_no_secret(text, js)
    assert (text.exit_code, js.exit_code) == (2, 2)
    [f] = js.at("OOM099")
    assert f["message"].startswith("check OOM201 failed: ValueError: bad value "
                                   "'DB_PASSWORD=***' xxx") and "x" * 100 not in f["message"]


# -- the helpers every message goes through (base/redact.py) -------------------------------


@pytest.mark.parametrize("text, masked", [
    ("-Djavax.net.ssl.keyStorePassword=hunter2", "-Djavax.net.ssl.keyStorePassword=***"),
    ("DB_PASSWORD = 'a b' rest", "DB_PASSWORD = *** rest"),
    ("MemoryMax=APP_API_KEY=x1 Token=\"y z\"", "MemoryMax=APP_API_KEY=*** Token=***"),
    ("password_encryption is not KEY=VALUE", "password_encryption is not KEY=VALUE"),
    ("at 'DB_PASSWORD=***' (masked already)", "at 'DB_PASSWORD=***' (masked already)"),
])
def test_mask_secrets(text, masked):
    assert mask_secrets(text) == masked
    assert mask_secrets(masked) == masked


def test_clip_word_and_line_key():
    assert clip("x" * 200) == "x" * 79 + "…" and clip("short") == "short"
    assert word("-Xmx2g -Djavax.net.ssl.keyStorePassword=hunter2") == "-Xmx2g…"
    assert word("-Dapp.secret=hunter2") == "-Dapp.secret=***"
    assert word("-Xmx1g ") == "-Xmx1g "  # a single word keeps its trailing space
    assert line_key(SHADOW) == "root…" and line_key("[root:$6$x") == "[root…"
    assert line_key("vm.swappiness") == "vm.swappiness"


def test_masking_is_linear():
    """A hostile line of secret-like names costs no more than a pass over it."""
    for text in ("password" * 100000, "password=" * 100000, "'" + "\"'" * 100000):
        mask_secrets(text)
