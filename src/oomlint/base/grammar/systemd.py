"""systemd's value grammars: memory limits (config_parse_memory_limit -> parse_permyriad /
parse_size), integers (safe_atoi) and time spans (parse_sec).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from oomlint.base.grammar.c import PAGE_SIZE, UINT64_MAX, GrammarError, bounded_int, c_base0_int
from oomlint.base.grammar.host import format_size
from oomlint.base.redact import shown

# --------------------------------------------------------------------------------------
# systemd: memory limits (config_parse_memory_limit -> parse_permyriad / parse_size)
# --------------------------------------------------------------------------------------

# parse_size(.., 1024, ..): suffixes in strictly descending order, each at most once; the
# empty suffix (bytes) always matches and must come last.
_SD_SIZE_TABLE = (
    ("E", 1024**6),
    ("P", 1024**5),
    ("T", 1024**4),
    ("G", 1024**3),
    ("M", 1024**2),
    ("K", 1024),
    ("B", 1),
    ("", 1),
)
_SD_WS = " \t\n\r"
_DIGITS = re.compile(r"[0-9]+")


def systemd_parse_size(text: str) -> int:
    """Bytes for a systemd size such as ``1G``, ``1.5G``, ``1G 512M`` (base 1024).

    Mirrors systemd's ``parse_size()``: terms are summed, suffixes are upper case and in
    descending order, a fraction is truncated to whole bytes, ``-`` is refused.
    """
    total = 0
    pos = 0
    start = 0
    n = len(text)
    if not text:
        raise GrammarError("empty size")
    while True:
        while pos < n and text[pos] in _SD_WS:
            pos += 1
        # strtoull() accepts an optional '+' (and '-', which parse_size() refuses).
        num_start = pos
        if pos < n and text[pos] in "+-":
            if text[pos] == "-":
                raise GrammarError("negative size")
            pos += 1
        m = _DIGITS.match(text, pos)
        if not m:
            raise GrammarError(f"expected a number at '{shown(text[num_start:])}'")
        whole = bounded_int(m.group())
        pos = m.end()
        frac_num, frac_den = 0, 1
        if pos < n and text[pos] == ".":
            pos += 1
            fm = _DIGITS.match(text, pos)
            if fm:
                frac_num, frac_den = bounded_int(fm.group()), 10 ** len(fm.group())
                if frac_num > UINT64_MAX:  # the fraction's own strtoull() overflows
                    raise GrammarError("size out of range")
                pos = fm.end()
        while pos < n and text[pos] in _SD_WS:
            pos += 1
        for i in range(start, len(_SD_SIZE_TABLE)):
            suffix, factor = _SD_SIZE_TABLE[i]
            if text.startswith(suffix, pos):
                break
        else:  # pragma: no cover - the empty suffix always matches
            raise GrammarError("bad suffix")
        if suffix == "" and pos < n:
            # The empty suffix matched but text remains: the next round must parse a number
            # and fails, as systemd's loop does.
            nxt = text[pos]
            if not (nxt.isdigit() or nxt in _SD_WS + "+"):
                raise GrammarError(f"unknown suffix '{shown(text[pos:])}' (systemd accepts K M G T P E)")
        if whole + (1 if frac_num else 0) > UINT64_MAX // factor:
            raise GrammarError("size out of range")
        # systemd computes the fraction in double precision and truncates.
        total += whole * factor + int((frac_num / frac_den) * factor)
        if total > UINT64_MAX:
            raise GrammarError("size out of range")
        pos += len(suffix)
        start = i + 1
        if pos >= n:
            return total
        if start >= len(_SD_SIZE_TABLE):
            raise GrammarError(f"unexpected '{shown(text[pos:])}' after the last unit")


def _parse_parts(body: str, decimals: int) -> int:
    """systemd's parse_parts_value_with_{tenths,hundredths}_place: an integer part that
    safe_atoi() accepts and at most `decimals` fractional digits."""
    if "." in body:
        whole, frac = body.split(".", 1)
        if not frac or len(frac) > decimals or not frac.isdigit():
            raise GrammarError(f"at most {decimals} decimal place(s)")
    else:
        whole, frac = body, ""
    if not re.fullmatch(r"[ \t]*[+-]?[0-9]+", whole):
        raise GrammarError("not a number")
    v = bounded_int(whole)
    scaled = v * 10**decimals + (int(frac.ljust(decimals, "0")) if frac else 0) * (
        -1 if whole.strip().startswith("-") else 1
    )
    return scaled


def systemd_parse_permyriad(text: str) -> int:
    """Parts per ten thousand for ``N%`` (two decimals), ``N‰`` (one) or ``N‱``."""
    if text.endswith("%"):
        v = _parse_parts(text[:-1], 2)
    elif text.endswith("‰"):
        v = _parse_parts(text[:-1], 1)
    elif text.endswith("‱"):
        body = text[:-1]
        if not re.fullmatch(r"[ \t]*[+-]?[0-9]+", body):
            raise GrammarError("not a number")
        v = bounded_int(body)
    else:
        raise GrammarError("not a percentage")
    if v < 0:
        raise GrammarError("negative percentage")
    if v > 10000:
        raise GrammarError("percentage above 100%")
    return v


@dataclass(frozen=True)
class MemoryLimit:
    """A systemd memory limit as written: absolute bytes, a share of RAM, or no limit.

    ``permyriad`` is set for ``N%``/``N‰``/``N‱`` values; the bytes then depend on the
    host's RAM and are computed the way systemd does at unit-load time."""

    bytes: int | None = None
    permyriad: int | None = None
    infinity: bool = False

    def resolve(self, ram: int | None) -> int | None:
        """Bytes, or None for `infinity` or a percentage with unknown RAM."""
        if self.infinity:
            return None
        if self.permyriad is not None:
            if ram is None:
                return None
            pages = ram // PAGE_SIZE
            return pages * self.permyriad // 10000 * PAGE_SIZE
        return self.bytes

    def describe(self) -> str:
        if self.infinity:
            return "infinity"
        if self.permyriad is not None:
            return f"{self.permyriad / 100:g}% of RAM"
        return format_size(self.bytes or 0)


def _memory_hint(text: str) -> str | None:
    """The likely mistake behind a memory value systemd refuses, in the user's terms."""
    t = text.strip()
    if "#" in t or ";" in t:
        return "systemd has no trailing comments: the comment became part of the value"
    if t and (t[0] in "\"'" or t[-1] in "\"'"):
        return "memory settings are not unquoted by systemd"
    if t in ("max", "unlimited", "none", "-1"):
        return f"'{shown(t)}' is not accepted; use 'infinity' for no limit"
    if re.fullmatch(r"[0-9.]+\s*[KMGTPE]i?B", t, re.IGNORECASE) or re.fullmatch(
        r"[0-9.]+\s*[KMGTPE]i", t, re.IGNORECASE
    ):
        return "systemd suffixes are single upper-case letters, K M G T P E, base 1024: no B, iB or i"
    if re.fullmatch(r"[0-9.]+\s*[kmgtpe]", t):
        return "systemd suffixes are upper case: K M G T P E"
    if re.fullmatch(r"[0-9.]+\s*[a-zA-Z]+", t):
        return "unknown suffix; systemd accepts K M G T P E (base 1024)"
    return None


# Keys for which a limit of 0 is "out of range" (systemd refuses it).
_ZERO_REFUSED = {"MemoryMax", "MemoryHigh", "StartupMemoryMax", "StartupMemoryHigh", "MemoryLimit"}


def systemd_parse_memory_limit(key: str, text: str) -> MemoryLimit | None:
    """Parse a Memory*= value as config_parse_memory_limit() does.

    Returns None for the empty assignment (reset to the default), a `MemoryLimit`
    otherwise; raises `GrammarError` for what systemd logs and ignores.
    """
    if text == "":
        return None
    if text == "infinity":
        return MemoryLimit(infinity=True)
    if not text.rstrip().endswith(("%", "‰", "‱")):
        try:
            size = systemd_parse_size(text)
        except GrammarError as exc:
            raise GrammarError(_memory_hint(text) or str(exc)) from None
        if size == 0 and key in _ZERO_REFUSED:
            raise GrammarError("0 is out of range for this setting")
        if size >= UINT64_MAX:
            raise GrammarError("size out of range")
        return MemoryLimit(bytes=size)
    try:
        perm = systemd_parse_permyriad(text)
    except GrammarError as exc:
        raise GrammarError(f"invalid percentage '{shown(text)}': {exc}") from None
    if perm == 0 and key in _ZERO_REFUSED:
        raise GrammarError("0% is out of range for this setting")
    return MemoryLimit(permyriad=perm)


# --------------------------------------------------------------------------------------
# systemd: time spans (parse_sec)
# --------------------------------------------------------------------------------------

_SD_TIME_UNITS = {
    "usec": 1e-6, "us": 1e-6, "μs": 1e-6, "µs": 1e-6,
    "msec": 1e-3, "ms": 1e-3,
    "seconds": 1, "second": 1, "sec": 1, "s": 1, "": 1,
    "minutes": 60, "minute": 60, "min": 60, "m": 60,
    "hours": 3600, "hour": 3600, "hr": 3600, "h": 3600,
    "days": 86400, "day": 86400, "d": 86400,
    "weeks": 604800, "week": 604800, "w": 604800,
    "months": 2629800, "month": 2629800, "M": 2629800,
    "years": 31557600, "year": 31557600, "y": 31557600,
}  # fmt: skip
_SD_TIME_TERM = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Zμµ]*)")


def systemd_parse_timespan(text: str) -> float:
    """Seconds for a systemd time span (``5``, ``5s``, ``2min 30s``, ``100ms``, ``infinity``)."""
    t = text.strip()
    if t == "infinity":
        return math.inf
    if not t:
        raise GrammarError("empty time span")
    pos, total = 0, 0.0
    while pos < len(t):
        m = _SD_TIME_TERM.match(t, pos)
        if not m or m.end() == pos:
            raise GrammarError(f"invalid time span '{shown(text)}'")
        unit = m.group(2)
        if unit not in _SD_TIME_UNITS:
            raise GrammarError(f"unknown time unit '{shown(unit)}'")
        total += float(m.group(1)) * _SD_TIME_UNITS[unit]
        pos = m.end()
        while pos < len(t) and t[pos].isspace():
            pos += 1
    return total


def systemd_parse_int(text: str) -> int:
    """An integer as systemd's safe_atoi() reads it: base 0, ``+`` or ``-``
    (src/basic/parse-util.c)."""
    return c_base0_int(text, plus=True, trailing_space=False)


# --------------------------------------------------------------------------------------
# systemd: unit names (src/basic/unit-name.c), specifiers in them (src/core/unit-printf.c
# unit_name_printf), and the directory entries it skips (src/basic/path-util.c)
# --------------------------------------------------------------------------------------

UNIT_NAME_MAX = 256
UNIT_SUFFIXES = frozenset({"service", "socket", "target", "device", "mount", "automount",
                           "swap", "timer", "path", "slice", "scope"})
_UNIT_NAME_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             ":-_.\\@")
_BACKUP_SUFFIXES = frozenset({"rpmnew", "rpmsave", "rpmorig", "dpkg-old", "dpkg-new",
                              "dpkg-tmp", "dpkg-dist", "dpkg-bak", "dpkg-backup",
                              "dpkg-remove", "ucf-new", "ucf-old", "ucf-dist", "swp", "bak",
                              "old", "new"})


def hidden_or_backup_file(name: str) -> bool:
    """hidden_or_backup_file(): names systemd skips when it lists a unit directory, a
    drop-in directory or a ``.d`` configuration directory (FOREACH_DIRENT)."""
    if name.startswith(".") or name in ("lost+found", "aquota.user", "aquota.group") or \
            name.endswith("~"):
        return True
    return "." in name and name.rsplit(".", 1)[1] in _BACKUP_SUFFIXES


def unit_name_kind(name: str) -> str | None:
    """unit_name_is_valid(): "plain", "instance" (``a@b.service``), "template"
    (``a@.service``), or None when systemd refuses the name."""
    if not name or len(name.encode("utf-8", "surrogateescape")) >= UNIT_NAME_MAX:
        return None
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or suffix not in UNIT_SUFFIXES:
        return None
    if any(c not in _UNIT_NAME_CHARS for c in stem):
        return None
    at = stem.find("@")
    if at == 0:
        return None
    if at < 0:
        return "plain"
    return "template" if at == len(stem) - 1 else "instance"


def slice_name_valid(name: str) -> bool:
    """slice_name_is_valid(): a plain ``.slice`` name without a leading, trailing or double
    dash (``-.slice`` is the root slice). Other slice names fail to load."""
    if unit_name_kind(name) != "plain" or not name.endswith(".slice"):
        return False
    if name == "-.slice":
        return True
    stem = name[: -len(".slice")]
    return not (stem.startswith("-") or stem.endswith("-") or "--" in stem)


# unit_name_printf(): COMMON_SYSTEM_SPECIFIERS and COMMON_CREDS_SPECIFIERS. They take the
# running host's values (architecture, boot and machine id, host name, OS release, user):
# a tree does not say what they become.
HOST_SPECIFIERS = frozenset("aAbBHlmMovwWgGuU")


class SpecifierError(GrammarError):
    """A specifier unit_name_printf() does not know: systemd logs "Failed to resolve unit
    specifiers ... Invalid slot" and ignores the assignment."""


class HostSpecifier(GrammarError):
    """A specifier whose value comes from the running host, not from the files."""


def unit_name_printf(unit: str, text: str) -> str:
    """``text`` with the specifiers of unit_name_printf() expanded for the unit named
    ``unit``: %i (instance, as written), %j (last dash component of the prefix), %n (the
    name), %N (the name without its type suffix), %p (prefix), %% (a percent sign). The
    unescaping ones (%I %P %J) are not among them: systemd refuses them here."""
    stem = unit.rpartition(".")[0]
    prefix, at, instance = stem.partition("@")
    values = {"i": instance if at else "", "j": prefix.rsplit("-", 1)[-1], "n": unit,
              "N": stem, "p": prefix, "%": "%"}
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c != "%" or i + 1 == len(text):
            out.append(c)
            i += 1
            continue
        spec = text[i + 1]
        if spec in values:
            out.append(values[spec])
        elif spec in HOST_SPECIFIERS:
            raise HostSpecifier(f"%{spec} takes the running host's value")
        else:
            raise SpecifierError(f"unknown specifier %{shown(spec)}")
        i += 2
    return "".join(out)
