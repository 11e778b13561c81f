"""Rule options arrive typed: read-only attributes built from the catalogue's `options`
schema (one type, `RuleOptions`, for every rule), values validated and converted when the
configuration is loaded."""

from __future__ import annotations

import dataclasses

import pytest

from oomlint.base.findings import Severity
from oomlint.catalog import RuleMeta, load_catalog
from oomlint.config import Config, ConfigError, RuleOptions, parse_config, rule_options

GIB = 1024 ** 3


def _rule(options) -> RuleMeta:
    return RuleMeta("OOM999", "test-rule", "t", Severity.WARNING, "test", "stable", "0", "s",
                    "w", "f", (), options=options)


def test_defaults_from_the_catalogue():
    catalog = load_catalog()
    opts = rule_options(catalog["OOM201"], Config())
    assert repr(opts) == "OOM201Options(allow_units=())"
    assert opts.allow_units == ()
    assert rule_options(catalog["OOM102"], Config()).near_share == 0.9
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.allow_units = ("x",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        del opts.allow_units
    with pytest.raises(AttributeError):
        opts.no_such_option  # noqa: B018


def test_options_compare_copy_and_pickle_as_values():
    import copy
    import pickle

    catalog = load_catalog()
    a = rule_options(catalog["OOM102"], Config())
    assert a == rule_options(catalog["OOM102"], Config())
    assert a != rule_options(catalog["OOM201"], Config())
    assert a != RuleOptions("OOM999", dict(vars(a)))  # same values, another rule
    assert hash(a) == hash(rule_options(catalog["OOM102"], Config()))
    for b in (copy.copy(a), copy.deepcopy(a), pickle.loads(pickle.dumps(a))):
        assert b == a and repr(b) == repr(a) and b.near_share == 0.9


def test_every_rule_has_its_schema_as_attributes():
    for rule in load_catalog().values():
        opts = rule_options(rule, Config())
        assert list(vars(opts)) == list(rule.options), rule.id


def test_dict_defaults_are_not_shared_between_runs():
    rule = _rule({"by_unit": {"type": "dict[str,int]", "default": {"a.service": 2}}})
    first = rule_options(rule, Config())
    first.by_unit["b.service"] = 3
    assert rule_options(rule, Config()).by_unit == {"a.service": 2}


def test_defaults_follow_the_schema_of_the_rule_asked_for():
    """Defaults are validated once per rule id, and again when a rule with that id comes
    with another schema (tests build several OOM999)."""
    assert rule_options(_rule({"n": {"type": "int", "default": 1}}), Config()).n == 1
    assert rule_options(_rule({"n": {"type": "int", "default": 2}}), Config()).n == 2
    assert rule_options(_rule({"m": {"type": "str"}}), Config()).m is None


def test_configured_values_are_converted_at_load():
    rule = _rule({"cap": {"type": "size", "default": "1G"},
                  "units": {"type": "list[str]", "default": []},
                  "share": {"type": "float", "default": 1}})
    catalog = {"OOM999": rule}
    assert rule_options(rule, Config()) == RuleOptions("OOM999", dict(cap=GIB, units=(),
                                                                      share=1.0))
    cfg = parse_config({"rules": {"OOM999": {"cap": "2G", "units": ["a*"], "share": 2}}},
                       catalog)
    opts = rule_options(rule, cfg)
    assert (opts.cap, opts.units, opts.share) == (2 * GIB, ("a*",), 2.0)
    assert isinstance(opts.share, float)


@pytest.mark.parametrize("table,key", [
    ({"cap": "lots"}, "rules.OOM999.cap"),
    ({"units": "a*"}, "rules.OOM999.units"),
    ({"nope": 1}, "rules.OOM999: unknown option 'nope'"),
])
def test_bad_values_name_the_key(table, key):
    catalog = {"OOM999": _rule({"cap": {"type": "size", "default": "1G"},
                                "units": {"type": "list[str]", "default": []}})}
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config({"rules": {"OOM999": table}}, catalog)


DOMAINS = {"share": {"type": "float", "default": 0.5, "exclusive_min": 0, "max": 1},
           "count": {"type": "int", "default": 1, "min": 1},
           "page": {"type": "size", "default": "2M", "min": "64K", "max": "16G"},
           "flavor": {"type": "str", "default": "a", "choices": ["a", "b"]}}


@pytest.mark.parametrize("table,message", [
    ({"share": 0}, r"rules\.OOM999\.share: expected a value in \(0, 1\], got 0"),
    ({"share": 1.01}, r"rules\.OOM999\.share: expected a value in \(0, 1\]"),
    ({"share": float("nan")}, r"rules\.OOM999\.share: expected float, got nan"),
    ({"count": 0}, r"rules\.OOM999\.count: expected a value >= 1, got 0"),
    ({"page": "1G 1K"}, r"rules\.OOM999\.page: '1G 1K' is not a size"),
    ({"page": 4096}, r"rules\.OOM999\.page: expected a size in \[64K, 16G\], got 4096 \(a number"),
    ({"page": "32G"}, r"rules\.OOM999\.page: expected a size in \[64K, 16G\], got '32G'$"),
    ({"flavor": "c"}, r"rules\.OOM999\.flavor: expected one of a, b, got 'c'"),
])
def test_the_schema_domain_is_enforced(table, message):
    with pytest.raises(ConfigError, match=message):
        parse_config({"rules": {"OOM999": table}}, {"OOM999": _rule(DOMAINS)})


def test_values_inside_the_domain_are_converted():
    rule = _rule(DOMAINS)
    cfg = parse_config({"rules": {"OOM999": {"share": 1, "count": 7, "page": "1G",
                                             "flavor": "b"}}}, {"OOM999": rule})
    opts = rule_options(rule, cfg)
    assert (opts.share, opts.count, opts.page, opts.flavor) == (1.0, 7, GIB, "b")


def test_a_default_outside_its_domain_is_a_catalogue_error():
    with pytest.raises(ConfigError, match=r"rules/OOM999\.yaml options\.count\.default"):
        rule_options(_rule({"count": {"type": "int", "default": 0, "min": 1}}), Config())


def test_unknown_schema_fields_are_refused():
    from oomlint.catalog import CatalogError, _parse

    text = ("id: OOM999\nname: t\ntitle: t\nseverity: info\narea: t\nstatus: stable\n"
            "since: '0'\nsummary: s\nwhy: w\nfix: f\nreferences: []\n"
            "options:\n  share:\n    type: float\n    default: 0.5\n    doc: d\n    minimum: 0\n")
    with pytest.raises(CatalogError, match="OOM999.yaml: options.share: .*not minimum"):
        _parse(text, "OOM999.yaml")


def test_every_share_option_of_the_catalogue_is_a_fraction():
    shares = [(m.id, name, o) for m in load_catalog().values()
              for name, o in m.options.items() if name.endswith("_share")]
    assert shares
    for rid, name, o in shares:
        assert (o.get("exclusive_min"), o.get("max")) == (0, 1), (rid, name)
