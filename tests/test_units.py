"""Size grammars, checked against what the real programs did with the same values.

tests/data/systemd_verify.yaml was recorded with systemd 252 (`systemd-analyze verify` and
the `systemd --test` unit dump) by tests/data/record_systemd_verify.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.host import format_size, parse_host_size
from oomlint.base.grammar.systemd import systemd_parse_memory_limit, systemd_parse_timespan
from oomlint.model.systemd_units import _convert

DATA = yaml.safe_load((Path(__file__).parent / "data" / "systemd_verify.yaml").read_text())
RAM = DATA["host"]["phys_pages"] * DATA["host"]["page_size"]
INFINITY = 2**64 - 1


@pytest.mark.parametrize("case", DATA["memory_values"],
                         ids=lambda c: f"{c['directive']}={c['value']}")
def test_memory_limit_matches_systemd(case):
    try:
        # The unit-file parser strips whitespace around values before they get here.
        got = systemd_parse_memory_limit(case["directive"], case["value"].strip())
    except GrammarError:
        assert not case["accepted"], case
        return
    assert case["accepted"], case
    if got is None:  # empty assignment: reset to default
        assert case["value"] == ""
        return
    want = case.get("bytes")
    resolved = got.resolve(RAM)
    assert (INFINITY if resolved is None else resolved) == want


def _typed(key, value):
    try:
        return True, _convert(key, value)
    except GrammarError:
        return False, None


@pytest.mark.parametrize("case", DATA["oom_score_adjust"], ids=lambda c: repr(c["value"]))
def test_oom_score_adjust_matches_systemd(case):
    if case["value"].strip() == "":
        pytest.skip("empty assignment resets (modelled as reset, not as a value)")
    ok, value = _typed("OOMScoreAdjust", case["value"])
    assert ok == case["accepted"]
    if ok:
        assert value == case["applied"]


@pytest.mark.parametrize("section", ["oom_policy", "restart"])
def test_choices_match_systemd(section):
    key = {"oom_policy": "OOMPolicy", "restart": "Restart"}[section]
    for case in DATA[section]:
        if case["value"] == "":
            continue
        ok, _ = _typed(key, case["value"])
        assert ok == case["accepted"], case


def test_managed_oom_matches_systemd():
    for case in DATA["managed_oom"]:
        if case["value"] == "":
            continue
        ok, _ = _typed(case["directive"], case["value"].strip())
        assert ok == case["accepted"], case


@pytest.mark.parametrize("text,seconds", [
    ("5", 5), ("5s", 5), ("100ms", 0.1), ("2min 30s", 150), ("1h", 3600), ("1min5s", 65),
])
def test_timespan(text, seconds):
    assert systemd_parse_timespan(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["5 parsecs", "abc", ""])
def test_timespan_invalid(text):
    with pytest.raises(GrammarError):
        systemd_parse_timespan(text)


@pytest.mark.parametrize("text,value", [
    ("8G", 8 * 2**30), ("8GiB", 8 * 2**30), ("8gb", 8 * 2**30), ("512M", 512 * 2**20),
    ("1.5G", 3 * 2**29), ("4096", 4096), (4096, 4096),
])
def test_host_size(text, value):
    assert parse_host_size(text) == value


@pytest.mark.parametrize("text", ["8X", "lots", "-1G", "8 GiBs"])
def test_host_size_invalid(text):
    with pytest.raises(GrammarError):
        parse_host_size(text)


@pytest.mark.parametrize("n,text", [
    (0, "0 B"), (1023, "1023 B"), (1024, "1 KiB"), (3 * 2**29, "1.5 GiB"), (8 * 2**30, "8 GiB"),
])
def test_format_size(n, text):
    assert format_size(n) == text
