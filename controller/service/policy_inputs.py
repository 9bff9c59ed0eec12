"""Device changes (controller/devices) to policy input events (controller/policy) (pure)."""

from __future__ import annotations

from controller.devices.model import Change, DeviceView
from controller.devices.tracker import trouble_kind
from controller.policy.inputs import (
    DeviceRestore,
    DeviceTrouble,
    IntrusionAlarm,
    IntrusionBypass,
    PanicPressed,
    PanicReset,
    SmokeAlarm,
    SmokeClear,
)
from protocols import events as E

_TROUBLE_NAMES = {E.TROUBLE_FAULT: "fault", E.TROUBLE_TAMPER: "tamper",
                  E.TROUBLE_MONITORING: "monitoring"}


def policy_event(change: Change, view: DeviceView):
    """The policy event for a change, or None for changes only the log needs."""
    if change.kind == E.PANIC_ALARM:
        return PanicPressed(change.device, change.zone)
    if change.kind == E.PANIC_RESET:
        return PanicReset(change.device, by="key")
    if change.kind == E.SMOKE_ALARM:
        return SmokeAlarm(change.device, change.zone)
    if change.kind == E.SMOKE_CLEAR:
        return SmokeClear(change.device, change.zone)
    if change.kind == E.INTRUSION_ALARM:
        return IntrusionAlarm(change.device, change.zone, tuple(change.data.get("loops", ())))
    if change.kind == E.INTRUSION_BYPASS:
        return IntrusionBypass(change.device, change.zone, tuple(change.data.get("loops", ())),
                               bool(change.data.get("restore")))
    if change.kind in _TROUBLE_NAMES:
        return DeviceTrouble(change.device, _TROUBLE_NAMES[change.kind], change.data.get("fault", ""))
    if change.kind == E.TROUBLE_RESTORE:
        restored = change.data.get("restored", E.TROUBLE_FAULT)
        if any(trouble_kind(f) == restored for f in view.faults):
            return None  # another fault of the same kind is still there
        return DeviceRestore(change.device, _TROUBLE_NAMES.get(restored, "fault"),
                             change.data.get("fault", ""))
    return None
