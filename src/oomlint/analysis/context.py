"""What a check receives: the host, and the analyses of it that several rules share,
each computed at most once per host and run (nothing is cached on the `Host`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from oomlint.analysis.budget import Assumptions, HostBudget, host_budget
from oomlint.analysis.kill_order import KillOrder, kill_order
from oomlint.analysis.roles import Roles, host_roles
from oomlint.model.host import Host


@dataclass
class Context:
    host: Host
    assumptions: Assumptions = field(default_factory=Assumptions)

    @cached_property
    def budget(self) -> HostBudget:
        return host_budget(self.host, self.assumptions)

    @cached_property
    def kill_order(self) -> KillOrder:
        """The predicted global OOM kill order at worst case (analysis/kill_order.py)."""
        return kill_order(self.host, self.budget, budget_assumptions=self.assumptions)

    @cached_property
    def roles(self) -> Roles:
        """What the host's services are for, as far as rules exempt them (analysis/roles.py)."""
        return host_roles(self.host)
