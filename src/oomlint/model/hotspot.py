"""A JVM's memory sizing, resolved from its flags the way HotSpot 17 resolves them.

`resolve_jvm` sizes every region:

- heap (`ergonomic_heap`): HotSpot ``Arguments::set_heap_size()`` (runtime/arguments.cpp),
  ``GCArguments::initialize_heap_flags_and_sizes()`` (gc/shared/gcArguments.cpp), the G1
  region size (``HeapRegion::setup_heap_region_size``, gc/g1/heapRegion.cpp), Shenandoah's
  (``ShenandoahHeapRegion::setup_sizes``), GC selection (``GCConfig::select_gc`` and
  ``os::is_server_class_machine``) and the compressed-oops limit
  (``max_heap_for_compressed_oops``);
- metaspace (unbounded unless MaxMetaspaceSize), code cache (240 MiB with tiered
  compilation, 48 MiB without: compiler/compilerDefinitions.cpp), thread stacks (1 MiB on
  x86-64, 2 MiB on aarch64: globals_linux_{x86,aarch64}.hpp), direct memory
  (MaxDirectMemorySize, else ``Runtime.maxMemory()``: jdk.internal.misc.VM; below the heap
  with Serial and Parallel, `runtime_max_memory`).

Every number was checked against OpenJDK 17.0.15 (tests/data/jvm/expected.yaml and
direct_memory.yaml, recorded by tests/data/jvm/record.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence, Union

from oomlint.base.findings import Pragma
from oomlint.base.grammar.c import GIB, KIB, MIB, UINT64_MAX
from oomlint.base.grammar.host import format_size
from oomlint.base.provenance import Loc, Setting
from oomlint.parsers.hotspot_flags import JvmFlags

# gc_globals.hpp / globals.hpp defaults on 64-bit Linux (ScaleForWordSize(x) =
# align_down(x * 13 / 10, 8)).
DEFAULT_MAX_HEAP = 130862280  # MaxHeapSize = ScaleForWordSize(96M)
DEFAULT_NEW_SIZE = 1363144  # NewSize = ScaleForWordSize(1M)
DEFAULT_OLD_SIZE = 5452592  # OldSize = ScaleForWordSize(4M)
DEFAULT_MAX_RAM = 128 * GIB  # MaxRAM, pd default of the 64-bit server VM
DEFAULT_PERCENTAGES = (25.0, 50.0, 1.5625)  # MaxRAMPercentage, MinRAMPercentage, InitialRAMPercentage
HEAP_BASE_MIN_ADDRESS = 2 * GIB
CARD_TABLE_ALIGNMENT = 2 * MIB  # CardTable::ct_max_alignment_constraint(): 512-byte cards x 4 KiB pages
OOP_ENCODING_HEAP_MAX = 32 * GIB  # 2**32 x ObjectAlignmentInBytes 8
SERVER_CLASS_MEMORY = 2 * GIB - 256 * MIB  # os::is_server_class_machine()
CODE_CACHE_DEFAULT = 48 * MIB  # ReservedCodeCacheSize, globals_x86.hpp (C2)
CODE_CACHE_TIERED = 5 * CODE_CACHE_DEFAULT  # CompilerConfig: x5 with tiered compilation
CODE_CACHE_LIMIT = 2 * GIB  # CODE_CACHE_SIZE_LIMIT
INITIAL_CODE_CACHE = 2496 * KIB  # InitialCodeCacheSize on x86-64
THREAD_STACK_DEFAULT = {"x86_64": 1 * MIB, "aarch64": 2 * MIB}  # globals_linux_*.hpp ThreadStackSize
MIN_JAVA_THREAD_STACK = 136 * KIB  # os::Posix::set_minimum_stack_sizes() on x86-64 Linux
GC_FLAGS = (("UseSerialGC", "Serial"), ("UseParallelGC", "Parallel"), ("UseG1GC", "G1"),
            ("UseZGC", "Z"), ("UseShenandoahGC", "Shenandoah"), ("UseEpsilonGC", "Epsilon"))
JVM_ENV = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
ES_SYSTEM_OPTIONS = ("-XX:+AlwaysPreTouch", "-Xss1m")  # SystemJvmOptions.java (memory-relevant)

Flags = Union[JvmFlags, Mapping[str, Setting]]


@dataclass(frozen=True)
class Sizing:
    """One memory region: bytes (None: unbounded or unknown, see `how`), how the number was
    derived, and the effective flag it came from (None when derived)."""

    bytes: int | None
    how: str
    setting: Setting | None = None

    @property
    def loc(self) -> Loc | None:
        return self.setting.loc if self.setting is not None else None

    @property
    def label(self) -> str:
        """The flag as written when one sets it, else how the size was derived."""
        return self.setting.raw if self.setting is not None else self.how


@dataclass(frozen=True)
class HeapSizing:
    """`ergonomic_heap`'s answer: the maximum and initial heap, the collector, whether
    compressed oops stay on, the heap alignment, and HotSpot's messages when the VM would
    refuse to start."""

    max_heap: Sizing
    initial_heap: Sizing
    gc: str
    compressed_oops: bool
    alignment: int | None
    refused: tuple[tuple[Setting | None, str], ...] = ()


@dataclass
class JvmConfig:
    """A JVM's effective flags and the memory they let it use, every number with its
    provenance. `sources` lists the files and environment variables read, in order;
    `refused` what the launcher or JVM refuses, as (Loc, option as written, reason)."""

    flags: dict[str, Setting]
    jdk_major: int
    sources: list[str]
    refused: list[tuple[Loc, str, str]]
    max_heap: Sizing
    initial_heap: Sizing
    metaspace: Sizing
    code_cache: Sizing
    thread_stack: Sizing
    direct_memory: Sizing
    gc: str = "G1"
    compressed_oops: bool = True
    launcher: str = "java"
    loc: Loc | None = None  # the ExecStart= line that starts the JVM
    pragmas: list[Pragma] = field(default_factory=list)  # inline suppressions of the files read
    templated: tuple[Loc, ...] = ()  # modelled options written as template expressions (unknown)
    source_of: dict[str, str] = field(default_factory=dict)  # effective flag -> its source's label

    def settings(self) -> dict[str, int | None]:
        """The sizes in bytes, None where there is no limit (metaspace) or it is unknown."""
        return {
            "max_heap_bytes": self.max_heap.bytes,
            "max_metaspace_bytes": self.metaspace.bytes,
            "reserved_code_cache_bytes": self.code_cache.bytes,
            "thread_stack_bytes": self.thread_stack.bytes,
            "max_direct_memory_bytes": self.direct_memory.bytes,
        }


# ======================================================================================
# Heap ergonomics
# ======================================================================================


def _settings(flags: Flags) -> Mapping[str, Setting]:
    return flags.settings if isinstance(flags, JvmFlags) else flags


def _value(s: Mapping[str, Setting], name: str, default: Any = None) -> Any:
    setting = s.get(name)
    return default if setting is None else setting.value


def _where(setting: Setting) -> str:
    return f"{setting.raw} ({setting.loc})"


def _align_up(value: int, alignment: int) -> int:
    return -(-value // alignment) * alignment


def _pow2_up(value: int) -> int:
    return 1 << max(value - 1, 0).bit_length()


def _pow2_down(value: int) -> int:
    return 1 << (max(value, 1).bit_length() - 1)


def select_gc(s: Mapping[str, Setting], visible_ram: int | None, cpus: int | None,
              jdk_major: int) -> tuple[str, str | None]:
    """The collector (``GCConfig::select_gc``): the one selected with ``-XX:+Use...GC``,
    else G1 on a server-class machine (2+ CPUs and 1792+ MiB the JVM sees;
    ``os::is_server_class_machine``) and Serial otherwise; JDK 8 picks Parallel instead of
    G1. Unknown CPUs or memory count as server class. Returns (gc, refusal message)."""
    chosen = [gc for flag, gc in GC_FLAGS if _value(s, flag) is True]
    if len(chosen) > 1:
        return chosen[-1], "Multiple garbage collectors selected"
    if chosen:
        return chosen[0], None
    active = _value(s, "ActiveProcessorCount", -1)
    cpus = active if active > 0 else cpus
    server = (cpus is None or cpus >= 2) and (visible_ram is None or visible_ram >= SERVER_CLASS_MEMORY)
    gc = ("G1" if jdk_major >= 9 else "Parallel") if server else "Serial"
    flag = next(f for f, g in GC_FLAGS if g == gc)
    if _value(s, flag) is False:
        return gc, "Garbage collector not selected (default collector explicitly disabled)"
    return gc, None


def _conservative_alignment(gc: str) -> int:
    """``conservative_max_heap_alignment()``: G1's largest region (32 MiB in JDK 17),
    Shenandoah's (32 MiB), the card-table alignment for the others."""
    return 32 * MIB if gc in ("G1", "Shenandoah") else CARD_TABLE_ALIGNMENT


def max_heap_for_compressed_oops(gc: str) -> int:
    """``Arguments::max_heap_for_compressed_oops()``: 32 GiB less the null page padded to
    the GC's conservative alignment (32 GiB - 32 MiB with G1, - 2 MiB with Serial)."""
    return OOP_ENCODING_HEAP_MAX - _conservative_alignment(gc)


def heap_alignment(gc: str, max_heap: int, s: Mapping[str, Setting], jdk_major: int = 17) -> int:
    """``HeapAlignment``: G1 the larger of the card-table alignment (2 MiB) and the region
    size (``-XX:G1HeapRegionSize``, else MaxHeapSize / 2048 rounded up to a power of two,
    1-32 MiB); Shenandoah its region size (MaxHeapSize / 2048 clamped to 256 KiB-32 MiB,
    rounded down to a power of two); 2 MiB for Serial, Parallel, Z and Epsilon."""
    if gc == "G1":
        explicit = _value(s, "G1HeapRegionSize", 0)
        region = explicit or max(max_heap // 2048, MIB)
        # ergonomic regions stop at 32 MiB; from JDK 18 an explicit one may be up to 512 MiB
        largest = 512 * MIB if explicit and jdk_major >= 18 else 32 * MIB
        region = min(max(_pow2_up(region), MIB), largest)
        return max(CARD_TABLE_ALIGNMENT, region)
    if gc == "Shenandoah":
        return _pow2_down(min(max(max_heap // 2048, 256 * KIB), 32 * MIB))
    return CARD_TABLE_ALIGNMENT


def _percentages(s: Mapping[str, Setting]) -> tuple[float, float, float]:
    """MaxRAMPercentage, MinRAMPercentage, InitialRAMPercentage; a deprecated ``*Fraction``
    counts as 100/fraction when the percentage itself is not set."""
    out = []
    for i, (pct, frac) in enumerate((("MaxRAMPercentage", "MaxRAMFraction"),
                                     ("MinRAMPercentage", "MinRAMFraction"),
                                     ("InitialRAMPercentage", "InitialRAMFraction"))):
        if pct in s:
            out.append(float(s[pct].value))
        elif frac in s:
            out.append(100.0 / s[frac].value)
        else:
            out.append(DEFAULT_PERCENTAGES[i])
    return out[0], out[1], out[2]


_OVERRIDE_FLAGS = ("MaxRAMPercentage", "MaxRAMFraction", "MinRAMPercentage", "MinRAMFraction",
                   "InitialRAMPercentage", "InitialRAMFraction", "MaxRAM")


def _phys_mem(visible_ram: int | None, s: Mapping[str, Setting], ram_note: str
              ) -> tuple[int | None, bool, str]:
    """``set_heap_size()``'s memory base: an explicit -XX:MaxRAM as given, else the memory
    the JVM sees (`visible_ram`), capped at the 128 GiB MaxRAM default unless one of the
    RAM percentage/fraction flags is set ("override_coop_limit")."""
    override = any(name in s for name in _OVERRIDE_FLAGS)
    if "MaxRAM" in s:
        return s["MaxRAM"].value, override, f"MaxRAM {format_size(s['MaxRAM'].value)} ({_where(s['MaxRAM'])})"
    if visible_ram is None:
        return None, override, f"{ram_note} (unknown)"
    if not override and visible_ram > DEFAULT_MAX_RAM:
        return DEFAULT_MAX_RAM, override, "the MaxRAM default 128 GiB"
    return visible_ram, override, f"{format_size(visible_ram)} ({ram_note})"


def _initial_coops(s: Mapping[str, Setting], gc: str, heap_floor: int) -> bool:
    """``set_use_compressed_oops()``, before the heap is sized: on unless disabled, the GC
    is Z, or -Xms/MinHeapSize (or an explicit -Xmx) already exceed the limit."""
    if gc == "Z" or _value(s, "UseCompressedOops") is False:
        return False
    return heap_floor <= max_heap_for_compressed_oops(gc)


def _ergonomic_max(phys: int, override: bool, base: str, s: Mapping[str, Setting], gc: str,
                   coops: bool) -> tuple[int, bool, str]:
    """The maximum heap when -Xmx is not set (``set_heap_size()``)."""
    max_pct, min_pct, _ = _percentages(s)
    reasonable_max = int(phys * max_pct / 100)
    reasonable_min = int(phys * min_pct / 100)
    if reasonable_min < DEFAULT_MAX_HEAP:
        value, how = reasonable_min, (f"MinRAMPercentage {min_pct:g}% of {base}: small memory, "
                                      f"below the {format_size(DEFAULT_MAX_HEAP)} MaxHeapSize default")
    else:
        value, how = max(reasonable_max, DEFAULT_MAX_HEAP), f"MaxRAMPercentage {max_pct:g}% of {base}"
        if reasonable_max < DEFAULT_MAX_HEAP:
            how += f", raised to the {format_size(DEFAULT_MAX_HEAP)} MaxHeapSize default"
    limit = _value(s, "ErgoHeapSizeLimit", 0)
    if limit and limit < value:
        value, how = limit, f"{how}, capped by ErgoHeapSizeLimit ({_where(s['ErgoHeapSizeLimit'])})"
    if coops:
        ceiling = max_heap_for_compressed_oops(gc) - HEAP_BASE_MIN_ADDRESS
        if value > ceiling and "UseCompressedOops" not in s and override:
            coops, how = False, f"{how}; compressed oops turned off (above {format_size(ceiling)})"
        elif value > ceiling:
            value, how = ceiling, f"{how}, capped at the compressed-oops limit {format_size(ceiling)}"
    for name in ("InitialHeapSize", "MinHeapSize"):
        if name in s:
            if s[name].value > value:
                value, how = s[name].value, f"raised to {_where(s[name])}"
            break
    return value, coops, how


def _initial_heap(phys: int | None, s: Mapping[str, Setting], max_heap: int) -> tuple[int | None, str]:
    """``set_heap_size()``'s InitialHeapSize when -Xms is not set (or is 0):
    InitialRAMPercentage of the memory base, at least NewSize + OldSize, at most the max."""
    if _value(s, "InitialHeapSize", 0):
        return s["InitialHeapSize"].value, _where(s["InitialHeapSize"])
    if phys is None:
        return None, "unknown: InitialRAMPercentage of unknown memory"
    minimum = min(DEFAULT_OLD_SIZE + _value(s, "NewSize", DEFAULT_NEW_SIZE), max_heap)
    pct = _percentages(s)[2]
    value = max(int(phys * pct / 100), minimum, _value(s, "MinHeapSize", 0))
    return min(value, max_heap), f"InitialRAMPercentage {pct:g}% of {format_size(phys)}"


def _heap_checks(s: Mapping[str, Setting], max_heap: int, initial: int | None
                 ) -> list[tuple[Setting | None, str]]:
    """``GCArguments::initialize_heap_flags_and_sizes()``'s refusals, before alignment."""
    out: list[tuple[Setting | None, str]] = []
    mx, ini, mn = s.get("MaxHeapSize"), s.get("InitialHeapSize"), s.get("MinHeapSize")
    if mx is not None and ini is not None and ini.value and ini.value > mx.value:
        out.append((ini, "Initial heap size set to a larger value than the maximum heap size"))
    if mx is not None and mn is not None and mn.value and mx.value < mn.value:
        out.append((mn, "Incompatible minimum and maximum heap sizes specified"))
    if max_heap < 2 * MIB:
        out.append((mx or s.get("MaxRAM"), "Too small maximum heap"))
    if initial is not None and initial < MIB:
        out.append((ini, "Too small initial heap"))
    if mn is not None and mn.value and mn.value < MIB:
        out.append((mn, "Too small minimum heap"))
    return out


def ergonomic_heap(visible_ram: int | None, flags: Flags, *, cpus: int | None = None,
                   jdk_major: int = 17, ram_note: str = "the memory the JVM sees",
                   host_ram: int | None = None) -> HeapSizing:
    """The maximum and initial heap exactly as HotSpot 17 sizes them.

    `visible_ram` is what ``os::physical_memory()`` returns: the container limit when
    UseContainerSupport sees one (for a unit, its MemoryMax when the JDK reads the unit's
    cgroup), else the host's RAM. ``-XX:-UseContainerSupport`` switches to `host_ram`.
    -XX:MaxRAM replaces it; without percentage/fraction flags it is capped at 128 GiB.

    Without -Xmx: MaxRAMPercentage (25) of it; when MinRAMPercentage (50) of it is below the
    MaxHeapSize default (ScaleForWordSize(96M) = 124.8 MiB, i.e. under ~250 MiB) that half
    is used instead, otherwise the heap is at least 124.8 MiB; ErgoHeapSizeLimit caps it;
    with compressed oops the heap stays below 32 GiB - the GC's conservative alignment -
    HeapBaseMinAddress (2 GiB): 29.97 GiB with G1, 30 GiB - 2 MiB with Serial/Parallel,
    unless a RAM percentage/fraction/MaxRAM flag is set, which turns compressed oops off
    instead (verified: MaxRAM=128g gives 32 GiB without compressed oops); an -Xms above it
    wins. The result is aligned up to the heap alignment (`heap_alignment`).
    """
    s = _settings(flags)
    if _value(s, "UseContainerSupport") is False and host_ram is not None:
        visible_ram, ram_note = host_ram, "host RAM: -XX:-UseContainerSupport"
    gc, gc_refusal = select_gc(s, visible_ram, cpus, jdk_major)
    refused: list[tuple[Setting | None, str]] = [(None, gc_refusal)] if gc_refusal else []
    phys, override, base = _phys_mem(visible_ram, s, ram_note)
    explicit = s.get("MaxHeapSize")
    floor = max(_value(s, "InitialHeapSize", 0), _value(s, "MinHeapSize", 0),
                explicit.value if explicit else DEFAULT_MAX_HEAP)
    coops = _initial_coops(s, gc, floor)
    if explicit is not None:
        max_heap, how = explicit.value, _where(explicit)
    elif phys is None:
        unknown = Sizing(None, f"unknown: MaxRAMPercentage of {base}")
        return HeapSizing(unknown, _unknown_initial(s), gc, coops, None, tuple(refused))
    else:
        max_heap, coops, how = _ergonomic_max(phys, override, base, s, gc, coops)
    initial, initial_how = _initial_heap(phys, s, max_heap)
    refused += _heap_checks(s, max_heap, initial)
    alignment = heap_alignment(gc, max_heap, s, jdk_major)
    aligned = _align_up(max_heap, alignment)
    ini, mn = _value(s, "InitialHeapSize", 0), _value(s, "MinHeapSize", 0)
    if ini and mn and _align_up(ini, alignment) < _align_up(mn, alignment):
        refused.append((s["MinHeapSize"], "Incompatible minimum and initial heap sizes specified"))
    if aligned != max_heap:
        how += f", aligned up to {format_size(alignment)}"
    initial_sizing = Sizing(None if initial is None else _align_up(initial, alignment), initial_how,
                            s.get("InitialHeapSize") if _value(s, "InitialHeapSize", 0) else None)
    return HeapSizing(Sizing(aligned, how, explicit), initial_sizing, gc, coops, alignment,
                      tuple(refused))


def _unknown_initial(s: Mapping[str, Setting]) -> Sizing:
    if _value(s, "InitialHeapSize", 0):
        return Sizing(s["InitialHeapSize"].value, _where(s["InitialHeapSize"]), s["InitialHeapSize"])
    return Sizing(None, "unknown: InitialRAMPercentage of unknown memory")


# ======================================================================================
# Non-heap regions
# ======================================================================================


def _tiered(s: Mapping[str, Setting]) -> tuple[bool, str]:
    """Tiered compilation (C1 + C2) is on unless -XX:-TieredCompilation, -Xint or
    TieredStopAtLevel below 4 (C1 only or interpreter only)."""
    for name, off in (("TieredCompilation", False), ("Mode", "int")):
        if name in s and s[name].value == off:
            return False, _where(s[name])
    if "TieredStopAtLevel" in s and s["TieredStopAtLevel"].value < 4:
        return False, _where(s["TieredStopAtLevel"])
    return True, ""


def code_cache(s: Mapping[str, Setting]) -> tuple[Sizing, list[tuple[Setting, str]]]:
    """ReservedCodeCacheSize: as set (2496 KiB to 2 GiB, else the JVM exits), else 240 MiB
    with tiered compilation (48 MiB x 5, compilerDefinitions.cpp), 48 MiB without."""
    setting = s.get("ReservedCodeCacheSize")
    if setting is not None:
        v = setting.value
        if v > CODE_CACHE_LIMIT:
            return Sizing(v, _where(setting), setting), [(setting, (
                f"Invalid ReservedCodeCacheSize={v // MIB}M. Must be at most {CODE_CACHE_LIMIT // MIB}M."))]
        if v < INITIAL_CODE_CACHE:
            return Sizing(v, _where(setting), setting), [(setting, (
                f"Invalid ReservedCodeCacheSize: {v // KIB}K. Must be at least "
                f"InitialCodeCacheSize={INITIAL_CODE_CACHE // KIB}K."))]
        return Sizing(v, _where(setting), setting), []
    tiered, why = _tiered(s)
    if tiered:
        return Sizing(CODE_CACHE_TIERED, "ReservedCodeCacheSize default with tiered compilation "
                      "(48 MiB x 5)"), []
    return Sizing(CODE_CACHE_DEFAULT, f"ReservedCodeCacheSize default without tiered compilation "
                  f"({why})"), []


def thread_stack(s: Mapping[str, Setting], arch: str = "x86_64") -> tuple[Sizing, list[tuple[Setting, str]]]:
    """The Java thread stack (reserved per thread): -Xss / -XX:ThreadStackSize (KiB), else
    1 MiB on x86-64 Linux (2 MiB on aarch64). 0 means the platform default for Java threads
    (``os::Posix::default_stack_size``: also 1 MiB on x86-64). Below 136 KiB the JVM exits."""
    default = THREAD_STACK_DEFAULT.get(arch, THREAD_STACK_DEFAULT["x86_64"])
    setting = s.get("ThreadStackSize")
    if setting is None:
        return Sizing(default, f"ThreadStackSize default on {arch} Linux"), []
    if setting.value == 0:
        return Sizing(default, f"{_where(setting)}: 0 is the platform default", setting), []
    sizing = Sizing(setting.value, _where(setting), setting)
    if setting.value < MIN_JAVA_THREAD_STACK:
        return sizing, [(setting, "The Java thread stack size specified is too small. Specify at "
                         f"least {MIN_JAVA_THREAD_STACK // KIB}k")]
    return sizing, []


def metaspace(s: Mapping[str, Setting]) -> Sizing:
    """MaxMetaspaceSize; None (unbounded) when not set: the default is 2**64-1."""
    setting = s.get("MaxMetaspaceSize")
    if setting is None:
        return Sizing(None, "unbounded: MaxMetaspaceSize is not set")
    if setting.value >= UINT64_MAX:
        return Sizing(None, f"unbounded: {_where(setting)}", setting)
    return Sizing(setting.value, _where(setting), setting)


def _align_down(value: int, alignment: int) -> int:
    return value // alignment * alignment


# The young generation's alignment (GenAlignment): 64 KiB for Serial
# (Generation::GenGrain), 512 KiB for Parallel (64 K heap words, parallelArguments.cpp).
GEN_ALIGNMENT = {"Serial": 64 * KIB, "Parallel": 512 * KIB}


def _young_size(s: Mapping[str, Setting], heap: int, alignment: int) -> int:
    """GenArguments::initialize_heap_flags_and_sizes(): MaxNewSize as set, else heap /
    (NewRatio + 1) aligned down (NewRatio 2), raised to an explicit NewSize (-Xmn sets
    both), at most the heap less one alignment unit."""
    if "MaxNewSize" in s:
        young = s["MaxNewSize"].value
    else:
        young = _align_down(heap // (max(_value(s, "NewRatio", 2), 0) + 1), alignment)
        if "NewSize" in s:
            young = max(young, s["NewSize"].value)
    return max(min(young, heap - alignment), alignment)


def runtime_max_memory(s: Mapping[str, Setting], gc: str, heap: int,
                       initial: int | None) -> tuple[int | None, str]:
    """``Runtime.maxMemory()`` (CollectedHeap::max_capacity()): the heap less what the
    collector never lets the application fill. G1, Z, Shenandoah and Epsilon: the maximum
    heap (verified equal). Serial (DefNewGeneration::max_capacity): one survivor space,
    young / (SurvivorRatio + 2) aligned down to 64 KiB. Parallel
    (ParallelScavengeHeap::max_capacity): the largest survivor space the adaptive size
    policy may make, young / MinSurvivorRatio (3; SurvivorRatio + 2 when only
    SurvivorRatio is set) aligned down to 512 KiB, or the initial one without
    UseAdaptiveSizePolicy (initial young / InitialSurvivorRatio, 8); never below the heap
    committed at start less that initial survivor space. Checked against OpenJDK 17.0.15
    (tests/data/jvm/direct_memory.yaml)."""
    if gc not in GEN_ALIGNMENT:
        return heap, "the maximum heap"
    align = GEN_ALIGNMENT[gc]
    young = _young_size(s, heap, align)
    if gc == "Serial":
        ratio = max(_value(s, "SurvivorRatio", 8), 1) + 2
        survivor = max(_align_down(young // ratio, align), align)
        return heap - survivor, (f"the maximum heap less one survivor space (young "
                                 f"{format_size(young)} / {ratio})")
    set_ratio = "SurvivorRatio" in s
    min_ratio = _value(s, "MinSurvivorRatio", _value(s, "SurvivorRatio", 1) + 2 if set_ratio else 3)
    init_ratio = _value(s, "InitialSurvivorRatio", _value(s, "SurvivorRatio", 6) + 2 if set_ratio else 8)
    initial_young = None
    if initial is not None:
        initial_young = s["NewSize"].value if "NewSize" in s else _align_down(
            initial // (max(_value(s, "NewRatio", 2), 0) + 1), align)
        initial_young = max(min(initial_young, young), align)
    to_space = None if initial_young is None else max(
        _align_down(initial_young // max(init_ratio, 1), align), align)
    if _value(s, "UseAdaptiveSizePolicy", True):
        estimated = heap - max(_align_down(young // max(min_ratio, 1), align), align)
        how = (f"the maximum heap less the largest survivor space (young {format_size(young)} / "
               f"MinSurvivorRatio {min_ratio})")
    elif to_space is not None:
        estimated, how = heap - to_space, "the maximum heap less the initial survivor space"
    else:
        return heap, "the maximum heap (an upper bound: the initial heap is unknown)"
    if to_space is not None and initial is not None and initial - to_space > estimated:
        return initial - to_space, "the heap committed at start less the initial survivor space"
    return estimated, how


def direct_memory(s: Mapping[str, Setting], max_heap: Sizing, gc: str, source: str = "",
                  initial_heap: Sizing | None = None) -> Sizing:
    """MaxDirectMemorySize as set (an explicit 0 allows no direct buffers: verified), else
    ``Runtime.maxMemory()`` (jdk.internal.misc.VM; `runtime_max_memory`): the maximum heap
    with G1, less a survivor space with Serial and Parallel."""
    setting = s.get("MaxDirectMemorySize")
    if setting is not None and "ergonomics" in source:  # a launcher's own addition
        shown = replace(setting, raw=f"MaxDirectMemorySize {format_size(setting.value)}, {source}")
        return Sizing(setting.value, shown.raw, shown)
    if setting is not None:
        return Sizing(setting.value, _where(setting), setting)
    if max_heap.bytes is None:
        return Sizing(None, "default: Runtime.maxMemory() of an unknown heap")
    initial = initial_heap.bytes if initial_heap is not None else None
    value, how = runtime_max_memory(s, gc, max_heap.bytes, initial)
    return Sizing(value, f"default: Runtime.maxMemory(), {how}")


def resolve_jvm(flags: JvmFlags, *, jdk_major: int = 17, visible_ram: int | None = None,
                cpus: int | None = None, arch: str = "x86_64", host_ram: int | None = None,
                ram_note: str = "the memory the JVM sees", sources: Sequence[str] = (),
                launcher: str = "java", loc: Loc | None = None) -> JvmConfig:
    """Size every region from collected flags (no file access)."""
    s = flags.settings
    heap = ergonomic_heap(visible_ram, flags, cpus=cpus, jdk_major=jdk_major, ram_note=ram_note,
                          host_ram=host_ram)
    cache, cache_refused = code_cache(s)
    stack, stack_refused = thread_stack(s, arch)
    refused = [(r.loc, r.raw, r.reason) for r in flags.refused]
    start = loc or Loc("", 0)
    for setting, reason in (*heap.refused, *cache_refused, *stack_refused):
        entry = (setting.loc, setting.raw, reason) if setting is not None else (start, "", reason)
        if entry not in refused:
            refused.append(entry)
    return JvmConfig(
        flags=dict(s), jdk_major=jdk_major, sources=list(sources), refused=refused,
        max_heap=heap.max_heap, initial_heap=heap.initial_heap, metaspace=metaspace(s),
        code_cache=cache, thread_stack=stack,
        direct_memory=direct_memory(s, heap.max_heap, heap.gc,
                                    flags.source_of.get("MaxDirectMemorySize", ""),
                                    heap.initial_heap), gc=heap.gc,
        compressed_oops=heap.compressed_oops, launcher=launcher, loc=loc)
