"""Changes only the door and intrusion roles make (pure): door alarms, burglary, arming, bypass.
Called by tracker.observe with its `add`, so each change carries the same detection stamp."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from controller.devices.model import DeviceView, Observation
from protocols import events as E

Add = Callable[..., None]


def _loops(numbers: Any) -> str:
    return ", ".join(f"loop {n}" for n in numbers) or "no loop"


def door_changes(view: DeviceView, obs: Observation, add: Add) -> None:
    old = set(view.detail.get("alarms", ()))
    new = set(obs.detail.get("alarms", ()))
    if "forced_open" in new - old:
        add(E.DOOR_FORCED, f"DOOR FORCED OPEN at {view.name} ({view.zone})",
            forced_count=obs.detail.get("forced_count"))
    if "held_open" in new - old:
        add(E.DOOR_HELD_OPEN, f"door held open at {view.name} ({view.zone})")
    if old and not new:
        add(E.DOOR_ALARM_CLEAR, f"door alarms ended at {view.name}: {', '.join(sorted(old))}")


def intrusion_changes(view: DeviceView, obs: Observation, add: Add) -> None:
    detail = obs.detail
    if obs.state == "alarm" and view.state != "alarm":
        loops = detail.get("alarm_loops", [])
        add(E.INTRUSION_ALARM, f"BURGLARY ALARM at {view.name} ({view.zone}): {_loops(loops)}",
            loops=list(loops))
    known = view.state != "unknown"
    if detail.get("armed") and not view.detail.get("armed"):
        add(E.INTRUSION_ARMED, f"{view.name} ({view.zone}) armed")
    elif known and not detail.get("armed") and view.detail.get("armed"):
        add(E.INTRUSION_DISARMED, f"{view.name} ({view.zone}) disarmed")
    old, new = set(view.detail.get("bypassed", ())), set(detail.get("bypassed", ()))
    if new - old:
        add(E.INTRUSION_BYPASS, f"{view.name}: {_loops(sorted(new - old))} bypassed",
            loops=sorted(new - old), restore=False)
    if old - new:
        add(E.INTRUSION_BYPASS, f"{view.name}: bypass of {_loops(sorted(old - new))} ended",
            loops=sorted(old - new), restore=True)


def role_changes(view: DeviceView, obs: Observation, add: Add) -> None:
    if view.role == "door":
        door_changes(view, obs, add)
    elif view.role == "intrusion":
        intrusion_changes(view, obs, add)
