"""Template expressions in configuration: the one test every format uses.

A repository of Ansible roles or Salt states holds values such as ``{{ app_memory }}``;
until they are rendered the value is unknown, not wrong. Every loader asks `is_templated`
before judging a value, and reports it once with `templated_value` (OOM007) instead of
calling it an error the owning program would refuse. Where a program splits a value into
words before judging each (a java command line), `templated_runs` says which words one
expression spans, so that they are judged as one unknown word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from oomlint.base.findings import Finding
from oomlint.base.ids import TEMPLATED_VALUE
from oomlint.base.provenance import Loc

# Jinja2 expression, statement and comment delimiters (also Ansible's and Salt's).
_DELIMITERS = {"{{": "}}", "{%": "%}", "{#": "#}"}


def template_spans(text: str) -> list[tuple[int, int]]:
    """The [start, end) offsets of the template expressions in `text`, leftmost first: an
    opening delimiter up to the first matching closing one (what the regular expression
    ``\\{\\{.*?\\}\\}|\\{%.*?%\\}|\\{#.*?#\\}`` finds), in linear time: an opening delimiter
    with no closing one after it has none after any later opening of the same kind."""
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    pos = 0
    while True:
        start = text.find("{", pos)
        if start < 0 or start + 1 >= len(text):
            return spans
        opening = text[start:start + 2]
        closing = _DELIMITERS.get(opening)
        if closing is None or opening in unclosed:
            pos = start + 1
            continue
        end = text.find(closing, start + 2)
        if end < 0:
            unclosed.add(opening)
            pos = start + 1
            continue
        spans.append((start, end + 2))
        pos = end + 2


def is_templated(value: str) -> bool:
    """True for a Jinja/Ansible expression such as ``{{ app_memory }}``."""
    return bool(template_spans(value))


def templated_runs(words: Sequence[str]) -> list[tuple[int, int]]:
    """The [first, last + 1) indices of the words that template expressions span, for
    words split at whitespace before the template was rendered (``-Xmx{{ heap }}`` is the
    three words ``-Xmx{{``, ``heap``, ``}}``): each run is one templated word once
    rejoined; a word alone that holds an expression is a run of one."""
    starts, offset = [], 0
    for w in words:
        starts.append(offset)
        offset += len(w) + 1
    runs: list[tuple[int, int]] = []
    index = 0
    for begin, end in template_spans(" ".join(words)):
        while index + 1 < len(words) and starts[index + 1] <= begin:
            index += 1
        first = index
        while index + 1 < len(words) and starts[index + 1] < end:
            index += 1
        if runs and runs[-1][1] > first:  # a second expression in the run's last word
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((first, index + 1))
    return runs


def templated_value(key: str, value: str, loc: Loc) -> Finding:
    """OOM007: a setting whose value is a template expression, treated as unknown."""
    return templated_setting(f"{key}={value}", loc)


def templated_setting(written: str, loc: Loc) -> Finding:
    """OOM007 for a setting as written (``-Xmx{{ heap }}``), treated as unknown."""
    return Finding(TEMPLATED_VALUE, f"{written}: a template expression cannot be "
                   "evaluated; the setting is treated as unknown", loc)


# -- rendering ------------------------------------------------------------------------------
#
# With variables (a host's `vars` / `vars_files`, config.py), a template is rendered with
# Jinja2 in a sandbox (jinja2.sandbox.SandboxedEnvironment: no attribute access to Python
# internals, no loader: `{% include %}`, `{% import %}` and `{% extends %}` fail and are
# reported, so nothing outside the file is read). Findings must point into the template, so
# the output is laid out line for line with it: a sentinel naming the template line is put
# at the end of every template line that is not inside a `{{ }}`, `{% %}` or `{# #}`, and the
# rendered text is then put back together one output line per template line:
#
# - a line holding only a `{% if %}`, `{% for %}`, `{% set %}`, `{% endif %}` ... tag renders
#   as an empty line at its own number;
# - the lines of a branch not taken render as empty lines at their numbers;
# - a tag or expression spanning several template lines renders on its last line, the lines
#   before it empty;
# - when one template line renders to several lines (a `{% for %}` emitting a line per item),
#   line-for-line is impossible: the output is then the rendered text as Jinja2 produced it,
#   and `Rendered.exact` is False (findings then point at lines of the rendered text).

_SENTINEL = "\x00oomlint-line-{}\x00"


@dataclass(frozen=True)
class Rendered:
    """A template rendered: its text (line for line with the template when `exact`), and the
    findings rendering produced (undefined variables, template errors), at template lines."""

    text: str | None
    findings: tuple[Finding, ...] = ()
    exact: bool = True


def _filters() -> dict:
    """Ansible's common filters that Jinja2 lacks (`default`/`d`, `int`, `lower`, `upper`,
    `join`, `length` are Jinja2's own)."""
    import json
    import re

    import yaml

    def to_bool(value):
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("yes", "on", "1", "true", "y")

    def regex_replace(value, pattern, replacement="", ignorecase=False, multiline=False):
        flags = (re.I if ignorecase else 0) | (re.M if multiline else 0)
        return re.sub(pattern, replacement, str(value), flags=flags)

    return {
        "bool": to_bool,
        "to_json": lambda v, **kw: json.dumps(v, sort_keys=True, **kw),
        "to_yaml": lambda v, **kw: yaml.safe_dump(v, default_flow_style=True, **kw).strip(),
        "regex_replace": regex_replace,
    }


def _environment(missing: list[str]):
    from jinja2 import Undefined
    from jinja2.sandbox import SandboxedEnvironment

    class Recording(Undefined):
        """An undefined variable: recorded, and rendered as the expression it was (so that
        the setting stays "unknown" to the loaders); using it in arithmetic or a comparison
        fails like StrictUndefined and is reported."""

        __slots__ = ()

        def __str__(self) -> str:
            missing.append(self._undefined_name or "?")
            return "{{ " + (self._undefined_name or "?") + " }}"

    env = SandboxedEnvironment(undefined=Recording, keep_trailing_newline=True,
                               autoescape=False)
    env.filters.update(_filters())
    return env


def render_template(text: str, variables: dict, path: str) -> Rendered:
    """`text`, the template at tree-relative `path`, rendered with `variables`, line for line
    where it can be (see above). Never raises: an undefined variable is an OOM007 naming it
    at its template line (the value stays a template expression, so the setting is
    unknown); a syntax or rendering error is an OOM007 at its line and the file is then
    read unrendered (`text` None: the caller keeps the template)."""
    import re

    try:
        import jinja2
    except ImportError:  # pragma: no cover - a declared dependency
        return Rendered(None, (Finding(TEMPLATED_VALUE, "Jinja2 is not installed: the "
                                       "template is read unrendered", Loc(path, 1)),))
    lines = text.split("\n")
    inside = _inside_tags(text)
    marked, offset = [], 0
    for number, line in enumerate(lines, 1):
        offset += len(line)
        marked.append(line)
        if number < len(lines) and offset not in inside:
            marked.append(_SENTINEL.format(number))
        if number < len(lines):
            marked.append("\n")
        offset += 1
    source = "".join(marked)
    missing: list[str] = []
    env = _environment(missing)
    try:
        out = env.from_string(source).render(**variables)
    except jinja2.TemplateSyntaxError as exc:
        message = re.sub("\x00oomlint-line-\\d+\x00", "", exc.message or "").replace("'\\x00'", "end of line")
        return Rendered(None, (Finding(TEMPLATED_VALUE, f"template syntax error: "
                                       f"{message}; read unrendered",
                                       Loc(path, exc.lineno or 1)),))
    except Exception as exc:  # undefined in arithmetic, include without loader, sandbox
        return Rendered(None, (Finding(TEMPLATED_VALUE, f"template cannot be rendered: "
                                       f"{type(exc).__name__}: {exc}; read unrendered",
                                       Loc(path, _error_line(exc, len(lines)))),))
    # One pass to find, per template line, the output it rendered to.
    per_line: dict[int, list[str]] = {}
    exact = True
    pattern = re.compile("\x00oomlint-line-(\\d+)\x00\n?")  # no newline: `{%-` ate it
    pos = 0
    for m in pattern.finditer(out):
        chunk = out[pos:m.start()]
        number = int(m.group(1))
        pos = m.end()
        if number in per_line or "\n" in chunk:
            exact = False
        per_line.setdefault(number, []).append(chunk)
    tail = out[pos:]
    if "\n" in tail:
        exact = False
    findings = _undefined_findings(text, missing, path)
    if not exact:
        plain = pattern.sub("\n", out).replace("\x00", "")
        return Rendered(plain, findings, exact=False)
    rebuilt = [("".join(per_line.get(n, []))) for n in range(1, len(lines))] + [tail]
    return Rendered("\n".join(rebuilt), findings)


def _inside_tags(text: str) -> set[int]:
    """The offsets of the newlines of `text` inside a template tag or expression."""
    inside: set[int] = set()
    for start, end in template_spans(text):
        i = text.find("\n", start, end)
        while i >= 0:
            inside.add(i)
            i = text.find("\n", i + 1, end)
    return inside


def _error_line(exc: Exception, last: int) -> int:
    """The template line a rendering error happened at (from its traceback), else 1."""
    tb = exc.__traceback__
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return min(max(line, 1), last)


def _undefined_findings(text: str, missing: list[str], path: str) -> tuple[Finding, ...]:
    """One OOM007 per undefined variable, at the first template line using it."""
    out, seen = [], set()
    lines = text.split("\n")
    for name in missing:
        if name in seen:
            continue
        seen.add(name)
        line = next((i for i, t in enumerate(lines, 1)
                     if any(name in t[a:b] for a, b in template_spans(t))),
                    next((i for i, t in enumerate(lines, 1) if name in t), 1))
        out.append(Finding(TEMPLATED_VALUE, f"{{{{ {name} }}}}: undefined variable (not in "
                           "the host's vars or vars_files); the setting is treated as unknown",
                           Loc(path, line)))
    return tuple(out)
