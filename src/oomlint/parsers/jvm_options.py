"""Elasticsearch / OpenSearch ``jvm.options`` and ``jvm.options.d/*.options``, as
``JvmOptionsParser.java`` reads them.
"""

from __future__ import annotations

import re

from oomlint.base.findings import Problems
from oomlint.base.ids import SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.parsers.lines import PragmaCollector
from oomlint.parsers.systemd_exec import JvmOption, Parsed

# `end` only after the dash: two adjacent digit runs would let a long digit line backtrack
# quadratically, and without the dash `end` never took part in a match.
_JVM_OPTIONS_LINE = re.compile(r"(?:(?P<start>[0-9]+)(?:(?P<range>-)(?P<end>[0-9]+)?)?:)?(?P<option>-.*)")
_JAVA_INT_MAX = 2**31 - 1
_JAVA_BLANK = re.compile(r"[ \t\n\x0b\f\r]*")


def _java_lines(text: str) -> list[str]:
    """Lines as ``BufferedReader.readLine()`` splits them (``\\n``, ``\\r`` or ``\\r\\n``)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def parse_jvm_options(text: str, path: str, problems: Problems, jdk_major: int) -> Parsed:
    """The options of an Elasticsearch/OpenSearch ``jvm.options`` or
    ``jvm.options.d/*.options`` file that apply to `jdk_major` (``JvmOptionsParser.parse``):
    a line starting with ``#`` is a comment (only in column 1), blank lines are skipped,
    ``-X...`` applies to every JDK, ``17:-X``, ``8-13:-X``, ``17-:-X`` to the version or
    range. The option is the rest of the line as written, trailing spaces included. Any
    other line is improperly formatted: Elasticsearch refuses to start (OOM005 here); such
    lines are listed in ``result.invalid``."""
    out = Parsed()
    pragmas = PragmaCollector(path)
    for lineno, line in enumerate(_java_lines(text), start=1):
        if line.startswith("#"):
            pragmas.comment(line, lineno)
            continue
        if _JAVA_BLANK.fullmatch(line):
            continue
        pragmas.content(lineno)
        loc = Loc(path, lineno)
        option = _jvm_options_line(line, jdk_major)
        if option is None:
            out.invalid.append(JvmOption(line, loc))
            # named by line only: jvm.options.d takes any file, which may be no options file
            problems.add(SYNTAX_ERROR, loc, "improperly formatted JVM option (not jvm.options "
                         "syntax): Elasticsearch refuses to start")
        elif option:
            out.append(JvmOption(option, loc))
    out.pragmas = pragmas.pragmas
    return out


def _java_parse_int(digits: str) -> int | None:
    """``Integer.parseInt()`` of a digit string: None past Integer.MAX_VALUE (checked on
    the digits: Python's int() refuses more than 4300 of them)."""
    significant = digits.lstrip("0")
    if len(significant) > len(str(_JAVA_INT_MAX)):
        return None
    value = int(significant or "0")
    return value if value <= _JAVA_INT_MAX else None


def _jvm_options_line(line: str, jdk_major: int) -> str | None:
    """The option of one jvm.options line: "" when its version range excludes
    `jdk_major`, None when the line is improperly formatted."""
    m = _JVM_OPTIONS_LINE.fullmatch(line)
    if m is None:
        return None
    if m.group("start") is None:
        return line
    lower = _java_parse_int(m.group("start"))
    if lower is None:
        return None
    upper: int | None = lower
    if m.group("range") and m.group("end") is None:
        upper = _JAVA_INT_MAX
    elif m.group("range"):
        upper = _java_parse_int(m.group("end"))
        if upper is None or upper < lower:
            return None
    return m.group("option") if lower <= jdk_major <= upper else ""
