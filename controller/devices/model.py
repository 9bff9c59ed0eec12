"""The host's view of one device, and the changes the pollers report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Confirmed states shown by `status` (DESIGN.md): barriers report the physical state.
GATE_STATES = ("open", "closed", "locked", "moving", "stopped", "fault", "unknown")
BOLLARD_STATES = ("up", "down", "moving", "stopped", "fault", "unknown")
PANIC_STATES = ("idle", "alarm", "acknowledged")
SMOKE_STATES = ("normal", "prealarm", "alarm", "fault", "test")


@dataclass(frozen=True)
class Observation:
    """One decoded poll of a device."""

    state: str  # confirmed state, from the *_STATES above
    faults: tuple[str, ...]  # fault names, common block first then role block
    mode: int | None = None  # common.mode read back (None for third-party devices)
    press_count: int | None = None  # panic stations: accepted presses since boot
    detail: dict[str, Any] = field(default_factory=dict)  # role extras (locked, obscuration, ...)


@dataclass(frozen=True)
class DeviceView:
    name: str  # device name from the site file
    role: str  # gate | bollard | panic | smoke | <profile name> | panic-input
    bus: str
    unit: int
    zone: str
    online: bool | None = None  # None until the first contact
    state: str = "unknown"  # last confirmed state
    commanded: str = ""  # what the host last commanded ("" = nothing outstanding)
    faults: tuple[str, ...] = ()
    press_count: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_status(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "bus": self.bus, "unit": self.unit,
                "zone": self.zone, "online": bool(self.online), "state": self.state,
                "commanded": self.commanded, "faults": list(self.faults)}


@dataclass(frozen=True)
class Change:
    """Something the policy and the event log must hear about (kinds from protocols/events.py)."""

    kind: str  # e.g. events.PANIC_ALARM, events.SMOKE_ALARM, events.TROUBLE_FAULT, events.DEVICE_STATE
    device: str
    zone: str
    message: str  # what a guard reads in the log
    data: dict[str, Any] = field(default_factory=dict)  # includes t0 (wall, ISO) for detections
