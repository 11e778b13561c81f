"""php.ini and php-fpm.conf (with its pool files): one grammar, Zend's ini scanner
(Zend/zend_ini_scanner.l, INI_SCANNER_NORMAL) as PHP 8.2 reads php.ini and php-fpm reads
its configuration (sapi/fpm/fpm/fpm_conf.c ``fpm_conf_load_ini_file()``).

- ``[section]`` starts a section (php-fpm: ``[global]`` or a pool; php.ini: ``[PHP]`` and
  the per-directory ``[PATH=...]`` / ``[HOST=...]`` sections);
- ``key = value``; a key may carry an offset, ``php_admin_value[memory_limit] = 256M``;
  a bare ``key`` sets an empty value; keys keep their case;
- ``;`` starts a comment outside quotes (``1g ;note`` is ``1g``); ``"..."`` and ``'...'``
  are quoted values (quotes removed); ``${VAR}`` is an environment variable;
- a line the scanner cannot read is a syntax error: PHP stops reading the file there (and
  php-fpm refuses to start). The parser keeps the entries before it and the error.

Only ``\\n`` ends a line here (the scanner's ``\\r\\n`` and ``\\r`` become blanks after
stripping). Includes (php-fpm's ``include=``) are ordinary entries: the model expands them.
The parser never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oomlint.base.findings import Pragma, Problems
from oomlint.base.provenance import Loc
from oomlint.parsers.lines import PragmaCollector, scan_lines

_SECTION = re.compile(r"\[([^\]\n]*)\]\s*(?:;.*)?")
# zend_ini_scanner.l LABEL: [^=\n\r\t;&|^$~(){}!"\[\]\x00]+ (an offset in [ ] after it)
_KEY = re.compile(r'([^=\n\r\t;&|^$~(){}!"\[\]\x00]+?)[ \t]*(?:\[([^\]\n]*)\])?[ \t]*(=|$)')


@dataclass(frozen=True)
class IniEntry:
    """One ``key[offset] = value`` line: `value` as PHP hands it over (quotes removed,
    the comment dropped), `raw` as written after the ``=``."""

    section: str | None  # None before the first section header
    key: str
    offset: str | None
    value: str
    raw: str
    loc: Loc
    env: bool = False  # the value uses ${VAR}: it depends on the environment

    @property
    def name(self) -> str:
        return f"{self.key}[{self.offset}]" if self.offset is not None else self.key


@dataclass(frozen=True)
class IniSection:
    name: str
    loc: Loc


@dataclass
class IniFile:
    path: str
    entries: list[IniEntry] = field(default_factory=list)
    sections: list[IniSection] = field(default_factory=list)
    error: tuple[Loc, str] | None = None  # the syntax error PHP stopped reading at
    pragmas: list[Pragma] = field(default_factory=list)


def _value(raw: str) -> tuple[str, bool] | None:
    """The value PHP hands over, and whether it uses ${VAR}; None for a syntax error."""
    out = []
    env = False
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c == ";":
            break
        if c in "\"'":
            end = raw.find(c, i + 1)
            if end < 0:
                return None
            part = raw[i + 1:end]
            env = env or (c == '"' and "${" in part)
            out.append(part)
            i = end + 1
            continue
        if raw.startswith("${", i):
            end = raw.find("}", i)
            if end < 0:
                return None
            env = True
            out.append(raw[i:end + 1])
            i = end + 1
            continue
        out.append(c)
        i += 1
    return "".join(out).strip(" \t\r"), env


def parse_php_ini(text: str, path: str, problems: Problems) -> IniFile:
    pragmas = PragmaCollector(path)
    out = IniFile(path)
    section: str | None = None
    for lineno, _raw, line in scan_lines(text, pragmas, ";#", space=" \t\r\n\v\f"):
        loc = Loc(path, lineno)
        m = _SECTION.fullmatch(line)
        if m:
            section = m.group(1).strip()
            out.sections.append(IniSection(section, loc))
            continue
        k = _KEY.match(line)
        if k is None or not k.group(1).strip():
            out.error = (loc, "syntax error: not a [section] or key = value line")
            break
        rest = line[k.end():] if k.group(3) == "=" else ""
        got = _value(rest)
        if got is None:
            out.error = (loc, "syntax error: unterminated quoted string or ${")
            break
        value, env = got
        out.entries.append(IniEntry(section, k.group(1).strip(), k.group(2), value,
                                    rest.strip(), loc, env))
    out.pragmas = pragmas.pragmas
    return out
