"""Context-aware rules: analysis/roles.py finds what a host is (Elasticsearch/OpenSearch,
kubelet, Redis, containerd/dockerd, a dedicated database or search node) from units' names
and ExecStart= argv, with the line that shows it; OOM301, OOM303 and OOM202 ask it. The
fixtures are tests/checks/OOM301/quiet-elasticsearch*, quiet-kubelet, OOM303/quiet-redis,
quiet-kubelet-protect-kernel-defaults and OOM202/quiet-dedicated-*, quiet-container-runtime,
fires-database-beside-jvm (each with a README citing the upstream files)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from oomlint.analysis.roles import (
    host_roles,
    memory_max_exempt,
    no_swap_reason,
    overcommit_always_reason,
)
from oomlint.cli import main
from oomlint.model.build import build_host
from oomlint.parsers.yaml_keys import parse_yaml_keys
from oomlint.sources.tree import Tree

CHECKS = Path(__file__).parent / "checks"
G = 1024**3


def roles_of(path):
    return host_roles(build_host(Tree(root=str(path)), ".", ram=16 * G))


def check(path, *args):
    r = CliRunner().invoke(main, ["check", str(path), "--ram", "16G", "--fail-on", "never",
                                  *args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def test_elasticsearch_node_memory_lock_and_no_swap():
    case = CHECKS / "OOM301/quiet-elasticsearch"
    roles = roles_of(case)
    (es,) = roles.search
    assert (es.unit, es.what, es.loc.path, es.loc.line) == (
        "elasticsearch.service", "Elasticsearch", "usr/lib/systemd/system/elasticsearch.service",
        26)
    assert (roles.memory_lock.text, roles.memory_lock.loc.line) == ("LimitMEMLOCK=infinity", 4)
    assert roles.dedicated.unit == "elasticsearch.service"
    assert "Disable swapping" in no_swap_reason(roles)
    assert "OOM301" not in check(case)  # before: OOM301 [warning] no swap configured


def test_memory_lock_from_elasticsearch_yml(tmp_path):
    tree = tmp_path / "h"
    shutil.copytree(CHECKS / "OOM301/quiet-elasticsearch", tree)
    (tree / "etc/systemd/system/elasticsearch.service.d/override.conf").unlink()
    lock = roles_of(tree).memory_lock
    assert (lock.text, lock.loc.path, lock.loc.line) == (
        "bootstrap.memory_lock: true", "etc/elasticsearch/elasticsearch.yml", 14)


def test_kubelet_node_swap_refused_unless_fail_swap_on_false(tmp_path):
    case = CHECKS / "OOM301/quiet-kubelet"
    roles = roles_of(case)
    assert [r.unit for r in roles.kubelet] == ["kubelet.service"]
    assert roles.kubelet_swap_allowed is None
    assert "OOM301" not in check(case)  # before: OOM301 [warning]
    # failSwapOn: false in the KubeletConfiguration: swap is allowed, the rule applies again.
    tree = tmp_path / "h"
    shutil.copytree(case, tree)
    conf = tree / "var/lib/kubelet/config.yaml"
    conf.write_text(conf.read_text().replace("memorySwap: {}\n",
                                             "failSwapOn: false\nmemorySwap:\n"
                                             "  swapBehavior: LimitedSwap\n"))
    roles = roles_of(tree)
    assert roles.kubelet_swap_allowed.text == "failSwapOn: false"
    assert roles.kubelet_swap_allowed.loc.path == "var/lib/kubelet/config.yaml"
    assert no_swap_reason(roles) is None
    assert "OOM301 [warning] no swap configured" in check(tree)


def test_kubelet_flag_wins_over_config_file(tmp_path):
    tree = tmp_path / "h"
    shutil.copytree(CHECKS / "OOM301/quiet-kubelet", tree)
    (tree / "etc/default").mkdir(parents=True)
    (tree / "etc/default/kubelet").write_text('KUBELET_EXTRA_ARGS="--fail-swap-on=false"\n')
    roles = roles_of(tree)
    assert roles.kubelet_swap_allowed.text == "--fail-swap-on=false"
    assert "OOM301 [warning]" in check(tree)


def test_redis_and_kubelet_make_overcommit_always_quiet(tmp_path):
    redis = CHECKS / "OOM303/quiet-redis"
    assert "Redis" in overcommit_always_reason(roles_of(redis))
    assert "OOM303" not in check(redis, "--select", "OOM303")
    kube = CHECKS / "OOM303/quiet-kubelet-protect-kernel-defaults"
    roles = roles_of(kube)
    assert roles.kubelet_protect_kernel_defaults.loc.line == 38
    assert "protectKernelDefaults" in overcommit_always_reason(roles)
    assert "OOM303" not in check(kube, "--select", "OOM303")
    # Without Redis the same sysctl file is reported (the existing fires fixtures).
    tree = tmp_path / "h"
    shutil.copytree(redis, tree)
    (tree / "lib/systemd/system/redis-server.service").unlink()
    assert "OOM303 [info] vm.overcommit_memory=1" in check(tree, "--select", "OOM303")


def test_memory_max_exempt_units():
    runtime = memory_max_exempt(roles_of(CHECKS / "OOM202/quiet-container-runtime"))
    assert sorted(runtime) == ["containerd.service", "docker.service"]
    assert memory_max_exempt(roles_of(CHECKS / "OOM202/quiet-dedicated-database")) == {
        "mariadb.service": "the host's single big service (mysql): a dedicated node"}
    # MariaDB beside a JVM is not a dedicated node.
    assert memory_max_exempt(roles_of(CHECKS / "OOM202/fires-database-beside-jvm")) == {}


def test_debian_stock_roles():
    """The stock tree has Redis, containerd and dockerd, and databases beside JVMs: no
    dedicated node."""
    roles = roles_of(Path(__file__).parent / "data/debian-stock")
    assert [r.unit for r in roles.redis] == ["redis-server.service", "redis-server@.service"]
    assert [r.unit for r in roles.container_runtime] == ["containerd.service", "docker.service"]
    assert roles.dedicated is None and roles.search == () and roles.kubelet == ()


def test_yaml_keys_subset():
    text = ("# c\nbootstrap:\n  memory_lock: true   # lock\nfailSwapOn: 'false'\n- x\n"
            "k: [1, 2]\nfeatureGates:\n  NodeSwap: true\nbad line\n\tfailSwapOn: true\n")
    keys = parse_yaml_keys(text, "f")
    assert {k: (v, loc.line) for k, (v, loc) in keys.items()} == {
        "bootstrap.memory_lock": ("true", 3), "failSwapOn": ("false", 4),
        "featureGates.NodeSwap": ("true", 8)}


def test_yaml_keys_hostile_input_is_linear_and_never_raises():
    import random
    import time

    rng = random.Random(11)
    alphabet = "ab :#\"'-[{\t\n\r\\\x00\ufeff"
    for _ in range(300):
        parse_yaml_keys("".join(rng.choice(alphabet) for _ in range(rng.randrange(200))), "f")
    start = time.monotonic()
    parse_yaml_keys("a" + " " * 2_000_000 + "b:\n" + "k:" + " x" * 500_000 + "\n", "f")
    assert time.monotonic() - start < 2
