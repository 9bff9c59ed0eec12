"""The priority-cycle time of a bus, computed from its devices' poll frames and the baud rate.

One priority cycle = every polled alarm device once + one barrier + one diagnostics transaction
(see scheduler.py). A panic press or smoke alarm is seen within one cycle (plus the transaction
on the wire when it happened), so this is the detection bound per bus.
"""

from __future__ import annotations

from controller.bus.lanes import Lane
from controller.bus.timing import WRITE_SINGLE_BYTES, BusTiming

ASSUMED_DEVICE_S = 0.005  # request end to response start of a device (the firmware aims lower)


def transactions_s(timing: BusTiming, frames, device_s: float) -> float:
    return sum(timing.expected_transaction_s(req, resp, device_s) for req, resp in frames)


def cycle_estimate_s(scheduler, device_s: float = ASSUMED_DEVICE_S) -> float:
    timing: BusTiming = scheduler.link.timing
    alarm = [d for d in scheduler.devices if d.lane == Lane.ALARM_POLL]
    barriers = [d for d in scheduler.devices if d.lane == Lane.BARRIER_POLL]
    total = sum(transactions_s(timing, d.poll_frames(), device_s) for d in alarm)
    if barriers:
        total += max(transactions_s(timing, d.poll_frames(), device_s) for d in barriers)
    total += timing.expected_transaction_s(WRITE_SINGLE_BYTES, WRITE_SINGLE_BYTES, device_s)
    return total
