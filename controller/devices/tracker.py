"""observe(view, observation) -> (new view, changes): the pure heart of device state."""

from __future__ import annotations

import dataclasses
from typing import Any

from controller.devices.model import Change, DeviceView, Observation
from controller.devices.role_changes import role_changes
from protocols import events as E

_MONITORING_FAULTS = ("photo_eye_monitor", "edge_monitor")


def trouble_kind(fault: str) -> str:
    if fault == "tamper":
        return E.TROUBLE_TAMPER
    if fault in _MONITORING_FAULTS:
        return E.TROUBLE_MONITORING
    return E.TROUBLE_FAULT


def observe(view: DeviceView, obs: Observation, detected: dict[str, Any]) -> tuple[DeviceView, tuple[Change, ...]]:
    """detected: timing data stamped on every change (t0 wall clock, t0_mono)."""
    changes: list[Change] = []

    def add(kind: str, message: str, **data: Any) -> None:
        changes.append(Change(kind, view.name, view.zone, message, {**detected, **data}))

    if obs.state != view.state:
        add(E.DEVICE_STATE, f"{view.name}: {view.state} -> {obs.state}", previous=view.state,
            state=obs.state)

    if view.role in ("panic", "panic-input"):
        pressed = obs.state == "alarm" and view.state != "alarm" and view.state != "acknowledged"
        if obs.press_count is not None and view.press_count is not None:
            pressed = pressed or (obs.press_count - view.press_count) % 0x10000 > 0
        if pressed:
            add(E.PANIC_ALARM, f"panic pressed at {view.name} ({view.zone})",
                press_count=obs.press_count)
        elif obs.state == "idle" and view.state in ("alarm", "acknowledged"):
            add(E.PANIC_RESET, f"panic station {view.name} reset")
    if view.role == "smoke" or view.detail.get("kind") == "smoke":
        if obs.state == "alarm" and view.state != "alarm":
            add(E.SMOKE_ALARM, f"smoke alarm at {view.name} ({view.zone})")
        elif obs.state == "prealarm" and view.state not in ("prealarm", "alarm"):
            add(E.SMOKE_PREALARM, f"smoke pre-alarm at {view.name} ({view.zone})")
        elif obs.state == "normal" and view.state in ("alarm", "prealarm"):
            add(E.SMOKE_CLEAR, f"smoke cleared at {view.name}")

    role_changes(view, obs, add)

    new_faults = [f for f in obs.faults if f not in view.faults]
    gone_faults = [f for f in view.faults if f not in obs.faults]
    for fault in new_faults:
        add(trouble_kind(fault), f"{view.name}: {fault}", fault=fault)
    for fault in gone_faults:
        add(E.TROUBLE_RESTORE, f"{view.name}: {fault} restored", fault=fault,
            restored=trouble_kind(fault))

    detail = {**view.detail, **obs.detail}
    new_view = dataclasses.replace(view, state=obs.state, faults=tuple(obs.faults),
                                   press_count=obs.press_count if obs.press_count is not None else view.press_count,
                                   detail=detail)
    return new_view, tuple(changes)
