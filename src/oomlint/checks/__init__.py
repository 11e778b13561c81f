"""The checks: one module per rule, listed explicitly here (no discovery), in id order,
each with the domain of the host it judges (None: every host).

A check named with a domain yields nothing on a host without it (`has_domain`): it reads
only that domain's part of the model (`Host.databases`, `Host.jvms` ...) or the budget's
services built from it. The engine imports a check module the first time it runs one on a
host that has its domain, so a host of unit files never loads the database, JVM, php-fpm,
Redis or live checks (nor the models those import). `CHECKS`, every module imported, is
for the tests and tools that want them all."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from oomlint.base.ids import INPUT_RULES  # noqa: F401  (rules with no check module)

REGISTRY: tuple[tuple[str, str | None], ...] = (
    ("oom010_ram_unknown", None),
    ("oom101_budget_exceeds_ram", None),
    ("oom102_budget_near_ram", None),
    ("oom103_service_exceeds_memory_max", None),
    ("oom104_commit_limit_below_budget", None),
    ("oom201_unkillable_service", None),
    ("oom202_memory_max_missing", None),
    ("oom203_setting_ignored", None),
    ("oom204_memory_limit_deprecated", None),
    ("oom205_directive_misspelled", None),
    ("oom206_memory_max_above_ram", None),
    ("oom207_memory_high_above_max", None),
    ("oom208_root_slice_memory_cap", None),
    ("oom209_restart_unlimited", None),
    ("oom211_protected_service_killed_first", None),
    ("oom212_expendable_outranked_by_protected", None),
    ("oom213_nothing_killable_left", None),
    ("oom214_unkillable_biggest_consumer", None),
    ("oom215_worker_not_expendable", None),
    ("oom301_swap_absent", None),
    ("oom302_overcommit_strict_low_limit", None),
    ("oom303_overcommit_always", None),
    ("oom304_panic_on_oom", None),
    ("oom305_oom_kill_allocating_task", None),
    ("oom306_swappiness_extreme", None),
    ("oom307_hugepages_reserve_large", None),
    ("oom308_sysctl_value_invalid", None),
    ("oom309_swap_size_capped", None),
    ("oom310_sysctl_conf_not_applied", None),
    ("oom311_swap_not_activated", None),
    ("oom401_mysql_exceeds_ram", "databases"),
    ("oom402_mysql_setting_refused", "databases"),
    ("oom403_mysql_tmp_table_size_capped", "databases"),
    ("oom404_mysql_stress_exceeds_ram", "databases"),
    ("oom451_postgresql_exceeds_ram", "databases"),
    ("oom452_postgresql_setting_refused", "databases"),
    ("oom453_postgresql_work_mem_connections", "databases"),
    ("oom454_postgresql_shared_buffers_large", "databases"),
    ("oom455_postgresql_vacuum_memory_capped", "databases"),
    ("oom456_postgresql_huge_pages_short", "databases"),
    ("oom457_postgresql_huge_pages_fallback", "databases"),
    ("oom501_heap_above_memory_max", "jvms"),
    ("oom502_jvm_exceeds_memory_max", "jvms"),
    ("oom503_heap_unset_in_limited_unit", "jvms"),
    ("oom504_jvm_flag_overridden", "jvms"),
    ("oom505_heap_above_compressed_oops", "jvms"),
    ("oom506_elasticsearch_heap_above_half", "jvms"),
    ("oom507_jvm_flag_refused", "jvms"),
    ("oom508_jvm_unmodelled", "jvms"),
    ("oom601_php_fpm_exceeds_ram", "php_fpm"),
    ("oom602_php_fpm_exceeds_memory_max", "php_fpm"),
    ("oom603_php_fpm_memory_limit_unlimited", "php_fpm"),
    ("oom604_php_fpm_memory_limit_reinterpreted", "php_fpm"),
    ("oom605_php_fpm_config_refused", "php_fpm"),
    ("oom651_redis_maxmemory_unset", "redis"),
    ("oom652_redis_exceeds_ram", "redis"),
    ("oom653_redis_setting_refused", "redis"),
    ("oom654_redis_noeviction", "redis"),
    ("oom701_oom_kills_since_boot", "live"),
    ("oom702_cgroup_oom_events", "live"),
    ("oom703_cgroup_near_memory_limit", "live"),
    ("oom704_memory_pressure_high", "live"),
    ("oom705_sysctl_running_differs", "live"),
    ("oom706_swap_running_differs", "live"),
    ("oom707_memory_max_running_differs", "live"),
    ("oom708_service_above_worst_case", "live"),
    ("oom709_commit_limit_reached", "live"),
    ("oom710_oom_score_adj_running_differs", "live"),
    ("oom711_live_first_victim_differs", "live"),
    ("oom715_live_data_unreadable", "live"),
)

MODULES = tuple(name for name, _ in REGISTRY)


def rule_of(name: str) -> str:
    """The rule a check module reports, from its name (``oom201_…`` → ``OOM201``; the
    catalogue tests hold every module's RULE to it)."""
    return name[:6].upper()


def has_domain(host, domain: str | None) -> bool:
    """Whether `host` has what a check of `domain` judges."""
    if domain is None:
        return True
    if domain == "databases":
        return bool(host.databases)
    if domain == "jvms":  # a JVM, or a service OOM508 says looks like one
        return bool(host.jvms or host.jvm_unmodelled)
    if domain == "php_fpm":
        return bool(host.php_fpm)
    if domain == "redis":
        return bool(host.redis)
    if domain == "live":
        return host.live is not None
    raise ValueError(f"unknown check domain {domain!r}")


def load(name: str) -> ModuleType:
    return import_module(f"oomlint.checks.{name}")


def __getattr__(attr: str):
    if attr == "CHECKS":  # every check module, in id order
        return tuple(load(name) for name in MODULES)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
