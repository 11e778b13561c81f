"""/etc/dphys-swapfile: plain shell variable assignments, as the dphys-swapfile script
sources them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oomlint.base.findings import Pragma, Problems
from oomlint.base.provenance import Loc
from oomlint.parsers.lines import PragmaCollector, content_lines


@dataclass(frozen=True)
class ShellVar:
    name: str
    value: str
    loc: Loc


@dataclass
class ShellVars:
    path: str
    vars: dict[str, ShellVar] = field(default_factory=dict)
    pragmas: list[Pragma] = field(default_factory=list)


_ASSIGN = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def parse_shell_vars(text: str, path: str, problems: Problems) -> ShellVars:
    """Plain ``NAME=value`` assignments of a sourced shell file (last one wins); other shell
    constructs are ignored (oomlint never runs them)."""
    out = ShellVars(path)
    pragmas = PragmaCollector(path)
    for lineno, line in content_lines(text, pragmas):
        m = _ASSIGN.match(line)
        if not m:
            continue
        value = m.group(2).strip()
        if value and value[0] in "\"'":
            q = value[0]
            end = value.find(q, 1)
            value = value[1:end] if end > 0 else value[1:]
        else:
            value = re.split(r"\s+#|\s", value, maxsplit=1)[0]
        out.vars[m.group(1)] = ShellVar(m.group(1), value, Loc(path, lineno))
    out.pragmas = pragmas.pragmas
    return out
