"""The checks: one module per rule, listed explicitly (no discovery)."""

from oomlint.checks import (
    oom010_ram_unknown,
    oom201_unkillable_service,
    oom202_memory_max_missing,
    oom203_setting_ignored,
    oom204_memory_limit_deprecated,
    oom205_directive_misspelled,
    oom206_memory_max_above_ram,
    oom207_memory_high_above_max,
    oom208_root_slice_memory_cap,
    oom209_restart_unlimited,
    oom301_swap_absent,
    oom302_overcommit_strict_low_limit,
    oom303_overcommit_always,
    oom304_panic_on_oom,
    oom305_oom_kill_allocating_task,
    oom306_swappiness_extreme,
    oom307_hugepages_reserve_large,
    oom308_sysctl_value_invalid,
    oom309_swap_size_capped,
)

CHECKS = (
    oom010_ram_unknown,
    oom201_unkillable_service,
    oom202_memory_max_missing,
    oom203_setting_ignored,
    oom204_memory_limit_deprecated,
    oom205_directive_misspelled,
    oom206_memory_max_above_ram,
    oom207_memory_high_above_max,
    oom208_root_slice_memory_cap,
    oom209_restart_unlimited,
    oom301_swap_absent,
    oom302_overcommit_strict_low_limit,
    oom303_overcommit_always,
    oom304_panic_on_oom,
    oom305_oom_kill_allocating_task,
    oom306_swappiness_extreme,
    oom307_hugepages_reserve_large,
    oom308_sysctl_value_invalid,
    oom309_swap_size_capped,
)

# Rules reported by the parsers, the model or the engine rather than by a check module.
INPUT_RULES = ("OOM001", "OOM002", "OOM003", "OOM004", "OOM005", "OOM006", "OOM007", "OOM090",
               "OOM099")
