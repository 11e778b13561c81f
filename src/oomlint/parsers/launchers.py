"""What the vendor launcher scripts of Java services do with their variables and files:
which ``*_OPTS`` they read, how they split them, their defaults, and Elasticsearch's
jvm.options directory; `detect_launcher` finds the JVM an ``ExecStart=`` starts.
"""

from __future__ import annotations

import posixpath
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


KAFKA_PERFORMANCE_OPTS = ("-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "
                          "-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent "
                          "-XX:MaxInlineLevel=15 -Djava.awt.headless=true")
_KAFKA_VARS = ("KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS",
               "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS")
_TOMCAT = Launcher("tomcat", ("JAVA_OPTS", "CATALINA_OPTS"), split="eval",
                   sourced=("{CATALINA_BASE}/bin/setenv.sh", "{CATALINA_HOME}/bin/setenv.sh"),
                   source="apache/tomcat bin/catalina.sh: eval ... $JAVA_OPTS $CATALINA_OPTS")
_ES = Launcher("elasticsearch", ("ES_JAVA_OPTS",), split="java", conf_var="ES_PATH_CONF",
               conf_default="/etc/elasticsearch",
               source="elastic/elasticsearch server-cli JvmOptionsParser.java")
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
    "opensearch": Launcher("opensearch", ("OPENSEARCH_JAVA_OPTS",), split="java",
                           conf_var="OPENSEARCH_PATH_CONF", conf_default="/etc/opensearch",
                           source="opensearch-project/OpenSearch JvmOptionsParser.java"),
    "zkServer.sh": Launcher("zookeeper", ("ZK_SERVER_HEAP", "SERVER_JVMFLAGS", "JVMFLAGS"),
                            source="apache/zookeeper bin/zkEnv.sh, bin/zkServer.sh"),
    "jetty.sh": Launcher("jetty", ("JAVA_OPTIONS",),
                         sourced=("/etc/default/{script}", "/etc/default/{script}9"),
                         source="jetty/jetty.project jetty-home/.../bin/jetty.sh"),
}
_SHELLS = {"sh", "bash", "dash", "ksh", "zsh"}


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
    if base in _SHELLS and len(argv) > 1:
        if argv[1].text == "-c" and len(argv) > 2:
            words = split_shell_located(argv[2].text, env, argv[2].loc)
            while words and words[0].text in ("exec", "nohup"):
                words = words[1:]
            return detect_launcher_located(words, env) if words and words[0].text != argv[0].text else None
        rest = [w for w in argv[1:] if not w.text.startswith("-")]
        return detect_launcher_located(rest, env) if rest else None
    if base == "java":
        return ("java", None, list(argv))
    if base == "systemd-entrypoint":
        kind = "opensearch" if "opensearch" in argv[0].text else "elasticsearch"
        return (argv[0].text, LAUNCHERS[kind], list(argv[1:]))
    launcher = LAUNCHERS.get(base)
    return (argv[0].text, launcher, list(argv[1:])) if launcher else None
