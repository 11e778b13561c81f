"""What this host is, as far as rules whose meaning depends on it are concerned: a pure
function of the `Host` (units' names and ExecStart= argv, the kubelet's and Elasticsearch's
own configuration as the model read it), with the file:line that shows each role.

One place, used by the checks that a role makes quiet:

- **search** (Elasticsearch/OpenSearch): no swap is the vendor's instruction (OOM301);
  `memory_lock` records `LimitMEMLOCK=infinity` or `bootstrap.memory_lock: true`.
- **kubelet**: swap is refused unless `failSwapOn: false` (or `--fail-swap-on=false`) is
  configured (OOM301); `vm.overcommit_memory=1` is what the kubelet sets, and requires under
  `protectKernelDefaults` (OOM303).
- **redis** (Redis, Valkey, KeyDB): `vm.overcommit_memory=1` is the admin guide's setting (OOM303).
- **container runtime** (containerd, dockerd): the containers run in scopes or slices of
  their own, not in the daemon's cgroup (OOM202).
- **dedicated**: the host's single big service, a database server or search node (OOM202).
"""

from __future__ import annotations

from dataclasses import dataclass

from oomlint.base.grammar.yaml import yaml_bool
from oomlint.base.provenance import Loc
from oomlint.model.host import Host, Unit
from oomlint.model.services import (
    CONTAINER_RUNTIME_BINARIES,
    CONTAINER_RUNTIME_UNITS,
    KUBELET_BINARIES,
    KUBELET_UNITS,
    REDIS_BINARIES,
    REDIS_TEMPLATES,
    REDIS_UNITS,
    SEARCH_BINARIES,
    SEARCH_UNITS,
    is_program,
)


@dataclass(frozen=True)
class Role:
    """One service in a role, and the line that shows it (its ExecStart=, else its header)."""

    unit: str
    loc: Loc
    what: str  # "Elasticsearch", "kubelet", "Redis", "containerd", ...


@dataclass(frozen=True)
class Fact:
    """A configured value that changes what a rule means: where it is, as written."""

    text: str
    loc: Loc


@dataclass(frozen=True)
class Roles:
    search: tuple[Role, ...] = ()
    kubelet: tuple[Role, ...] = ()
    redis: tuple[Role, ...] = ()
    container_runtime: tuple[Role, ...] = ()
    dedicated: Role | None = None
    memory_lock: Fact | None = None  # on a search node
    kubelet_swap_allowed: Fact | None = None  # failSwapOn: false
    kubelet_protect_kernel_defaults: Fact | None = None  # protectKernelDefaults: true

    def units(self, *names: str) -> set[str]:
        """The unit names in the given roles."""
        out: set[str] = set()
        for n in names:
            got = getattr(self, n)
            out |= {got.unit} if isinstance(got, Role) else {r.unit for r in got or ()}
        return out


def _exec_loc(unit: Unit) -> Loc:
    s = unit.settings.get("ExecStart")
    return s.loc if s is not None else unit.service_header()


def _what(unit: Unit, names: dict[str, str]) -> str:
    text = f"{unit.name} {' '.join(unit.exec_argv()[:1])}"
    return next((label for key, label in names.items() if key in text), unit.name)


def _flag(argv: list[str], name: str) -> tuple[str, int] | None:
    value = None
    for i, w in enumerate(argv):
        if w.startswith(name + "="):
            value = (w.split("=", 1)[1], i)
        elif w == name and i + 1 < len(argv):
            value = (argv[i + 1], i)
    return value


def _kubelet_facts(host: Host, unit: Unit) -> tuple[Fact | None, Fact | None]:
    """failSwapOn: false and protectKernelDefaults: true, from the flags (which win over the
    config file, kubelet's documented precedence) or the KubeletConfiguration file."""
    conf = host.program_configs.get(unit.name, {})
    argv = unit.exec_argv()
    loc = _exec_loc(unit)
    out = []
    for flag, key, wanted in (("--fail-swap-on", "failSwapOn", False),
                              ("--protect-kernel-defaults", "protectKernelDefaults", True)):
        got = _flag(argv, flag)
        if got is not None:
            value = yaml_bool(got[0]) if got[0] else True
            out.append(Fact(f"{flag}={got[0]}", loc) if value is wanted else None)
            continue
        if key in conf:
            text, where = conf[key]
            out.append(Fact(f"{key}: {text}", where) if yaml_bool(text) is wanted else None)
        else:
            out.append(None)
    return out[0], out[1]


def _memory_lock(host: Host, unit: Unit) -> Fact | None:
    limit = unit.get("LimitMEMLOCK")
    if limit is not None and str(limit.value).strip().lower() in ("infinity", "unlimited"):
        return Fact(f"LimitMEMLOCK={limit.raw}", limit.loc)
    for w in unit.exec_argv():
        if w.replace(" ", "") in ("-Ebootstrap.memory_lock=true",):
            return Fact(w, _exec_loc(unit))
    got = host.program_configs.get(unit.name, {}).get("bootstrap.memory_lock")
    if got is not None and yaml_bool(got[0]):
        return Fact(f"bootstrap.memory_lock: {got[0]}", got[1])
    return None


def host_roles(host: Host) -> Roles:
    search, kubelet, redis, runtime = [], [], [], []
    lock = swap_ok = protect = None
    for unit in host.services:
        if unit.fragment is None:
            continue
        if is_program(unit, SEARCH_BINARIES, SEARCH_UNITS):
            search.append(Role(unit.name, _exec_loc(unit), _what(
                unit, {"opensearch": "OpenSearch", "": "Elasticsearch"})))
            lock = lock or _memory_lock(host, unit)
        elif is_program(unit, KUBELET_BINARIES, KUBELET_UNITS):
            kubelet.append(Role(unit.name, _exec_loc(unit), "kubelet"))
            s, p = _kubelet_facts(host, unit)
            swap_ok, protect = swap_ok or s, protect or p
        elif is_program(unit, REDIS_BINARIES, REDIS_UNITS, REDIS_TEMPLATES):
            redis.append(Role(unit.name, _exec_loc(unit), _what(
                unit, {"valkey": "Valkey", "keydb": "KeyDB", "": "Redis"})))
        elif is_program(unit, CONTAINER_RUNTIME_BINARIES, CONTAINER_RUNTIME_UNITS):
            runtime.append(Role(unit.name, _exec_loc(unit), _what(
                unit, {"containerd": "containerd", "": "dockerd"})))
    # The dedicated node: one database server or search node and no other big service
    # (database, search node or JVM; a unit counts once).
    big: dict[str, Role] = {r.unit: r for r in search}
    for j in host.jvms:
        big.setdefault(j.unit.name, Role(j.unit.name, _exec_loc(j.unit), "JVM"))
    for db in host.databases:
        if db.unit is None:
            big[db.name] = Role(db.name, db.loc, db.config.kind)
        else:
            big.setdefault(db.unit.name, Role(db.unit.name, _exec_loc(db.unit), db.config.kind))
    only = next(iter(big.values())) if len(big) == 1 else None
    dedicated = only if only is not None and only.what != "JVM" else None
    return Roles(tuple(search), tuple(kubelet), tuple(redis), tuple(runtime), dedicated,
                 lock, swap_ok, protect)


# -- what the roles change, one function per rule that asks ---------------------------------


def no_swap_reason(roles: Roles) -> str | None:
    """Why no swap is the vendor's instruction on this host (OOM301 stays quiet), or None."""
    if roles.search:
        r = roles.search[0]
        lock = f", memory locked by {roles.memory_lock.text}" if roles.memory_lock else ""
        return (f"{r.unit} is an {r.what} node{lock}: Elastic's \"Disable swapping\" asks for "
                "swap to be disabled")
    if roles.kubelet and roles.kubelet_swap_allowed is None:
        return (f"{roles.kubelet[0].unit} runs the kubelet, which refuses to start with swap "
                "on unless failSwapOn: false is configured")
    return None


def overcommit_always_reason(roles: Roles) -> str | None:
    """Why vm.overcommit_memory=1 is required here (OOM303 stays quiet), or None."""
    if roles.redis:
        return f"{roles.redis[0].unit} runs {roles.redis[0].what}, whose admin guide asks for it"
    if roles.kubelet:
        how = ("requires it (protectKernelDefaults)" if roles.kubelet_protect_kernel_defaults
               else "sets it at start")
        return f"{roles.kubelet[0].unit} runs the kubelet, which {how}"
    return None


def memory_max_exempt(roles: Roles) -> dict[str, str]:
    """Units that need no MemoryMax= of their own (OOM202 stays quiet), with the reason."""
    out = {r.unit: f"{r.what}'s containers run in cgroups of their own, not in the daemon's"
           for r in roles.container_runtime}
    if roles.dedicated is not None:
        out[roles.dedicated.unit] = (f"the host's single big service ({roles.dedicated.what}): "
                                     "a dedicated node")
    return out
