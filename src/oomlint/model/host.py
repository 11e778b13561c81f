"""What oomlint knows about a host once its files are read the way the real programs read
them. Checks read only this; they never open files. Each fact has one home here: a unit's
environment and command lines (`Unit.env`, `Unit.commands`), its memory cap
(`Host.memory_cap`), CommitLimit (`Host.commit_limit`), the hugetlb pool, dphys-swapfile's
sizes and system.conf's unit defaults."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from oomlint.base.findings import Finding, Pragma
from oomlint.base.grammar.c import PAGE_SIZE
from oomlint.base.grammar.systemd import MemoryLimit
from oomlint.base.provenance import Loc, Setting
from oomlint.parsers.systemd_exec import JvmOption
from oomlint.parsers.systemd_unit import Assignment, UnitFile

VENDOR_UNIT_DIRS = ("/usr/lib/systemd/", "/lib/systemd/", "/usr/local/lib/systemd/")
MEMORY_KEYS = ("MemoryMin", "MemoryLow", "MemoryHigh", "MemoryMax", "MemorySwapMax",
               "MemoryZSwapMax", "MemoryLimit")


class Templated:
    """A value written as a template expression (``{{ mem }}``): present, but unknown."""

    def __repr__(self) -> str:
        return "TEMPLATED"


TEMPLATED = Templated()


@dataclass(frozen=True)
class Ignored:
    """An assignment systemd (or the kernel) logs and ignores, with the reason."""

    assignment: Assignment
    reason: str
    hint: str = ""


Env = dict[str, tuple[str, Loc]]  # variable -> (value, the line that set it)
Command = tuple[tuple[JvmOption, ...], Loc]  # an expanded command line and its ExecStart= line


@dataclass(frozen=True)
class Environment:
    """The environment systemd gives a service's processes (systemd.exec(5)):
    ``Environment=`` assignments in order, then every ``EnvironmentFile=`` (later files and
    lines win, files over ``Environment=``), each value with the line that set it. Built
    once per unit by model/systemd_exec.py `load_exec`."""

    variables: Env = field(default_factory=dict)
    files: tuple[str, ...] = ()  # the environment files read, tree-relative, in order
    # A missing mandatory EnvironmentFile=: (line, what is written, why the unit does not start).
    refused: tuple[tuple[Loc, str, str], ...] = ()

    def get(self, name: str) -> str | None:
        got = self.variables.get(name)
        return got[0] if got is not None else None


def list_entries(setting: Setting | None) -> list[tuple[str, Loc]]:
    """The entries of a list directive (``Environment=``, ``EnvironmentFile=``,
    ``ExecStart=``) with the line each was written on: the assignment chain replayed, an
    empty assignment resetting the list (model/systemd_units.py keeps the chain in `overrides`)."""
    if setting is None:
        return []
    entries: list[tuple[str, Loc]] = []
    for s in (*setting.overrides, setting):
        if s.raw == "":
            entries = []
        else:
            entries.append((s.raw, s.loc))
    return entries


@dataclass
class Unit:
    """One loaded unit: its fragment, drop-ins, and the effective values of the directives
    oomlint reasons about (`settings`, keyed by directive name; a value of None means the
    directive was reset to its default by an empty assignment)."""

    name: str
    fragment: UnitFile | None
    dropins: list[UnitFile] = field(default_factory=list)
    masked: bool = False
    aliases: tuple[str, ...] = ()
    template: str | None = None  # "foo@.service" for an instance or template
    settings: dict[str, Setting] = field(default_factory=dict)
    ignored: list[Ignored] = field(default_factory=list)
    slice_chain: tuple[str, ...] = ()  # nearest first, ending with "-.slice"
    env: Environment = field(default_factory=Environment)  # services with a unit file
    commands: tuple[Command, ...] = ()  # every ExecStart=, expanded with `env`
    load_error: str = ""  # why systemd refuses to load the unit (load state "error")

    @property
    def type(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def files(self) -> list[UnitFile]:
        return ([self.fragment] if self.fragment else []) + self.dropins

    @property
    def admin_files(self) -> list[UnitFile]:
        """Files outside the vendor directories: what the admin (or the repo) wrote."""
        return [f for f in self.files if not is_vendor_path(f.path)]

    @property
    def admin_owned(self) -> bool:
        return bool(self.admin_files)

    def get(self, key: str) -> Setting | None:
        s = self.settings.get(key)
        return s if s is not None and s.value is not None else None

    def memory(self, key: str) -> Setting[MemoryLimit | Templated] | None:
        return self.get(key)

    def exec_argv(self) -> list[str]:
        """The last ExecStart= command line as systemd runs it: prefixes stripped from the
        executable, ``$VAR`` and ``${VAR}`` expanded from the unit's environment."""
        return [w.text for w in self.commands[-1][0]] if self.commands else []

    def memory_limit(self, key: str) -> MemoryLimit | None:
        """The effective Memory*= value; None when unset, reset, templated or infinity."""
        s = self.get(key)
        return s.value if s is not None and isinstance(s.value, MemoryLimit) and \
            not s.value.infinity else None

    def caps_memory(self) -> bool:
        """MemoryMax= or MemoryHigh= with a real limit (or a template expression)."""
        for key in ("MemoryMax", "MemoryHigh"):
            s = self.get(key)
            if s is not None and (s.value is TEMPLATED or not s.value.infinity):
                return True
        return False

    def service_header(self) -> Loc:
        """The `[Service]` header of the file that should carry a missing directive: the
        unit file when the admin owns it, else the admin's last drop-in."""
        files = self.admin_files or self.files
        if self.fragment is not None and self.fragment in files:
            files = [self.fragment]
        for f in reversed(files):
            if "Service" in f.sections:
                return f.sections["Service"]
        for f in reversed(files):
            for sec in ("Slice", "Unit"):
                if sec in f.sections:
                    return f.sections[sec]
        return Loc(files[-1].path, 0) if files else Loc(self.name, 0)


def is_vendor_path(path: str) -> bool:
    p = "/" + path.lstrip("/")
    return p.startswith(VENDOR_UNIT_DIRS) and not p.startswith("/usr/local/lib/systemd/")


@dataclass(frozen=True)
class Cap:
    """A unit's binding memory cap: the smallest MemoryMax= on the unit and its slices."""

    bytes: int
    loc: Loc  # the MemoryMax= line
    owner: Unit  # the unit itself or the slice that carries it


@dataclass(frozen=True)
class CommitLimit:
    """CommitLimit under vm.overcommit_memory=2, with the values it is computed from."""

    bytes: int
    ram: int
    swap: int
    hugepages: int  # the hugetlb pool taken off RAM, bytes
    ratio: int  # vm.overcommit_ratio, percent (50 when unset)
    kbytes: int  # vm.overcommit_kbytes; when non-zero it replaces the share of RAM


@dataclass(frozen=True)
class SwapSource:
    """One configured swap area: fstab line, .swap unit, zram device or dphys-swapfile."""

    kind: str  # "fstab" | "unit" | "zram" | "dphys-swapfile" | "config"
    what: str
    loc: Loc | None
    size: int | None  # bytes, None when it cannot be known from files
    active: bool = True  # what systemd activates at boot (model/swap.py); False: `note` says why
    note: str = ""
    unit: str = ""  # the .swap unit systemd makes of it, when it is one
    mask: Loc | None = None  # the mask that keeps it from starting (its own or swap.target's)
    # Why it is not activated: "noauto", "masked", "target-masked", "refused" (systemd
    # cannot load it), "unpulled" (nothing pulls it in), "dropped" or "unstable" (a failing
    # requirement of what pulls it in), "duplicate" (a repeated fstab line),
    # "host-memory-limit" (zram); "" when active.
    reason: str = ""


@dataclass(frozen=True)
class ManagerDefaults:
    """system.conf's ``[Manager]`` defaults for units (systemd-system.conf(5)): the
    built-in value where a setting is unset or cannot be parsed."""

    start_limit_interval: float = 10.0  # DefaultStartLimitIntervalSec=, seconds
    start_limit_burst: int = 5  # DefaultStartLimitBurst=
    restart_sec: float = 0.1  # DefaultRestartSec=, seconds
    oom_policy: str = "stop"  # DefaultOOMPolicy=


OOM_POLICIES = ("continue", "stop", "kill")


@dataclass(frozen=True)
class OomPolicy:
    """A service's effective OOMPolicy= (systemd.service(5)) and where it comes from: its
    own OOMPolicy= line (`setting`); else the default, which is ``continue`` when the unit
    delegates its cgroup (`because`: the Delegate= line; systemd 252 service_add_extras()
    and scope_add_extras(): any Delegate= but a false one, the empty value included), else
    system.conf's DefaultOOMPolicy= (`because`: that line), else ``stop``."""

    value: str  # "continue" | "stop" | "kill"
    setting: Setting | None = None
    because: Setting | None = None

    @property
    def loc(self) -> Loc | None:
        s = self.setting or self.because
        return s.loc if s is not None else None

    def describe(self) -> str:
        if self.setting is not None:
            return f"OOMPolicy={self.value} ({self.setting.loc})"
        if self.because is None:
            return f"the default OOMPolicy={self.value}"
        why = f"{self.because.key}={self.because.raw} at {self.because.loc}"
        return f"the default OOMPolicy={self.value} (because of {why})"


@dataclass(frozen=True)
class DphysSwapfile:
    """/etc/dphys-swapfile as dphys-swapfile sizes its swap file, in MiB."""

    requested_mib: int | None  # CONF_SWAPSIZE, else RAM × CONF_SWAPFACTOR; None: unknown
    requested: Setting[str] | None  # the CONF_SWAPSIZE line, when it asks for a number
    cap_mib: int | None  # CONF_MAXSWAP (2048 when unset); None: set empty, no cap
    cap: Setting[str] | None  # the CONF_MAXSWAP line
    size_mib: int | None  # what it creates: the request, capped
    factor: Setting[str] | None = None  # the CONF_SWAPFACTOR line the request came from
    ram_mib: int | None = None  # the RAM (MiB) that request was computed from


@dataclass
class DatabaseInstance:
    """A database server's configuration, tied to the unit that runs it (None: standalone)."""

    name: str
    config: object  # model.databases.DatabaseConfig
    unit: Unit | None
    loc: Loc  # the configuration's main file, where budget findings point


@dataclass
class JvmInstance:
    """A JVM started by a unit, with its effective flags and sizes (model.jvm.JvmConfig)."""

    name: str
    config: object
    unit: Unit
    visible_ram: int | None  # the memory its heap ergonomics saw
    cap: Cap | None  # the unit's binding MemoryMax (unit or slice), `Host.memory_cap`

    @property
    def limit(self) -> int | None:
        return self.cap.bytes if self.cap is not None else None

    @property
    def limit_loc(self) -> Loc | None:
        return self.cap.loc if self.cap is not None else None


@dataclass
class PhpFpmInstance:
    """A php-fpm master and its pools (model.php_fpm.PhpFpmConfig), tied to its unit."""

    name: str
    config: object
    unit: Unit | None
    loc: Loc  # php-fpm.conf, where budget findings point


@dataclass
class RedisInstance:
    """A redis-server or valkey-server (model.redis.RedisConfig), tied to its unit."""

    name: str
    config: object
    unit: Unit | None
    loc: Loc  # redis.conf (or the unit's ExecStart= when it names no file)


@dataclass(frozen=True)
class Recognised:
    """What the loader steps found where the owning programs look for it (model/build.py
    counts it once the steps ran). A host where every count is zero holds nothing oomlint
    checks: it is reported once (OOM008) and no other rule judges it."""

    units: int = 0  # unit files, drop-ins and masks on the systemd unit search path
    manager_files: int = 0  # system.conf and system.conf.d/*.conf
    sysctl_files: int = 0  # sysctl.d(5) files and /etc/sysctl.conf
    swap_files: int = 0  # /etc/fstab, zram-generator.conf (and .d/), /etc/dphys-swapfile
    swap_sources: int = 0  # the swap areas they configure (`Host.swaps`)
    databases: int = 0  # MySQL/MariaDB and PostgreSQL configurations (`Host.databases`)
    jvms: int = 0  # services that start a JVM (`Host.jvms`)
    php_fpm: int = 0  # php-fpm configurations (`Host.php_fpm`)
    redis: int = 0  # Redis / Valkey servers (`Host.redis`)
    unread: int = 0  # files found there that could not be read (OOM001-OOM004, OOM006)
    live: int = 0  # running values read from /proc, /sys and the kernel log (oomlint audit)

    @property
    def nothing(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


@dataclass
class Host:
    """One host: a checked directory tree, or a set of loose files."""

    name: str
    loose: bool = False
    ram: int | None = None
    ram_source: str = ""
    swap_override: int | None = None  # --swap / config swap
    units: dict[str, Unit] = field(default_factory=dict)
    sysctl: dict[str, Setting[str]] = field(default_factory=dict)
    sysctl_ignored: list[Ignored] = field(default_factory=list)
    # Assignments of an /etc/sysctl.conf that no sysctl.d entry links: systemd-sysctl never
    # reads them (model/sysctl.py; OOM310).
    sysctl_not_applied: list[Setting[str]] = field(default_factory=list)
    manager: dict[str, Setting[str]] = field(default_factory=dict)
    manager_files: list[UnitFile] = field(default_factory=list)
    manager_defaults: ManagerDefaults = field(default_factory=ManagerDefaults)
    swaps: list[SwapSource] = field(default_factory=list)
    dphys: dict[str, Setting[str]] = field(default_factory=dict)  # CONF_* as written
    dphys_swapfile: DphysSwapfile | None = None
    problems: list[Finding] = field(default_factory=list)
    pragmas: list[Pragma] = field(default_factory=list)
    databases: list[DatabaseInstance] = field(default_factory=list)
    jvms: list[JvmInstance] = field(default_factory=list)
    # services that look like a JVM but cannot be modelled (model/jvm_launch.py JvmUnmodelled)
    jvm_unmodelled: list = field(default_factory=list)
    php_fpm: list[PhpFpmInstance] = field(default_factory=list)
    redis: list[RedisInstance] = field(default_factory=list)
    db_flavors: dict[str, str] = field(default_factory=dict)  # assumed server versions
    # unit name -> the scalar keys (dotted, with their lines) of the YAML configuration its
    # program reads: kubelet's --config file, elasticsearch.yml / opensearch.yml
    # (model/services.py `load_program_configs`; analysis/roles.py reads them).
    program_configs: dict[str, dict[str, tuple[str, Loc]]] = field(default_factory=dict)
    recognised: Recognised | None = None  # None: not built by model/build.py
    # The running values of an audited machine (model/live.py `LiveHost`); None for a tree
    # checked by `oomlint check`.
    live: object | None = None

    @property
    def nothing_recognised(self) -> bool:
        """Nothing oomlint reads was found: no rule other than the input rules judges it."""
        return self.recognised is not None and self.recognised.nothing

    # -- derived facts used by several checks ---------------------------------------------

    @property
    def services(self) -> list[Unit]:
        return [u for n, u in sorted(self.units.items()) if u.type == "service" and not u.masked]

    def slice(self, name: str) -> Unit | None:
        return self.units.get(name)

    def memory_cap(self, unit: Unit | None, *, slices: bool = True) -> Cap | None:
        """The smallest MemoryMax= on the unit and (unless `slices` is False) its slices
        other than the root slice, which systemd never caps; percentages resolved against
        RAM. None when nothing caps the unit (unset, infinity, templated, unknown RAM)."""
        if unit is None:
            return None
        chain = [unit]
        if slices:
            chain += [self.units[s] for s in unit.slice_chain if s in self.units and s != "-.slice"]
        best: Cap | None = None
        for u in chain:
            limit = u.memory_limit("MemoryMax")
            b = limit.resolve(self.ram) if limit is not None else None
            if b is not None and (best is None or b < best.bytes):
                best = Cap(b, u.get("MemoryMax").loc, u)
        return best

    def oom_policy(self, unit: Unit) -> OomPolicy | None:
        """The effective OOMPolicy= of a service or scope (`OomPolicy`); None for other unit
        types and when it (or the Delegate= it defaults by) is a template expression."""
        if unit.type not in ("service", "scope"):
            return None
        own = unit.get("OOMPolicy")
        if own is not None:
            return OomPolicy(own.value, own) if own.value in OOM_POLICIES else None
        delegate = unit.get("Delegate")
        if delegate is not None and delegate.value is TEMPLATED:
            return None  # the default depends on a value a template expression hides
        if delegate is not None and delegate.value is True:
            return OomPolicy("continue", because=delegate)
        mgr = self.manager.get("DefaultOOMPolicy")
        default = self.manager_defaults.oom_policy
        if mgr is not None and mgr.value == default:
            return OomPolicy(default, because=mgr)
        return OomPolicy(default)

    def capping_slice(self, unit: Unit) -> Unit | None:
        """The nearest slice above the unit (not the root slice) that caps its memory."""
        for name in unit.slice_chain:
            sl = self.units.get(name)
            if sl is not None and name != "-.slice" and sl.caps_memory():
                return sl
        return None

    @property
    def swap_configured(self) -> bool:
        return any(s.active for s in self.swaps) or bool(self.swap_override)

    @property
    def swap_bytes(self) -> int | None:
        """Total swap in bytes: --swap/config when given, else the sum of known sizes;
        None when some active area's size cannot be known."""
        if self.swap_override is not None:
            return self.swap_override
        active = [s for s in self.swaps if s.active]
        if any(s.size is None for s in active):
            return None
        return sum(s.size or 0 for s in active)

    def hugepage_pool(self, page_size: int) -> int:
        """Bytes reserved by vm.nr_hugepages pages of `page_size` (0 when unset)."""
        n = self.sysctl_int("vm.nr_hugepages")
        return n.value * page_size if n is not None and n.value > 0 else 0

    def commit_limit(self, hugepages: int) -> CommitLimit | None:
        """mm/util.c ``vm_commit_limit()``: vm.overcommit_kbytes, else (RAM - the hugetlb
        pool of `hugepages` bytes) × vm.overcommit_ratio%, plus swap, counted in pages. None
        unless vm.overcommit_memory=2, or when RAM or the swap size is unknown."""
        mode = self.sysctl_int("vm.overcommit_memory")
        swap = self.swap_bytes
        if mode is None or mode.value != 2 or self.ram is None or swap is None:
            return None
        ratio_s = self.sysctl_int("vm.overcommit_ratio")
        kbytes_s = self.sysctl_int("vm.overcommit_kbytes")
        ratio = ratio_s.value if ratio_s is not None else 50
        kbytes = kbytes_s.value if kbytes_s is not None else 0
        swap_pages = swap // PAGE_SIZE
        if kbytes:
            pages = kbytes * 1024 // PAGE_SIZE + swap_pages
        else:
            pages = (self.ram // PAGE_SIZE - hugepages // PAGE_SIZE) * ratio // 100 + swap_pages
        return CommitLimit(pages * PAGE_SIZE, self.ram, swap, hugepages, ratio, kbytes)

    def sysctl_int(self, key: str) -> Setting[int] | None:
        """An effective integer sysctl; None when unset or not an integer."""
        s = self.sysctl.get(key)
        if s is None or not isinstance(s.value, int):
            return None
        return s
