"""What a check receives: the host, and the analyses of it that several rules share,
each computed at most once per host and run (nothing is cached on the `Host`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from oomlint.analysis.budget import Assumptions, HostBudget, host_budget
from oomlint.model.host import Host


@dataclass
class Context:
    host: Host
    assumptions: Assumptions = field(default_factory=Assumptions)

    @cached_property
    def budget(self) -> HostBudget:
        return host_budget(self.host, self.assumptions)
