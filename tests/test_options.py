"""Rule options arrive typed: a frozen dataclass per rule, built from the catalogue's
`options` schema, values validated and converted when the configuration is loaded."""

from __future__ import annotations

import dataclasses

import pytest

from oomlint.base.findings import Severity
from oomlint.catalog import RuleMeta, load_catalog
from oomlint.config import Config, ConfigError, parse_config, rule_options

GIB = 1024 ** 3


def _rule(options) -> RuleMeta:
    return RuleMeta("OOM999", "test-rule", "t", Severity.WARNING, "test", "stable", "0", "s",
                    "w", "f", (), options=options)


def test_defaults_from_the_catalogue():
    catalog = load_catalog()
    opts = rule_options(catalog["OOM201"], Config())
    assert type(opts).__name__ == "OOM201Options"
    assert opts.allow_units == ()
    assert rule_options(catalog["OOM102"], Config()).near_share == 0.9
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.allow_units = ("x",)


def test_configured_values_are_converted_at_load():
    rule = _rule({"cap": {"type": "size", "default": "1G"},
                  "units": {"type": "list[str]", "default": []},
                  "share": {"type": "float", "default": 1}})
    catalog = {"OOM999": rule}
    assert rule_options(rule, Config()) == type(rule_options(rule, Config()))(
        cap=GIB, units=(), share=1.0)
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
