"""/etc/fstab swap lines, as systemd-fstab-generator reads them (fstab(5)).

The generator reads the file with glibc's ``getmntent()`` (misc/mntent_r.c): lines end at
``\\n``; blanks and tabs before it are dropped; a line whose first non-blank character is
``#`` is a comment (a ``#`` later in a line is text); fields are separated by runs of blanks
and tabs only (no other whitespace: a no-break space, ``\\v``, ``\\f`` or a ``\\r`` stays
inside its field, so ``swap\\r`` from a CRLF file is no swap type); a missing field is
empty; ``decode_name()`` turns ``\\040``, ``\\011``, ``\\012``, ``\\134`` and ``\\\\``
into a blank, a tab, a newline and a backslash, and keeps every other backslash as it is.

For each swap line the generator derives the swap's device or file (``UUID=``, ``LABEL=``,
``PARTUUID=``, ``PARTLABEL=`` become ``/dev/disk/by-*/`` paths, fstab-util.c
``fstab_node_to_udev_node``) and its unit name (`unit_name_from_path`); the options
``noauto``/``auto`` and ``nofail``/``fail`` count as the last one written
(``fstab_test_yes_no_option``). Recorded against the real generator:
tests/data/swap_load.yaml.

`.swap` units are unit files and go through parsers/systemd_unit.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oomlint.base.findings import Pragma, Problems
from oomlint.base.ids import SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.base.redact import shown
from oomlint.parsers.lines import PragmaCollector, scan_lines, split_newline


@dataclass(frozen=True)
class FstabSwap:
    spec: str  # the first field, decoded
    options: tuple[str, ...]
    loc: Loc
    what: str = ""  # the device or file systemd swaps on (`udev_node`)
    unit: str | None = None  # the generated unit's name; None: the generator refuses the path

    def __post_init__(self):
        if not self.what:
            object.__setattr__(self, "what", udev_node(self.spec))
        if self.unit is None:
            object.__setattr__(self, "unit", unit_name_from_path(self.what, ".swap"))

    @property
    def noauto(self) -> bool:
        return last_option(self.options, "noauto", "auto")

    @property
    def nofail(self) -> bool:
        return last_option(self.options, "nofail", "fail")

    @property
    def priority(self) -> int | None:
        for opt in self.options:
            if opt.startswith("pri="):
                try:
                    return int(opt[4:])
                except ValueError:
                    return None
        return None


@dataclass
class Fstab:
    path: str
    swaps: list[FstabSwap] = field(default_factory=list)
    pragmas: list[Pragma] = field(default_factory=list)


def last_option(options: tuple[str, ...], yes: str, no: str) -> bool:
    """systemd's ``fstab_test_yes_no_option``: True when `yes` (or ``yes=...``) is written
    after every `no`."""
    found = False
    for opt in options:
        for i, name in enumerate((yes, no)):
            if opt == name or opt.startswith(name + "="):
                found = i == 0
                break
    return found


_DECODE = re.compile(r"\\(?:040|011|012|134|\\)")
_DECODED = {"\\040": " ", "\\011": "\t", "\\012": "\n", "\\134": "\\", "\\\\": "\\"}


def decode_name(text: str) -> str:
    """glibc's ``decode_name()``: the four octal escapes and ``\\\\``; any other backslash
    is kept."""
    return _DECODE.sub(lambda m: _DECODED[m.group(0)], text) if "\\" in text else text


_FIELD_SEP = re.compile(r"[ \t]+")
_ANY_SPACE = re.compile(r"\s+")


def parse_fstab(text: str, path: str, problems: Problems) -> Fstab:
    out = Fstab(path)
    pragmas = PragmaCollector(path)
    for lineno, _, line in scan_lines(text, pragmas, "#", split=split_newline, space=" \t"):
        fields = _FIELD_SEP.split(line, maxsplit=4)
        fields += [""] * (4 - len(fields))
        fstype = decode_name(fields[2])
        if fstype != "swap":
            loose = _ANY_SPACE.split(line)
            if len(loose) > 2 and loose[2] == "swap" and fields[2] != "swap":
                problems.add(SYNTAX_ERROR, Loc(path, lineno),
                             "this looks like a swap line, but getmntent() splits fields only "
                             f"at blanks and tabs: it reads the type as '{shown(ascii(fstype)[1:-1])}'"
                             ", not swap, so this line configures no swap")
            elif not fields[1] and not fields[2]:
                problems.add(SYNTAX_ERROR, Loc(path, lineno),
                             "fstab line has 1 field, at least 3 are needed")
            elif not fields[2]:
                problems.add(SYNTAX_ERROR, Loc(path, lineno),
                             "fstab line has 2 fields, at least 3 are needed")
            continue
        opts = decode_name(fields[3])
        out.swaps.append(FstabSwap(decode_name(fields[0]),
                                   tuple(opts.split(",")) if opts else ("defaults",),
                                   Loc(path, lineno)))
    out.pragmas = pragmas.pragmas
    return out


# -- systemd's names for a swap path ------------------------------------------------------

_TAGS = (("LABEL=", "label"), ("UUID=", "uuid"), ("PARTUUID=", "partuuid"),
         ("PARTLABEL=", "partlabel"))
_DEVNODE_OK = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ#+-.:=@_")


def udev_node(spec: str) -> str:
    """fstab-util.c ``fstab_node_to_udev_node``: ``UUID=x`` -> ``/dev/disk/by-uuid/x``
    (one pair of quotes removed, characters outside ``[0-9A-Za-z#+-.:=@_]`` and
    backslashes written ``\\xNN``; valid non-ASCII UTF-8 kept); anything else as written."""
    for prefix, by in _TAGS:
        if spec.startswith(prefix):
            value = spec[len(prefix):]
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            enc = "".join(
                c if c in _DEVNODE_OK or (not c.isascii() and c.isprintable())
                else "".join(f"\\x{b:02x}" for b in c.encode("utf-8", "surrogateescape"))
                for c in value)
            return f"/dev/disk/by-{by}/{enc}"
    return spec


_UNIT_OK = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:_.")


def simplify_path(path: str) -> str:
    """systemd's ``path_simplify()``: repeated slashes, ``.`` components and a trailing
    slash dropped."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    lead = "/" if path.startswith("/") else ""
    return lead + "/".join(parts) if parts else (lead or "")


def unit_name_from_path(path: str, suffix: str) -> str | None:
    """unit-name.c ``unit_name_from_path()``: ``/dev/sdb-2`` -> ``dev-sdb\\x2d2.swap``;
    None where systemd refuses the path (a ``..`` component). Names of 256 bytes or more,
    which systemd replaces by a hash, are returned unhashed (they still compare equal)."""
    p = simplify_path(path)
    if p in ("", "/"):
        return "-" + suffix
    if ".." in p.split("/"):
        return None
    raw = p.strip("/").encode("utf-8", "surrogateescape")
    out = []
    for i, b in enumerate(raw):
        if b == 0x2F:
            out.append("-")
        elif b in _UNIT_OK and not (i == 0 and b == 0x2E):
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "".join(out) + suffix


def path_from_unit_name(name: str) -> str:
    """unit-name.c ``unit_name_to_path()``: ``dev-sdb\\x2d2.swap`` -> ``/dev/sdb-2``."""
    stem = name.rsplit(".", 1)[0]
    if stem == "-":
        return "/"
    out = bytearray()
    i = 0
    while i < len(stem):
        c = stem[i]
        if c == "-":
            out += b"/"
        elif c == "\\" and re.fullmatch(r"x[0-9a-fA-F]{2}", stem[i + 1:i + 4]):
            out.append(int(stem[i + 2:i + 4], 16))
            i += 3
        else:
            out += c.encode("utf-8", "surrogateescape")
        i += 1
    return "/" + out.decode("utf-8", "surrogateescape")
