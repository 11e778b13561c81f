"""How text taken from input is shown: the one escaping of file names, values, messages,
notes, labels and host names, and the JSON document that is always valid UTF-8.

Every character a terminal or a CI runner could act on is shown as ``\\xNN`` (code points up
to U+00FF) or ``\\uNNNN``: C0 controls (``\\n`` and ``\\t`` too), DEL, C1 controls, the line
and paragraph separators U+2028/U+2029 (U+0085 is a C1 control), the bidi embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069), and lone surrogates. A surrogate
U+DC80-U+DCFF is how Python decodes an undecodable byte (``surrogateescape``), so it is
shown as that byte: ``\\udcff`` is ``\\xff``. A backslash stays as it is; other Unicode too.
"""

from __future__ import annotations

import json
import re
from functools import cache

# Compiled when first used: together 0.6 ms, which a run that prints no input text (no
# findings; `rules`) need not pay.
_UNSAFE = "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
_SURROGATE = "[\ud800-\udfff]"


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)

# A shown path that starts a text line starts with one of these, or its first character is
# escaped: a CI runner reads `::error ...::` or `##vso[...]` only at the start of a line.
_LINE_START = re.compile(r"[A-Za-z0-9._/~-]")


def _code(c: str) -> str:
    o = ord(c)
    if 0xDC80 <= o <= 0xDCFF:
        o -= 0xDC00  # the undecodable byte behind a surrogateescape surrogate
    return f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}"


def _sub(m: re.Match) -> str:
    return _code(m.group())


def escape(text: str, *, line_start: bool = False) -> str:
    """`text` from input as it may be printed. With `line_start` (text that begins an output
    line: a shown path, a host name) a first character outside ``[A-Za-z0-9._/~-]`` is
    escaped as well, so no line begins with input a CI runner would read as a command."""
    unsafe = _compiled(_UNSAFE)
    shown = unsafe.sub(_sub, text)
    if line_start and shown and not _LINE_START.match(text):
        shown = _code(text[0]) + unsafe.sub(_sub, text[1:])
    return shown


def _github_encode(text: str, table: dict[int, str]) -> str:
    return text.translate(table)


_GITHUB_DATA = {ord("%"): "%25", ord("\r"): "%0D", ord("\n"): "%0A"}
_GITHUB_PROPERTY = {**_GITHUB_DATA, ord(":"): "%3A", ord(","): "%2C"}


def github_data(text: str) -> str:
    """Text from input as the message of a GitHub workflow command (``::error ...::DATA``):
    `escape`d, then ``%``, CR and LF encoded as the runner decodes them (actions/toolkit
    command.ts `escapeData`). Lines the formatter joins with ``\n`` after escaping each one
    become ``%0A``: GitHub shows them as lines of one annotation."""
    return _github_encode(escape(text), _GITHUB_DATA)


def github_lines(lines) -> str:
    """Several lines of one annotation message, each from `github_data`."""
    return "%0A".join(github_data(line) for line in lines)


def github_property(text: str) -> str:
    """Text from input as a property of a workflow command (``file=``, ``title=``):
    `github_data`'s encoding plus ``:`` and ``,`` (toolkit `escapeProperty`), which would
    otherwise end the property or the command."""
    return _github_encode(escape(text), _GITHUB_PROPERTY)


def _json_safe(value):
    if isinstance(value, str):
        return _compiled(_SURROGATE).sub(_sub, value)
    if isinstance(value, dict):
        return {_json_safe(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def json_document(doc) -> str:
    """`doc` as indented JSON that encodes as valid UTF-8: a lone surrogate in any string
    (key or value) becomes the same ``\\xNN`` / ``\\uNNNN`` text `escape` shows; other
    characters are JSON's to escape, and other Unicode stays as it is."""
    return json.dumps(_json_safe(doc), indent=2, ensure_ascii=False) + "\n"
