"""The priority-cycle time of a bus, computed from its devices' poll frames and the baud rate.

One priority cycle = every hold-up device's minimal poll + one filler slot (scheduler.py). A panic
press is seen within one cycle (plus the transaction on the wire when it happened), so this is
the detection bound per bus. The estimate takes the LONGEST filler a cycle can carry (a smoke or
barrier poll, a heartbeat, or an audit's two reads): measured cycles stay at or under it unless a
device fails to answer (a timeout) or something moved (the moved device's audit).
"""

from __future__ import annotations

from controller.bus.lanes import Lane
from controller.bus.timing import WRITE_SINGLE_BYTES, BusTiming

ASSUMED_DEVICE_S = 0.005  # request end to response start of a device (the firmware aims lower)


def transactions_s(timing: BusTiming, frames, device_s: float) -> float:
    return sum(timing.expected_transaction_s(req, resp, device_s) for req, resp in frames)


def filler_options_s(scheduler, device_s: float = ASSUMED_DEVICE_S) -> list[float]:
    timing: BusTiming = scheduler.link.timing
    options = [timing.expected_transaction_s(WRITE_SINGLE_BYTES, WRITE_SINGLE_BYTES, device_s)]
    for d in scheduler.devices:
        if d.lane != Lane.HOLDUP:
            options.append(transactions_s(timing, d.poll_frames(), device_s))
        audit = getattr(d, "audit_frames", None)
        if audit is not None:
            options.append(transactions_s(timing, audit(), device_s))
    return options


def holdup_s(scheduler, device_s: float = ASSUMED_DEVICE_S) -> float:
    timing: BusTiming = scheduler.link.timing
    return sum(transactions_s(timing, d.poll_frames(), device_s)
               for d in scheduler.devices if d.lane == Lane.HOLDUP)


def cycle_estimate_s(scheduler, device_s: float = ASSUMED_DEVICE_S) -> float:
    return holdup_s(scheduler, device_s) + max(filler_options_s(scheduler, device_s))
