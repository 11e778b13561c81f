"""HotSpot ``-XX:`` flags that later JDKs no longer take, per JDK major version.

HotSpot's ``special_jvm_flags`` table (src/hotspot/share/runtime/arguments.cpp) gives each
retired flag three versions: *deprecated* (still works, with a warning), *obsolete*
(accepted with "Ignoring option X; support was removed in N", its value has no effect)
and *expired* (the JVM "flatly refuses to admit the existence of the flag": "Unrecognized
VM option 'X'", and the VM does not start). An expired flag is then deleted from the
table, so no single JDK's table lists every retired flag: the rows below merge the tables
read in openjdk's update repositories (jdk14u, jdk17u, jdk21u, jdk25) with what OpenJDK
17.0.15 and Temurin 25.0.3 were seen to do (tests/data/jvm/removed_flags.yaml, recorded by
tests/data/jvm/record.py --suite removed).

Where a table was not read for the JDK a flag expired in, ``expired_in`` is the first
major it was *seen* refused by (17 or 25), so that a JDK in between is never said to
refuse it (it may still be refused there: oomlint then reports nothing, never a false
error). ``obsolete_in`` is None where it is not known.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetiredFlag:
    """A flag's retirement: from `obsolete_in` (None: unknown) ignored with a warning, from
    `expired_in` refused; `source` says which table or recording the versions come from."""

    name: str
    obsolete_in: int | None
    expired_in: int
    source: str


_JDK14 = "jdk14u arguments.cpp special_jvm_flags (JEP 363: CMS removed in 14)"
_JDK17 = "jdk17u arguments.cpp special_jvm_flags"
_JDK21 = "jdk21u arguments.cpp special_jvm_flags"
_SEEN17 = "not in jdk17u's table; refused by OpenJDK 17.0.15 (recorded)"
_SEEN25 = "not in jdk25's table; refused by Temurin 25.0.3 (recorded)"
_JDK9_LOGGING = ("removed with JDK 9 unified GC logging (JEP 158, JEP 271); refused by "
                 "OpenJDK 17.0.15 (recorded)")

_CMS = (
    "UseConcMarkSweepGC", "CMSAbortablePrecleanMinWorkPerIteration", "CMSBootstrapOccupancy",
    "CMSClassUnloadingEnabled", "CMSClassUnloadingMaxInterval", "CMSConcurrentMTEnabled",
    "CMSExpAvgFactor", "CMSIncrementalSafetyFactor", "CMSInitiatingOccupancyFraction",
    "CMSMaxAbortablePrecleanLoops", "CMSMaxAbortablePrecleanTime", "CMSParallelInitialMarkEnabled",
    "CMSParallelRemarkEnabled", "CMSParallelSurvivorRemarkEnabled", "CMSPrecleaningEnabled",
    "CMSScavengeBeforeRemark", "CMSTriggerRatio", "CMSWaitDuration", "CMSYield",
    "UseCMSInitiatingOccupancyOnly", "CMSEdenChunksRecordAlways", "GCLockerInvokesConcurrent",
)
_ROWS: list[RetiredFlag] = [
    *(RetiredFlag(n, 14, 15, _JDK14) for n in _CMS if n != "CMSWaitDuration"),
    RetiredFlag("CMSWaitDuration", None, 17, _SEEN17),
    RetiredFlag("UseCMSCompactAtFullCollection", None, 17, _SEEN17),
    RetiredFlag("CMSFullGCsBeforeCompaction", None, 17, _SEEN17),
    RetiredFlag("CMSIncrementalMode", None, 9, "removed with the JDK 9 GC combinations (JEP 214)"),
    RetiredFlag("ParallelCMSThreads", None, 17, _SEEN17),
    RetiredFlag("UseParNewGC", None, 10, "deprecated in 9 (JEP 214), removed in 10; refused by "
                "OpenJDK 17.0.15 (recorded)"),
    RetiredFlag("UseParallelOldGC", 15, 16, "jdk14u arguments.cpp special_jvm_flags"),
    RetiredFlag("BindGCTaskThreadsToCPUs", 14, 16, _JDK14),
    RetiredFlag("UseGCTaskAffinity", 14, 16, _JDK14),
    RetiredFlag("PermSize", 8, 17, f"obsolete in 8 (jdk14u table); {_SEEN17}"),
    RetiredFlag("MaxPermSize", 8, 17, f"obsolete in 8 (jdk14u table); {_SEEN17}"),
    RetiredFlag("UseMembar", 12, 17, f"obsolete in 12 (jdk14u table); {_SEEN17}"),
    RetiredFlag("AggressiveOpts", None, 17, _SEEN17),
    RetiredFlag("UseCGroupMemoryLimitForHeap", None, 17, _SEEN17),
    RetiredFlag("UseLargePagesInMetaspace", None, 17, _SEEN17),
    RetiredFlag("UseStringCache", None, 17, _SEEN17),
    RetiredFlag("UseSplitVerifier", None, 17, _SEEN17),
    RetiredFlag("UseFastAccessorMethods", None, 17, _SEEN17),
    RetiredFlag("UseCompressedStrings", None, 17, _SEEN17),
    RetiredFlag("ExplicitGCInvokesConcurrentAndUnloadsClasses", None, 17, _SEEN17),
    *(RetiredFlag(n, None, 9, _JDK9_LOGGING) for n in (
        "PrintGCDateStamps", "PrintGCTimeStamps", "PrintTenuringDistribution",
        "PrintGCApplicationStoppedTime", "PrintGCApplicationConcurrentTime",
        "PrintAdaptiveSizePolicy", "PrintHeapAtGC", "PrintPromotionFailure",
        "UseGCLogFileRotation", "NumberOfGCLogFiles", "GCLogFileSize")),
    *(RetiredFlag(n, 18, 19, _JDK17) for n in (
        "UseBiasedLocking", "BiasedLockingStartupDelay", "PrintBiasedLockingStatistics",
        "BiasedLockingBulkRebiasThreshold", "BiasedLockingBulkRevokeThreshold",
        "BiasedLockingDecayTime", "UseOptoBiasInlining", "PrintPreciseBiasedLockingStatistics",
        "CriticalJNINatives", "AlwaysLockClassLoader")),
    *(RetiredFlag(n, 20, 25, f"obsolete in 20 ({_JDK21}); {_SEEN25}") for n in (
        "G1ConcRefinementGreenZone", "G1ConcRefinementYellowZone", "G1ConcRefinementRedZone",
        "G1ConcRefinementThresholdStep", "G1UseAdaptiveConcRefinement",
        "G1ConcRefinementServiceIntervalMillis")),
    RetiredFlag("G1UsePreventiveGC", 21, 22, _JDK21),
    *(RetiredFlag(n, None, 25, f"deprecated in 10, still deprecated in 21 ({_JDK21}); "
                  f"{_SEEN25}") for n in (
        "MaxRAMFraction", "MinRAMFraction", "InitialRAMFraction", "DefaultMaxRAMFraction")),
    RetiredFlag("MaxGCMinorPauseMillis", None, 25, f"deprecated in 8 ({_JDK21}); {_SEEN25}"),
]
RETIRED: dict[str, RetiredFlag] = {r.name: r for r in _ROWS}


def retired_status(name: str, jdk_major: int) -> str | None:
    """"expired" when JDK `jdk_major` refuses the flag, "obsolete" when it ignores it with
    a warning, None when it still takes it (or oomlint has no row for it)."""
    row = RETIRED.get(name)
    if row is None:
        return None
    if jdk_major >= row.expired_in:
        return "expired"
    if row.obsolete_in is not None and jdk_major >= row.obsolete_in:
        return "obsolete"
    return None
