"""Effects: what a rule handler collects while deciding one event (log entries, alarm reports,
station commands, the reason for the device commands). Local to one step(), so step() stays pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from controller.policy.decision import AlarmReport, Command, LogEntry
from controller.site.model import Site


@dataclass
class Effects:
    site: Site
    now: datetime
    log: list[LogEntry] = field(default_factory=list)
    alarms: list[AlarmReport] = field(default_factory=list)
    station_commands: list[Command] = field(default_factory=list)  # panic_ack / panic_reset
    reason: str = ""  # why the device commands of this step are sent
    drill: bool | None = None  # None: the commands are a drill's when the new state has a drill

    def note(self, kind: str, message: str, /, *, device: str | None = None,
             zone: str | None = None, drill: bool = False, **data: Any) -> None:
        self.log.append(LogEntry(kind=kind, message=message, device=device, zone=zone,
                                 data=data, drill=drill))

    def report(self, kind: str, /, *, zone: str | None = None, device: str | None = None,
               drill: bool = False, restore: bool = False, user: str | None = None) -> None:
        self.alarms.append(AlarmReport(kind=kind, zone=zone, device=device, drill=drill,
                                       restore=restore, user=user))

    def because(self, reason: str) -> None:
        """The first reason given wins: it names the event that started this step's actions."""
        if not self.reason:
            self.reason = reason
