"""OOM504 jvm-flag-overridden. Published text: rules/OOM504.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.provenance import Related

RULE = "OOM504"
MEMORY_FLAGS = ("MaxHeapSize", "InitialHeapSize", "MaxRAMPercentage", "InitialRAMPercentage",
                "MinRAMPercentage", "MaxRAM", "MaxMetaspaceSize", "ReservedCodeCacheSize",
                "ThreadStackSize", "MaxDirectMemorySize", "UseContainerSupport")
# The variable each launcher documents for overriding its jvm.options (Elasticsearch
# "Set JVM options": ES_JAVA_OPTS; OpenSearch "Important settings": OPENSEARCH_JAVA_OPTS).
DOCUMENTED_OVERRIDE = {"elasticsearch": "ES_JAVA_OPTS", "opensearch": "OPENSEARCH_JAVA_OPTS"}


def _options_file(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "jvm.options" or "/jvm.options.d/" in f"/{path}"


def documented_override(config, name: str, lost) -> bool:
    """Elasticsearch/OpenSearch: a jvm.options value replaced the documented way, by the
    launcher's *_JAVA_OPTS variable or a jvm.options.d file; nothing is hidden there."""
    var = DOCUMENTED_OVERRIDE.get(getattr(config, "launcher", ""))
    if var is None:
        return False
    source = getattr(config, "source_of", {}).get(name, "")
    return (source == var or _options_file(source)) and all(_options_file(o.loc.path) for o in lost)


def check(ctx, opts):
    host = ctx.host
    seen = set()
    for j in host.jvms:
        for name in MEMORY_FLAGS:
            s = j.config.flags.get(name)
            if s is None or not s.overrides or (s.loc, name) in seen:
                continue
            # built-in defaults (Elasticsearch's system options) carry line 0: not written
            lost = [o for o in s.overrides
                    if o.value != s.value and o.loc != s.loc and o.loc.line > 0]
            if not lost or documented_override(j.config, name, lost):
                continue
            seen.add((s.loc, name))
            first = lost[-1]
            yield Finding(
                RULE,
                f"{j.name}: {first.raw} is silently overridden by {s.raw}, which the JVM reads "
                "later; the value in effect is not the one written at the earlier line",
                s.loc,
                subject=(j.name, name),
                related=tuple(Related(o.loc, f"overridden: {o.raw}") for o in lost),
            )
