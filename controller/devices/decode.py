"""Registers of our four roles decoded into an Observation (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from controller.devices.decode_new_roles import DECODERS
from protocols import registers as R

_GATE_CONFIRMED = {"unknown": "unknown", "closed": "closed", "opening": "moving", "open": "open",
                   "closing": "moving", "stopped": "stopped", "reversing": "moving", "fault": "fault"}
_BOLLARD_CONFIRMED = {"unknown": "unknown", "down": "down", "rising": "moving", "up": "up",
                      "lowering": "moving", "stopped": "stopped", "fault": "fault", "warning": "moving"}
_SMOKE_CONFIRMED = {"normal": "normal", "prealarm": "prealarm", "verifying": "prealarm",
                    "alarm": "alarm", "fault": "fault", "test": "test"}


def _name(names: Sequence[str], value: int) -> str:
    return names[value] if 0 <= value < len(names) else "unknown"


def _reg(block: Sequence[int], role_block, name: str) -> int:
    return block[R.address(role_block, name) - R.ROLE_BASE]


def common_faults(fault_flags: int) -> list[str]:
    # role_fault only says "see the role block": the role block's own names are listed instead
    return [n for n in R.bit_names(fault_flags, R.COMMON_FAULT_NAMES) if n != "role_fault"]


def decode_role(role: str, fault_flags: int, block: Sequence[int]) -> tuple[str, list[str], dict]:
    """(confirmed state, fault names, detail) from common.fault_flags and the role block."""
    faults = common_faults(fault_flags)
    if role == "gate":
        raw = _name(R.GATE_STATE_NAMES, _reg(block, R.GATE, "state"))
        locked = bool(_reg(block, R.GATE, "locked"))
        state = _GATE_CONFIRMED[raw]
        if state == "closed" and locked:
            state = "locked"
        faults += R.bit_names(_reg(block, R.GATE, "faults"), R.GATE_FAULT_NAMES)
        detail = {"raw_state": raw, "locked": locked,
                  "hold_to_run": bool(_reg(block, R.GATE, "hold_to_run"))}
        return state, faults, detail
    if role == "bollard":
        raw = _name(R.BOLLARD_STATE_NAMES, _reg(block, R.BOLLARD, "state"))
        faults += R.bit_names(_reg(block, R.BOLLARD, "faults"), R.BOLLARD_FAULT_NAMES)
        return _BOLLARD_CONFIRMED[raw], faults, {"raw_state": raw,
                                                 "efo_active": bool(_reg(block, R.BOLLARD, "efo_active"))}
    if role == "panic":
        state = _name(R.PANIC_STATE_NAMES, _reg(block, R.PANIC, "state"))
        faults += R.bit_names(_reg(block, R.PANIC, "faults"), R.PANIC_FAULT_NAMES)
        latched_at = (_reg(block, R.PANIC, "alarm_uptime_hi") << 16) | _reg(block, R.PANIC, "alarm_uptime_lo")
        # press_count + the station's uptime when it latched name one press (a restart of the
        # host must not report it twice; a rebooted station counts from 0 again)
        return state, faults, {"press_count": _reg(block, R.PANIC, "press_count"),
                               "alarm_uptime_s": latched_at}
    if role == "smoke":
        raw = _name(R.SMOKE_STATE_NAMES, _reg(block, R.SMOKE, "state"))
        faults += R.bit_names(_reg(block, R.SMOKE, "faults"), R.SMOKE_FAULT_NAMES)
        return _SMOKE_CONFIRMED.get(raw, "fault"), faults, {
            "raw_state": raw, "obscuration_pct_per_m": _reg(block, R.SMOKE, "obscuration") / 100}
    if role in DECODERS:
        state, role_faults, detail = DECODERS[role](block)
        return state, faults + role_faults, detail
    raise ValueError(f"unknown role {role!r}")
