"""The one "is this value templated?" test (sources/templates.py)."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oomlint.sources.templates import is_templated, template_spans, templated_runs

# -- the one test --------------------------------------------------------------------------

_REGEX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


@given(st.text(alphabet="{}%# a\n", max_size=40))
def test_template_spans_are_the_regular_expression_matches(text):
    assert template_spans(text) == [m.span() for m in _REGEX.finditer(text)]
    assert is_templated(text) == bool(_REGEX.search(text))


def test_template_spans_take_linear_time():
    hostile = "{{ {% {# " * 200_000 + "}}"
    start = time.monotonic()
    assert template_spans(hostile) == [(0, len(hostile))]
    assert template_spans("{{" * 500_000) == []
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("words, runs", [
    (["-Xmx{{", "heap", "}}", "-jar", "x.jar"], [(0, 3)]),
    (["-Xmx{{heap}}", "-Xss1m"], [(0, 1)]),
    (["-Xmx1g", "{{", "opts", "}}"], [(1, 4)]),
    (["a{{b}}{{c", "}}", "d{#x#}"], [(0, 2), (2, 3)]),
    (["{%", "if", "x", "%}-Xmx1g{%", "endif", "%}"], [(0, 6)]),
    (["-Xmx{{", "heap"], []),
    ([], []),
])
def test_templated_runs(words, runs):
    assert templated_runs(words) == runs
