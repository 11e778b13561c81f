"""The scalar keys of a YAML mapping file, flattened to dotted paths with their lines: what
oomlint needs from KubeletConfiguration (/var/lib/kubelet/config.yaml: `failSwapOn`,
`protectKernelDefaults`, `featureGates.NodeSwap`, `memorySwap.swapBehavior`) and from
elasticsearch.yml / opensearch.yml (`bootstrap.memory_lock`, written nested or dotted).

Not a YAML parser: block mappings of plain or quoted scalars, nested by indentation, with
`#` comments; flow collections, sequences, anchors, multi-line scalars and documents after
the first are passed over (their keys are simply not found). Pure: text in, records out.
Elasticsearch reads `bootstrap.memory_lock: true` and `bootstrap:\\n  memory_lock: true` alike
(its settings are flattened to dotted keys), so dotted keys are kept as written.
"""

from __future__ import annotations

import re

from oomlint.base.provenance import Loc
from oomlint.parsers.lines import iter_lines

_COLON = re.compile(r":(?=\s|$)")  # a mapping key ends at ": " or ":" at the end
MAX_KEYS = 10_000  # a pathological file keeps its first keys


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _strip_comment(value: str) -> str:
    if value[:1] in "\"'":
        end = value.find(value[0], 1)
        return value[:end + 1] if end > 0 else value
    i = value.find(" #")
    return value[:i].rstrip() if i >= 0 else value


def _key_value(line: str) -> tuple[int, str, str] | None:
    """(indent, key, value as written) of a `key: value` line, in linear time."""
    body = line.lstrip(" ")
    indent = len(line) - len(body)
    if not body or body[0] in "-[{#?|>&*!%@`":
        return None
    if body[0] in "\"'":
        end = body.find(body[0], 1)
        if end < 0 or not body[end + 1:].lstrip().startswith(":"):
            return None
        key, rest = body[1:end], body[end + 1:].lstrip()[1:]
        if rest and not rest[0].isspace():
            return None
    else:
        m = _COLON.search(body)
        if m is None:
            return None
        key, rest = body[:m.start()].rstrip(), body[m.end():]
        if not key or "#" in key:
            return None
    return indent, key, rest.strip()


def parse_yaml_keys(text: str, path: str) -> dict[str, tuple[str, Loc]]:
    """Dotted key -> (scalar as written, unquoted; its line). A later duplicate wins."""
    out: dict[str, tuple[str, Loc]] = {}
    stack: list[tuple[int, str]] = []  # (indent, key) of the enclosing mappings
    for n, line in enumerate(iter_lines(text), 1):
        if n == 1 and line.startswith("\ufeff"):
            line = line[1:]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped in ("---", "...") or "\t" in line[: len(line) - len(line.lstrip())]:
            if stripped == "..." or (stripped == "---" and out):
                break
            continue
        got = _key_value(line)
        if got is None:
            continue  # a sequence item, a flow collection, a continuation line
        indent, key, value = got
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if value == "" or value.startswith("#"):
            stack.append((indent, key))
            continue
        value = _strip_comment(value)
        if value[:1] in "[{|>&*!":
            continue  # not a plain scalar
        dotted = ".".join([k for _, k in stack] + [key])
        if dotted in out or len(out) < MAX_KEYS:
            out[dotted] = (_unquote(value), Loc(path, n))
    return out

