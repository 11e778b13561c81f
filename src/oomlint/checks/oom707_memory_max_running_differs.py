"""OOM707 memory-max-running-differs. Published text: rules/OOM707.yaml."""

from __future__ import annotations

from oomlint.base.findings import Finding
from oomlint.base.grammar.c import PAGE_SIZE
from oomlint.base.provenance import Related
from oomlint.checks.oom7_live import live_of, size
from oomlint.model.host import TEMPLATED

RULE = "OOM707"


def check(ctx, opts):
    live = live_of(ctx)
    host = ctx.host
    if live is None:
        return
    for name, unit in sorted(host.units.items()):
        if not unit.files or unit.masked or unit.type not in ("service", "slice", "scope"):
            continue
        cg = live.cgroup_of_unit(name)
        if cg is None or cg.max is None or cg.max_loc is None:
            continue
        setting = unit.get("MemoryMax")
        if setting is not None and setting.value is TEMPLATED:
            continue
        limit = unit.memory_limit("MemoryMax")
        configured = limit.resolve(host.ram) if limit is not None else None
        if limit is not None and configured is None:
            continue  # a percentage of unknown RAM
        if configured is not None:
            configured = configured // PAGE_SIZE * PAGE_SIZE  # the kernel counts pages
        running = cg.max.bytes
        if running == configured:
            continue
        file = "memory.max" if cg.version == 2 else "memory.limit_in_bytes"
        want = f"MemoryMax={size(configured)}" if configured is not None else "no MemoryMax"
        have = size(running) if running is not None else "max (no limit)"
        yield Finding(
            RULE, f"{name}: the unit files say {want}, but its cgroup's {file} is {have}: "
            "set at run time (systemctl set-property --runtime) or the files changed without "
            "a daemon-reload and restart",
            setting.loc if setting is not None else unit.service_header(),
            subject=(name, "MemoryMax"), related=(Related(cg.max_loc, f"running {file}"),))
