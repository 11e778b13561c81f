"""/etc/fstab swap lines, as systemd-fstab-generator reads them (fstab(5)).

`.swap` units are unit files and go through parsers/systemd_unit.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oomlint.base.findings import Pragma, Problems
from oomlint.base.ids import SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.parsers.lines import PragmaCollector, content_lines


@dataclass(frozen=True)
class FstabSwap:
    spec: str
    options: tuple[str, ...]
    loc: Loc

    @property
    def noauto(self) -> bool:
        return "noauto" in self.options

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


def _unescape_fstab(field_text: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field_text)


def parse_fstab(text: str, path: str, problems: Problems) -> Fstab:
    out = Fstab(path)
    pragmas = PragmaCollector(path)
    for lineno, line in content_lines(text, pragmas):
        fields = line.split()
        if len(fields) < 3:
            problems.add(SYNTAX_ERROR, Loc(path, lineno),
                         f"fstab line has {len(fields)} field(s), at least 3 are needed")
            continue
        if fields[2] != "swap":
            continue
        opts = tuple(fields[3].split(",")) if len(fields) > 3 else ("defaults",)
        out.swaps.append(FstabSwap(_unescape_fstab(fields[0]), opts, Loc(path, lineno)))
    out.pragmas = pragmas.pragmas
    return out
