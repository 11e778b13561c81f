"""Each fact has one home on `Unit` or `Host`, and every reader gets the same answer from it:
memory caps, CommitLimit, the hugepage size, a unit's environment and command line, the
dphys-swapfile cap, system.conf's defaults, and the database rules that several readers
share."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import lint_tree

from oomlint.analysis.budget import host_budget
from oomlint.catalog import load_catalog
from oomlint.cli import main
from oomlint.config import ConfigError, parse_config
from oomlint.model.build import build_host
from oomlint.sources.tree import Tree

K, M, G = 1024, 1024**2, 1024**3
PAGE = 4096
UNITS = "etc/systemd/system"


def _host(root, **kw):
    return build_host(Tree(root=root), ".", **kw)


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# -- the memory cap -------------------------------------------------------------------------


def test_memory_cap_is_the_smallest_on_the_unit_and_its_slices(tree):
    root = tree({
        f"{UNITS}/app.service": "[Service]\nExecStart=/bin/app\nSlice=apps-web.slice\n"
                                "MemoryMax=3G\n",
        f"{UNITS}/apps-web.slice": "[Slice]\nMemoryMax=50%\n",
        f"{UNITS}/apps.slice": "[Slice]\nMemoryMax=1G\n",
        f"{UNITS}/-.slice": "[Slice]\nMemoryMax=1M\n",  # never applied by systemd
        f"{UNITS}/free.service": "[Service]\nExecStart=/bin/free\nMemoryMax=infinity\n",
    })
    host = _host(root, ram=4 * G)
    app = host.units["app.service"]
    cap = host.memory_cap(app)
    assert (cap.bytes, cap.loc.path, cap.loc.line, cap.owner.name) == (
        G, f"{UNITS}/apps.slice", 2, "apps.slice")
    own = host.memory_cap(app, slices=False)
    assert (own.bytes, own.owner) == (3 * G, app)
    assert host.capping_slice(app).name == "apps-web.slice"
    free = host.units["free.service"]
    assert free.memory_limit("MemoryMax") is None and not free.caps_memory()
    assert host.memory_cap(free) is None
    # Without RAM a percentage cannot be resolved: the next cap binds.
    assert host.memory_cap(_host(root).units["app.service"]).bytes == G


# -- CommitLimit and the one hugepage size ------------------------------------------------------

OVERCOMMIT = {"etc/sysctl.d/60-vm.conf": "vm.overcommit_memory = 2\nvm.nr_hugepages = 5\n"}


def test_commit_limit_formula_by_hand(tree):
    host = _host(tree(OVERCOMMIT), ram=8 * G, swap=G)
    assert host.hugepage_pool(2 * M) == 10 * M
    c = host.commit_limit(2 * G)
    assert c.bytes == ((8 * G // PAGE - 2 * G // PAGE) * 50 // 100 + G // PAGE) * PAGE == 4 * G
    assert (c.ram, c.swap, c.hugepages, c.ratio, c.kbytes) == (8 * G, G, 2 * G, 50, 0)
    assert _host(tree(OVERCOMMIT), swap=G).commit_limit(0) is None  # RAM unknown


def test_commit_limit_with_kbytes_ignores_ratio_and_pool(tree):
    root = tree({"etc/sysctl.d/60-vm.conf": "vm.overcommit_memory = 2\n"
                                            "vm.overcommit_kbytes = 1048576\n"})
    c = _host(root, ram=8 * G, swap=512 * M).commit_limit(2 * G)
    assert c.bytes == G + 512 * M


@pytest.mark.parametrize("config", [
    {"budget": {"hugepage_size": "1G"}},
    {"rules": {"OOM302": {"hugepage_size": "1G"}}},
    {"rules": {"hugepages-reserve-large": {"hugepage_size": "1G"}}},
    {"budget": {"hugepage_size": "1G"}, "rules": {"OOM307": {"hugepage_size": "1G"}}},
])
def test_every_spelling_of_hugepage_size_feeds_the_budget_and_both_rules(tree, config):
    cfg = parse_config(config, load_catalog())
    assert cfg.assumptions.hugepage_size == G
    root = tree(OVERCOMMIT)
    host = _host(root, ram=8 * G, swap=0)
    b = host_budget(host, cfg.assumptions)
    assert b.hugepages == 5 * G
    assert b.commit_limit == host.commit_limit(5 * G).bytes == 3 * G // 2
    result = lint_tree(root, {"OOM302", "OOM307"}, ram="8G", swap="0", config=cfg)
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["OOM302"].calc.total == b.commit_limit
    assert "hugepages 5 GiB" in by_rule["OOM302"].message
    assert by_rule["OOM307"].calc.total == b.hugepages


def test_disagreeing_hugepage_sizes_are_a_config_error():
    with pytest.raises(ConfigError, match="disagree"):
        parse_config({"budget": {"hugepage_size": "2M"},
                      "rules": {"OOM307": {"hugepage_size": "1G"}}}, load_catalog())
    with pytest.raises(ConfigError, match="OOM302.hugepage_size"):
        parse_config({"rules": {"OOM302": {"hugepage_size": "lots"}}}, load_catalog())
