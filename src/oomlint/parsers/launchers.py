"""What the vendor launcher scripts of Java services do with their variables and files:
which ``*_OPTS`` they read, how they split them, their defaults, and Elasticsearch's
jvm.options directory; `detect_launcher` finds the JVM an ``ExecStart=`` starts, and
`parse_wrapper` reads a start script that is not a known launcher (its sourced files, its
plain assignments and the ``exec`` line that starts the next program) without running it.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Mapping, Sequence, Union

from oomlint.base.provenance import Loc
from oomlint.parsers.shell_words import split_shell_located
from oomlint.parsers.systemd_exec import JvmOption


@dataclass(frozen=True)
class Launcher:
    """How a start script builds the java command line.

    `variables`: the environment variables it expands onto the command line, in order
    (later ones win on a duplicate flag); `defaults`: the value a script uses when the
    variable is empty; `split`: "shell" (unquoted ``$VAR``: split at whitespace, quotes
    kept), "eval" (re-parsed by the shell, quotes removed) or "java" (``String.split("\\\\s+")``
    in the Elasticsearch CLI); `sourced`: files the script sources, ``{script}`` being its
    name without ``.sh``; `conf_var`/`conf_default`: the jvm.options directory of
    Elasticsearch/OpenSearch; `source`: where the convention is written down."""

    kind: str
    variables: tuple[str, ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()
    split: str = "shell"
    sourced: tuple[str, ...] = ()
    conf_var: str = ""
    conf_default: str = ""
    source: str = ""
    bundled_jdk: int = 0  # the JDK major the vendor ships with the launcher (0: none)
    java_home_vars: tuple[str, ...] = ()  # variables that replace the bundled JDK


KAFKA_PERFORMANCE_OPTS = ("-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "
                          "-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent "
                          "-XX:MaxInlineLevel=15 -Djava.awt.headless=true")
_KAFKA_VARS = ("KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS",
               "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS")
_TOMCAT = Launcher("tomcat", ("JAVA_OPTS", "CATALINA_OPTS"), split="eval",
                   sourced=("{CATALINA_BASE}/bin/setenv.sh", "{CATALINA_HOME}/bin/setenv.sh"),
                   source="apache/tomcat bin/catalina.sh: eval ... $JAVA_OPTS $CATALINA_OPTS")
# Elasticsearch 8.x and OpenSearch 2.x ship their own JDK (Elasticsearch 8.10+ and
# OpenSearch 2.12+: JDK 21; later releases newer ones), used unless ES_JAVA_HOME /
# OPENSEARCH_JAVA_HOME (OpenSearch also JAVA_HOME) names another (bin/elasticsearch-env,
# bin/opensearch-env).
BUNDLED_JDK = 21
_ES = Launcher("elasticsearch", ("ES_JAVA_OPTS",), split="java", conf_var="ES_PATH_CONF",
               conf_default="/etc/elasticsearch",
               source="elastic/elasticsearch server-cli JvmOptionsParser.java",
               bundled_jdk=BUNDLED_JDK, java_home_vars=("ES_JAVA_HOME",))
_OPENSEARCH = Launcher("opensearch", ("OPENSEARCH_JAVA_OPTS",), split="java",
                       conf_var="OPENSEARCH_PATH_CONF", conf_default="/etc/opensearch",
                       source="opensearch-project/OpenSearch JvmOptionsParser.java",
                       bundled_jdk=BUNDLED_JDK, java_home_vars=("OPENSEARCH_JAVA_HOME", "JAVA_HOME"))
LAUNCHERS: dict[str, Launcher] = {
    "catalina.sh": _TOMCAT,
    "startup.sh": _TOMCAT,
    "kafka-server-start.sh": Launcher(
        "kafka", _KAFKA_VARS,
        (("KAFKA_HEAP_OPTS", "-Xmx1G -Xms1G"), ("KAFKA_JVM_PERFORMANCE_OPTS", KAFKA_PERFORMANCE_OPTS)),
        source="apache/kafka bin/kafka-server-start.sh, bin/kafka-run-class.sh"),
    "kafka-run-class.sh": Launcher(
        "kafka", _KAFKA_VARS,
        (("KAFKA_HEAP_OPTS", "-Xmx256M"), ("KAFKA_JVM_PERFORMANCE_OPTS", KAFKA_PERFORMANCE_OPTS)),
        source="apache/kafka bin/kafka-run-class.sh"),
    "elasticsearch": _ES,
    "opensearch": _OPENSEARCH,
    "zkServer.sh": Launcher("zookeeper", ("ZK_SERVER_HEAP", "SERVER_JVMFLAGS", "JVMFLAGS"),
                            source="apache/zookeeper bin/zkEnv.sh, bin/zkServer.sh"),
    "jetty.sh": Launcher("jetty", ("JAVA_OPTIONS",),
                         sourced=("/etc/default/{script}", "/etc/default/{script}9"),
                         source="jetty/jetty.project jetty-home/.../bin/jetty.sh"),
    # jenkinsci/packaging systemd/jenkins.sh, installed as /usr/bin/jenkins by the deb and
    # rpm packages since 2.335: ``eval exec "${JENKINS_JAVA_CMD}" ${JAVA_OPTS} -jar
    # "${JENKINS_WAR}" ...`` (JAVA_OPTS from the unit's Environment=).
    "jenkins": Launcher("jenkins", ("JAVA_OPTS",), split="eval",
                        source="jenkinsci/packaging systemd/jenkins.sh"),
}
# The packaged units' entry points that exec the launcher: Elasticsearch 8.x deb/rpm
# (``/usr/local/bin/elasticsearch-entrypoint.sh`` in current units, ``systemd-entrypoint``
# before), OpenSearch 2.x (``systemd-entrypoint``).
_ENTRYPOINTS = {"systemd-entrypoint", "elasticsearch-entrypoint.sh", "opensearch-entrypoint.sh"}
SHELLS = frozenset({"sh", "bash", "dash", "ksh", "zsh"})


Found = tuple[str, Union[Launcher, None], list[JvmOption]]


def detect_launcher(argv: Sequence[str], env: Mapping[str, str] | None = None
                    ) -> tuple[str, Launcher | None, list[str]] | None:
    """What an ``ExecStart=`` command starts: ("java", None, argv) for a java binary,
    (script path, launcher, arguments) for a known start script, run directly or through
    ``sh script`` / ``sh -c 'exec script ...'`` (the ``-c`` string split like a shell
    command line, `env` expanded, ``exec``/``nohup`` dropped); None for anything else."""
    located = None if env is None else {k: (v, Loc("", 0)) for k, v in env.items()}
    found = detect_launcher_located([JvmOption(a, Loc("", 0)) for a in argv], located)
    if found is None:
        return None
    return found[0], found[1], [o.text for o in found[2]]


def detect_launcher_located(argv: Sequence[JvmOption], env: Mapping[str, tuple[str, Loc]] | None
                            ) -> Found | None:
    """`detect_launcher` on words that keep their positions."""
    if not argv:
        return None
    base = posixpath.basename(argv[0].text)
    if base == "env":  # env [-i] [NAME=VALUE ...] program args
        rest = list(argv[1:])
        while rest and (rest[0].text.startswith("-") or "=" in rest[0].text):
            rest = rest[1:]
        return detect_launcher_located(rest, env) if rest else None
    if base in SHELLS and len(argv) > 1:
        option = argv[1].text
        if re.fullmatch(r"-[a-z]*c[a-z]*", option) and len(argv) > 2:  # -c, -lc, -ec ...
            words = split_shell_located(argv[2].text, env, argv[2].loc)
            while words and words[0].text in ("exec", "nohup"):
                words = words[1:]
            return detect_launcher_located(words, env) if words and words[0].text != argv[0].text else None
        rest = [w for w in argv[1:] if not w.text.startswith("-")]
        return detect_launcher_located(rest, env) if rest else None
    if base == "java":
        return ("java", None, list(argv))
    if base in _ENTRYPOINTS:
        kind = "opensearch" if "opensearch" in argv[0].text else "elasticsearch"
        return (argv[0].text, LAUNCHERS[kind], list(argv[1:]))
    launcher = LAUNCHERS.get(base)
    return (argv[0].text, launcher, list(argv[1:])) if launcher else None


# ======================================================================================
# Start scripts that are not known launchers: read, never run
# ======================================================================================

_JAVA_VAR = re.compile(r"^\$\{?[A-Za-z_]*JAVA[A-Za-z0-9_]*\}?$")
_ASSIGN = re.compile(r"^(export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_SOURCE = re.compile(r"(?:^|[;&|({]\s*|\b(?:then|else|do)\s+)(?:\.|source)\s+(\"[^\"]*\"|'[^']*'|[^\s;&|)]+)")
_EXEC = re.compile(r"(?:^|[;&|({]\s*|\b(?:then|else|do)\s+)(eval\s+)?exec\s+(.*)$")


@dataclass(frozen=True)
class WrapperStep:
    """One thing a start script does that matters for the JVM it starts, in script order:
    ``source`` a file (`path`), ``assign`` a variable (`key` = `value`, `quoted` "'" for a
    single-quoted literal value, `exported` for ``export K=V``), or ``exec`` a command
    (`value`: the command line after ``exec``, continuation lines joined; `quoted` "eval"
    when it is ``eval exec``)."""

    kind: str
    loc: Loc
    key: str = ""
    value: str = ""
    quoted: str = ""
    exported: bool = False

    @property
    def path(self) -> str:
        return self.value


def is_shell_script(text: str) -> bool:
    """A ``#!`` line naming a POSIX-family shell (sh, bash, dash, ksh, zsh; via env too)."""
    first = text.split("\n", 1)[0]
    if not first.startswith("#!"):
        return False
    words = first[2:].split()
    names = [posixpath.basename(w) for w in words[:2]]
    return bool(names) and (names[0] in SHELLS or (names[0] == "env" and len(names) > 1
                                                      and names[1] in SHELLS))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with backslash-newline continuations joined, each with its first line's
    number; comment lines dropped."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for n, line in enumerate(text.split("\n"), start=1):
        if not buf:
            start = n
            if line.lstrip().startswith("#"):
                continue
        if line.endswith("\\"):
            buf.append(line[:-1] + " ")
            continue
        buf.append(line)
        out.append((start, "".join(buf)))
        buf = []
    if buf:
        out.append((start, "".join(buf)))
    return out


def _unquote(value: str) -> tuple[str, str]:
    """An assignment's value without its outer quotes, and "'" when single-quoted."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" and value[0] not in value[1:-1]:
        return value[1:-1], value[0]
    return value, ""


def _strip_trailer(command: str) -> str:
    """The command without what closes the construct around it (``; fi``, ``; done``,
    ``; }`` ...) or a final ``;``."""
    while True:
        command = command.rstrip()
        head, sep, tail = command.rpartition(";")
        if not sep or tail.strip() not in ("", "fi", "done", "esac", "}", ")"):
            return command
        command = head


def parse_wrapper(text: str, path: str) -> list[WrapperStep]:
    """What a start script does, in order (`WrapperStep`): files it sources (``. FILE``,
    ``source FILE``, also after ``&&``/``then``), assignments on lines of their own at the
    left margin (``JAVA_OPTS="$JAVA_OPTS -Xmx1g"``, ``export K=V``; indented ones sit in
    branches and are not taken), and ``exec`` / ``eval exec`` commands. Nothing is run."""
    steps: list[WrapperStep] = []
    for n, line in _logical_lines(text):
        loc = Loc(path, n)
        m = _ASSIGN.match(line) if line[:1] not in (" ", "\t") else None
        if m and not re.search(r"[;&|]\s*\S", m.group(3).strip().strip("'\"")):
            value, quoted = _unquote(m.group(3))
            steps.append(WrapperStep("assign", loc, m.group(2), value, quoted, bool(m.group(1))))
            continue
        for s in _SOURCE.finditer(line):
            steps.append(WrapperStep("source", loc, value=_unquote(s.group(1))[0]))
        e = _EXEC.search(line.strip())
        if e:
            command = _strip_trailer(e.group(2))
            steps.append(WrapperStep("exec", loc, value=command, quoted="eval" if e.group(1) else ""))
    return steps


def first_word(command: str) -> tuple[str, str]:
    """The first shell word of `command` as written (quotes kept, ``$VAR`` unexpanded) and
    the rest of the line."""
    i, quote = 0, ""
    command = command.lstrip()
    while i < len(command):
        c = command[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in " \t":
            break
        elif c == "\\":
            i += 1
        i += 1
    return command[:i], command[i:]


def is_java_command(word: str) -> bool:
    """Whether a script's command word runs java: ``java``, ``…/bin/java`` or a variable
    named after it (``$JAVA``, ``"${JENKINS_JAVA_CMD}"``, ``$JAVACMD``, ``${JAVA_HOME}/bin/java``)."""
    bare = word.strip("'\"")
    return posixpath.basename(bare) == "java" or bool(_JAVA_VAR.match(bare))
