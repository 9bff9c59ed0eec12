"""Trouble: offline devices, faults, tamper and monitoring failures become a trouble log entry and
a trouble report at once (NFPA 72 allows 200 s; the runtime's debounce is policy.trouble_after_s).
Each (device, kind) is reported once until it is restored."""

from __future__ import annotations

from controller.policy.effects import Effects
from controller.policy.inputs import TROUBLE_KINDS, DeviceRestore, DeviceTrouble
from controller.policy.state import PolicyState, Trouble
from protocols import events as ev

TROUBLE_EVENT = {
    "offline": ev.TROUBLE_OFFLINE,
    "fault": ev.TROUBLE_FAULT,
    "tamper": ev.TROUBLE_TAMPER,
    "monitoring": ev.TROUBLE_MONITORING,
    "bus": ev.TROUBLE_BUS,
}
_ADVICE = {
    "offline": "it does not answer on its bus: check its power and wiring; commands to it "
               "cannot be confirmed",
    "fault": "the device reports a fault: a technician should check it",
    "tamper": "its enclosure was opened or its wiring cut: check it NOW",
    "monitoring": "its entrapment protection failed monitoring (UL 325): the gate runs only on "
                  "constant pressure until repaired",
    "bus": "the bus is unusable: every device on it is unsupervised",
}


def _kind(kind: str) -> str:
    return kind if kind in TROUBLE_KINDS else "fault"


def on_trouble(state: PolicyState, event: DeviceTrouble, fx: Effects) -> PolicyState:
    kind = _kind(event.kind)
    if any(t.device == event.device and t.kind == kind for t in state.troubles):
        return state
    zone = fx.site.zone_of(event.device)
    detail = f" ({event.detail})" if event.detail else ""
    fx.note(TROUBLE_EVENT[kind], f"TROUBLE: {event.device} {kind}{detail}: {_ADVICE[kind]}.",
            device=event.device, zone=zone, trouble=kind, detail=event.detail)
    fx.report(TROUBLE_EVENT[kind], zone=zone, device=event.device)
    return state.with_(troubles=state.troubles + (Trouble(event.device, kind, event.detail),))


def on_restore(state: PolicyState, event: DeviceRestore, fx: Effects) -> PolicyState:
    kind = _kind(event.kind)
    if not any(t.device == event.device and t.kind == kind for t in state.troubles):
        return state
    zone = fx.site.zone_of(event.device)
    fx.note(ev.TROUBLE_RESTORE, f"Restored: {event.device} no longer {kind}"
            f"{' (' + event.detail + ')' if event.detail else ''}.", device=event.device,
            zone=zone, trouble=kind)
    fx.report(TROUBLE_EVENT[kind], zone=zone, device=event.device, restore=True)
    return state.with_(troubles=tuple(t for t in state.troubles
                                      if not (t.device == event.device and t.kind == kind)))
