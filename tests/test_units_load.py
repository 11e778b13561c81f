"""Units loaded as systemd 252 loads them, property by property.

tests/data/units_load.yaml holds what `systemd --test --system` printed for every unit of
interest in the trees under tests/data/units_load/ (tests/data/record_units_load.py
re-records it, in a private mount namespace). Each test builds oomlint's Host from the same
tree and compares oomlint's effective value with the recorded one: load state, description,
fragment, drop-ins in the order systemd applies them, slice, MemoryMax=/MemoryHigh= in
bytes, Delegate= and the effective OOMPolicy=.

EXCEPTIONS lists the properties oomlint keeps different on purpose, each with its reason.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from oomlint.model.build import build_host
from oomlint.sources.tree import Tree

DATA = Path(__file__).parent / "data"
RECORDED = yaml.safe_load((DATA / "units_load.yaml").read_text())["cases"]
INFINITY = 2**64 - 1

# (case, unit, property) -> why oomlint's value differs from systemd's on purpose.
EXCEPTIONS = {
    ("fragment-empty-or-comment", "ghost.service", "dropins"): (
        "a service with drop-ins but no unit file is not-found for systemd, which then reads "
        "no drop-in; oomlint is often given a partial tree (a repository of /etc overrides "
        "without the packaged unit files), so it keeps those drop-ins and checks them"
    ),
}

PROPS = ("load_state", "description", "fragment", "dropins", "slice", "memory_max",
         "memory_high", "delegate", "oom_policy")


@cache
def host_of(case: str):
    return build_host(Tree(root=DATA / "units_load" / case), case, ram=8 * 2**30)


def tree_path(path: str) -> str:
    """A path as systemd printed it, as oomlint's tree-relative path (/lib is /usr/lib)."""
    p = path.lstrip("/")
    return "usr/" + p if p.startswith("lib/") else p


def load_state(unit) -> str | None:
    if unit is None:
        return "not-found"
    if unit.masked:
        return "masked"
    if unit.load_error:
        return "error"
    if unit.fragment is None and unit.type != "slice":  # slices load without a file
        return "not-found"
    return "loaded"


def memory(unit, key: str) -> int:
    s = unit.get(key)
    return INFINITY if s is None or s.value.infinity else s.value.resolve(8 * 2**30)


def oomlint_value(host, unit, prop: str):
    if prop == "load_state":
        return load_state(unit)
    if prop == "description":
        s = unit.get("Description")
        return s.value if s is not None else None
    if prop == "fragment":
        return unit.fragment.path if unit.fragment is not None else None
    if prop == "dropins":
        return [f.path for f in unit.dropins]
    if prop == "slice":
        return unit.slice_chain[0] if unit.slice_chain else "-.slice"
    if prop in ("memory_max", "memory_high"):
        return memory(unit, "MemoryMax" if prop == "memory_max" else "MemoryHigh")
    if prop == "delegate":
        s = unit.get("Delegate")
        return "yes" if s is not None and s.value else "no"
    if prop == "oom_policy":
        policy = host.oom_policy(unit)
        return policy.value if policy is not None else None
    raise AssertionError(prop)


# Shown only for units that have one: a slice without a file has no "Fragment Path", a
# slice no OOMPolicy (oomlint's value is None then).
ABSENT_IS_NONE = ("fragment", "oom_policy")


def recorded_value(facts: dict, prop: str):
    v = facts.get(prop)
    if prop == "fragment":
        return tree_path(v) if v is not None else None
    if prop == "dropins":
        return [tree_path(p) for p in v]
    return v


def comparable(facts: dict, unit, prop: str) -> bool:
    """Whether systemd's dump shows this property for this unit, in oomlint's terms."""
    if prop in ABSENT_IS_NONE and prop not in facts and facts["load_state"] == "loaded" or \
            (prop == "dropins" and facts["load_state"] == "not-found"):
        return True
    if prop not in facts or (prop != "load_state" and facts["load_state"] in ("masked", None)
                             and prop not in ("dropins", "description", "fragment")):
        return False
    if prop == "description":
        # systemd makes one up when none is set (the unit name, "Slice /a/b") and expands
        # specifiers in it when it is shown; the recorded trees set plain ones to compare.
        s = unit.get("Description") if unit is not None else None
        return s is not None and "%" not in s.raw
    # A unit that failed to load shows no slice (test_failed_slices_have_no_parents).
    return not (prop == "slice" and facts["slice"] == "n/a")


CASES = [(case, name, prop) for case, data in RECORDED.items() for name, facts in
         data["units"].items() for prop in PROPS]


@pytest.mark.parametrize(("case", "name", "prop"), CASES,
                         ids=[f"{c}:{n}:{p}" for c, n, p in CASES])
def test_unit_property_as_systemd_loads_it(case, name, prop):
    facts = RECORDED[case]["units"][name]
    host = host_of(case)
    unit = host.units.get(name)
    if not comparable(facts, unit, prop):
        pytest.skip("not shown by systemd for this unit")
    if (case, name, prop) in EXCEPTIONS:
        assert oomlint_value(host, unit, prop) != recorded_value(facts, prop), \
            "the exception is stale: oomlint now agrees, remove it"
        return
    assert unit is not None, f"{name} not in the model"
    assert oomlint_value(host, unit, prop) == recorded_value(facts, prop)


def test_every_recorded_unit_is_compared_somewhere():
    """No recorded unit is skipped entirely (a broken comparison would skip silently)."""
    for case, data in RECORDED.items():
        for name, facts in data["units"].items():
            host = host_of(case)
            assert any(comparable(facts, host.units.get(name), p) for p in PROPS), (case, name)


def test_failed_slices_have_no_parents():
    """A slice systemd refuses to load (-x.slice, a--b.slice, a-.slice) has no parent: its
    services sit in it and nothing above it is invented."""
    host = host_of("slice-values")
    for name in ("-x.slice", "a--b.slice", "a-.slice"):
        assert RECORDED["slice-values"]["units"][name]["slice"] == "n/a"
        assert host.units[name].slice_chain == ()
    assert host.units["dbl.service"].slice_chain == ("a--b.slice",)
    assert host.units["lead.service"].slice_chain == ("-x.slice",)
    assert ".slice" not in host.units and "x.slice" not in host.units  # nothing from -x


def test_specifier_slices_create_no_phantom_units(tree):
    host = host_of("slice-specifiers")
    assert not [n for n in host.units if "%" in n]
    # An uninstantiated template is no unit systemd loads: it keeps Slice= as written,
    # with no slice unit and no parents made up for it.
    root = tree({"etc/systemd/system/app@.service":
                 "[Service]\nExecStart=/usr/bin/app %i\nSlice=app-%i.slice\n"})
    tmpl = build_host(Tree(root=root), ".").units
    assert tmpl["app@.service"].get("Slice").value == "app-%i.slice"
    assert tmpl["app@.service"].slice_chain == ("app-%i.slice",)
    assert sorted(tmpl) == ["app@.service"]


def test_cap_chain_through_an_expanded_slice():
    host = host_of("slice-specifiers")
    unit = host.units["app@web.service"]
    assert unit.slice_chain == ("app-web.slice", "app.slice", "-.slice")
    cap = host.memory_cap(unit)
    assert cap is not None and cap.bytes == 3 * 2**30
    assert cap.owner.name == "app-web.slice"
    assert host.capping_slice(unit).name == "app-web.slice"


def test_oom_policy_provenance():
    host = host_of("delegate-oom-policy")
    ctr = host.oom_policy(host.units["ctr.service"])
    assert ctr.value == "continue" and ctr.setting is None
    assert ctr.because.key == "Delegate"
    assert (ctr.because.loc.path, ctr.because.loc.line) == ("etc/systemd/system/ctr.service", 6)
    assert "because of Delegate=yes at etc/systemd/system/ctr.service:6" in ctr.describe()
    plain = host.oom_policy(host.units["plain.service"])
    assert plain.value == "stop" and plain.setting is None and plain.because is None
    explicit = host.oom_policy(host.units["explicit.service"])
    assert explicit.setting.loc.line == 7 and explicit.because is None
    mgr = host_of("delegate-manager-default")
    got = mgr.oom_policy(mgr.units["plain.service"])
    assert got.value == "kill" and got.because.loc.path == "etc/systemd/system.conf"
    assert host.oom_policy(host.units["ctr.service"]) is not None
    assert host.oom_policy(host_of("slice-specifiers").units["app-web.slice"]) is None


def test_templated_delegate_leaves_the_policy_unknown(tree):
    root = tree({"etc/systemd/system/ctr.service":
                 "[Service]\nExecStart=/usr/bin/ctr\nDelegate={{ delegate }}\n"})
    host = build_host(Tree(root=root), ".")
    assert host.oom_policy(host.units["ctr.service"]) is None
    assert [f.rule for f in host.problems] == ["OOM007"]
