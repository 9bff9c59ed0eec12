"""What one policy step returns: the new state, the commands for the devices, the log entries
that explain why, and the reports for the alarm receiving centre."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from controller.policy.state import PolicyState

# Command actions. mode_* set common.mode; the rest write the role's command register.
MODE_ACTIONS = ("mode_lockdown", "mode_fire", "mode_normal")
ACTIONS = MODE_ACTIONS + (
    "open", "close", "lock", "unlock",  # gates
    "raise", "lower", "efo",  # bollards (efo: emergency fast raise)
    "panic_ack", "panic_reset",  # panic stations (PANIC_COMMAND_ACK, PANIC_RESET_KEY)
    "test_start", "test_stop",  # smoke detectors' own test mode (self-tests)
    "arm", "disarm",  # intrusion zones (doors use lock/unlock)
)


class AllDevices(enum.Enum):
    """Every device of the site: the runtime sends a mode command for ALL_DEVICES as ONE
    broadcast frame (unit 0) per bus, then verifies device by device."""

    ALL_DEVICES = "all_devices"

    def __repr__(self) -> str:
        return "ALL_DEVICES"


ALL_DEVICES = AllDevices.ALL_DEVICES


@dataclass(frozen=True)
class Command:
    targets: tuple[str, ...] | AllDevices  # device names in site order, or ALL_DEVICES
    action: str  # one of ACTIONS
    reason: str  # why, for the command log
    drill: bool = False  # part of a drill: actuate, but mark it

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown command action {self.action!r}; expected one of {ACTIONS}")


@dataclass(frozen=True)
class LogEntry:
    kind: str  # a kind from protocols/events.py
    message: str  # what a guard reads: what happened and WHY
    device: str | None = None
    zone: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)  # JSON-able details (user, role, rule...)
    drill: bool = False


@dataclass(frozen=True)
class AlarmReport:
    """One report for the alarm receiving centre (controller/alarm/ maps it to SIA DC-09).

    Drills: a drill produces reports with drill=True only (drill.start, and its restore), which the
    transmitter sends as test reports (Contact ID 601) so no police unit is dispatched. A report
    with drill=False always means a real alarm, trouble or restore."""

    # From protocols/events.py: panic.alarm, smoke.alarm, fire.confirmed, lockdown.set,
    # trouble.offline|fault|tamper|monitoring|bus, drill.start. A condition and its end share the
    # kind: the end has restore=True (lockdown cleared = lockdown.set + restore).
    kind: str
    zone: str | None
    device: str | None
    drill: bool = False
    restore: bool = False  # the condition ended (Contact ID qualifier 3)
    user: str | None = None  # who acted, for openings/closings by user


@dataclass(frozen=True)
class Decision:
    state: PolicyState
    commands: tuple[Command, ...] = ()
    log: tuple[LogEntry, ...] = ()
    alarms: tuple[AlarmReport, ...] = ()
