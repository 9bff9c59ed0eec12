"""Priority lanes of a bus: a lower number is served first, and each lane's poll period."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Lane(IntEnum):
    LIFE_SAFETY = 0  # lockdown / fire / mode commands and their verification: before anything else
    HOLDUP = 1  # panic stations, hold-up inputs (input-module channels): every priority cycle
    SMOKE = 2  # smoke detectors (ours and third-party): every LanePeriods.smoke_s
    BARRIER = 3  # gates and bollards: every barrier_moving_s while moving or commanded, else idle
    DIAGNOSTICS = 4  # heartbeat, provisioning, re-probing offline devices, audits, technician jobs
    ALARM_POLL = 1  # old name of HOLDUP (IntEnum alias)
    BARRIER_POLL = 3  # old name of BARRIER (IntEnum alias)


@dataclass(frozen=True)
class LanePeriods:
    """How often the slower lanes come round (the hold-up lane is every cycle)."""

    smoke_s: float = 2.0  # site [policy] smoke_poll_s: a fire alarm is seen within this + a cycle
    barrier_moving_s: float = 0.2  # a barrier moving, or commanded and not yet confirmed
    barrier_idle_s: float = 2.0  # site [policy] barrier_idle_poll_s
    audit_s: float = 5.0  # full read (mode, faults, role block) of a device whose counter is quiet
