"""Size and name grammars, checked against what the real programs did with the same values.

tests/data/systemd_verify.yaml was recorded with systemd 252 (`systemd-analyze verify` and
the `systemd --test` unit dump) by tests/data/record_systemd_verify.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oomlint.base.grammar.c import GrammarError
from oomlint.base.grammar.host import format_size, parse_host_size
from oomlint.base.grammar.systemd import (
    HostSpecifier,
    SpecifierError,
    hidden_or_backup_file,
    slice_name_valid,
    systemd_parse_memory_limit,
    systemd_parse_timespan,
    unit_name_kind,
    unit_name_printf,
)
from oomlint.model.systemd_units import _convert, _dropin_dirnames

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


# -- unit names, specifiers and drop-in search (src/basic/unit-name.c, src/core/unit-printf.c,
# src/shared/dropin.c in systemd 252); whole trees are compared in tests/test_units_load.py.

@pytest.mark.parametrize(("unit", "text", "want"), [
    ("user@0.service", "user-%i.slice", "user-0.slice"),
    ("a-b@0.service", "%p.slice", "a-b.slice"),
    ("a-b@0.service", "%j-%i.slice", "b-0.slice"),
    ("a-b@0.service", "%N", "a-b@0"),
    ("a-b@0.service", "%n", "a-b@0.service"),
    ("a@x\\x2dy.service", "a-%i.slice", "a-x\\x2dy.slice"),  # %i as written, escaped
    ("a.service", "100%%", "100%"),
    ("a.service", "tail%", "tail%"),
])
def test_unit_name_printf(unit, text, want):
    assert unit_name_printf(unit, text) == want


@pytest.mark.parametrize("spec", ["I", "P", "J", "f", "t", "q"])
def test_unit_name_printf_refuses_what_systemd_refuses(spec):
    with pytest.raises(SpecifierError):
        unit_name_printf("a@b.service", f"x-%{spec}.slice")


def test_unit_name_printf_host_specifiers_are_unknown():
    with pytest.raises(HostSpecifier):
        unit_name_printf("a@b.service", "x-%H.slice")


def test_plain_unit_instance_is_empty():
    assert unit_name_printf("plain-i.service", "p-%i.slice") == "p-.slice"


@pytest.mark.parametrize(("name", "kind"), [
    ("a.service", "plain"), ("a@b.service", "instance"), ("a@.service", "template"),
    ("@a.service", None), ("a.nope", None), ("has space.slice", None), ("", None),
    (".service", None), ("a@b@c.service", "instance"), ("x" * 250 + ".slice", None),
])
def test_unit_name_kind(name, kind):
    assert unit_name_kind(name) == kind


@pytest.mark.parametrize(("name", "valid"), [
    ("-.slice", True), ("a-b-c.slice", True), ("-x.slice", False), ("a--b.slice", False),
    ("a-.slice", False), ("nn@x.slice", False), ("a.service", False),
])
def test_slice_name_valid(name, valid):
    assert slice_name_valid(name) is valid


@pytest.mark.parametrize(("name", "hidden"), [
    (".hidden.conf", True), (".conf", True), ("x.conf~", True), ("x.conf.bak", True),
    ("x.dpkg-old", True), ("x.dpkg-new.conf", False), ("10-x.conf", False),
])
def test_hidden_or_backup_file(name, hidden):
    assert hidden_or_backup_file(name) is hidden


@pytest.mark.parametrize(("name", "dirs"), [
    ("a.service", ["a.service.d"]),
    ("a-b-c.service", ["a-b-c.service.d", "a-b-.service.d", "a-.service.d"]),
    ("a-b-.service", ["a-b-.service.d", "a-.service.d"]),
    ("-a.service", ["-a.service.d"]),
    ("r-s@i.service", ["r-s@i.service.d", "r-s@.service.d", "r-.service.d", "r-@i.service.d",
                       "r-@.service.d"]),
])
def test_dropin_dirnames_follow_unit_file_find_dirs(name, dirs):
    assert _dropin_dirnames(name) == dirs


def test_ignored_oom_policy_names_the_default_delegate_gives(tree):
    from conftest import lint_tree

    root = tree({"etc/systemd/system/ctr.service":
                 "[Service]\nExecStart=/usr/bin/dockerd\nDelegate=yes\nOOMPolicy=Kill\n"})
    (f,) = [f for f in lint_tree(root, {"OOM203"}).findings]
    assert "the default OOMPolicy=continue (because of Delegate=yes at " \
           "etc/systemd/system/ctr.service:3) applies" in f.message


def test_directives_resolved_inline_as_apply_resolves_them():
    """`_resolve_unit` resolves a directive whose value is its text inline (no `_apply`):
    the settings, overrides and problems are those `_apply` gives for every assignment."""
    from oomlint.base.provenance import Loc
    from oomlint.model.host import Host, Unit
    from oomlint.model.systemd_units import _apply, _resolve_unit
    from oomlint.parsers.systemd_unit import Assignment, UnitFile

    values = ["", "text", "{{ templated }}", "a {b} c", "{{ x }} and more"]
    keys = [("Unit", "Description"), ("Service", "User"), ("Service", "Nice"),
            ("Service", "MemoryMax"), ("Service", "Slice"), ("Service", "ExecStart"),
            ("Service", "Restart"), ("Unit", "StartLimitInterval"), ("Install", "WantedBy"),
            ("Service", "NoSuchKey"), ("Mount", "What")]
    assignments = [Assignment(s, k, v, Loc("u.service", n))
                   for n, (v, (s, k)) in enumerate(((v, sk) for sk in keys for v in values), 1)]
    fragment = UnitFile("u.service", assignments=assignments + assignments[::-1])
    inline, host = Unit("u.service", fragment), Host(name="h")
    _resolve_unit(inline, host)
    each, by_apply = Unit("u.service", fragment), Host(name="h")
    from oomlint.model.systemd_keys import SECTIONS_BY_TYPE, is_known
    for a in fragment.assignments:
        if a.section in SECTIONS_BY_TYPE["service"] and is_known(a.section, a.key):
            _apply(each, a, by_apply)
    assert inline.settings == each.settings and inline.ignored == each.ignored
    assert host.problems == by_apply.problems
    assert inline.settings["Description"].value is None  # the last one: ""
