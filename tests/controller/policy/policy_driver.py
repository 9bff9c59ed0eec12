"""Policy test driver: feeds events to step() at stepped times; helpers to read decisions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from controller.policy import ALL_DEVICES, Command, Decision, PolicyState, step
from controller.site import Site

# Sunday 2026-11-22 20:00 in Shanghai: no schedule window is open.
QUIET = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


class Campus:
    def __init__(self, site: Site, now: datetime = QUIET):
        self.site = site
        self.state = PolicyState()
        self.now = now
        self.decisions: list[Decision] = []

    def __call__(self, event, after_s: float = 1.0) -> Decision:
        self.now += timedelta(seconds=after_s)
        decision = step(self.site, self.state, event, self.now)
        self.state = decision.state
        self.decisions.append(decision)
        return decision

    def names(self, kind: str) -> set[str]:
        return {d.name for d in self.site.devices if d.kind == kind}


def commanded(site: Site, decision: Decision | tuple[Command, ...], action: str) -> set[str]:
    """Devices the decision (or the commands) send action to (ALL_DEVICES expanded to our
    firmware devices)."""
    commands = decision.commands if isinstance(decision, Decision) else decision
    out: set[str] = set()
    for command in commands:
        if command.action == action:
            if command.targets is ALL_DEVICES:
                out |= {d.name for d in site.devices if d.role is not None}
            else:
                out |= set(command.targets)
    return out


def kinds(decision: Decision) -> list[str]:
    return [entry.kind for entry in decision.log]


