"""Intrusion zones: a tripped armed zone is a burglary alarm (Contact ID 130 / SIA BA), reported at
once and shown until a person deals with it: the zone latches it, and no rule here (a lockdown, a
clear, a schedule end) ever disarms or resets it. A bypass is reported too (570), so the receiving
centre knows a loop is not watched. Arming by schedule is targets.py's ("arm" windows)."""

from __future__ import annotations

from controller.policy.effects import Effects
from controller.policy.inputs import IntrusionAlarm, IntrusionBypass
from controller.policy.state import PolicyState
from protocols import events as ev


def _loops(loops: tuple[int, ...]) -> str:
    return ", ".join(f"loop {n}" for n in loops) or "a loop"


def on_intrusion_alarm(state: PolicyState, event: IntrusionAlarm, fx: Effects) -> PolicyState:
    zone = event.zone or fx.site.zone_of(event.device)
    during = " A lockdown is in force: the alarm stays shown until a guard deals with it." \
        if state.lockdowns else ""
    fx.note(ev.INTRUSION_ALARM, f"BURGLARY: {event.device} ({zone}) tripped on "
            f"{_loops(event.loops)}; alarm sent to the receiving centre.{during}",
            device=event.device, zone=zone, loops=list(event.loops))
    fx.report(ev.INTRUSION_ALARM, zone=zone, device=event.device)
    unacked = state.unacknowledged
    if event.device not in unacked:
        unacked = unacked + (event.device,)
    return state.with_(unacknowledged=unacked)


def on_intrusion_bypass(state: PolicyState, event: IntrusionBypass, fx: Effects) -> PolicyState:
    zone = event.zone or fx.site.zone_of(event.device)
    what = "bypass ended" if event.restore else "bypassed: not watched until the bypass ends"
    fx.note(ev.INTRUSION_BYPASS, f"{event.device} ({zone}) {_loops(event.loops)} {what}.",
            device=event.device, zone=zone, loops=list(event.loops), restore=event.restore)
    fx.report(ev.INTRUSION_BYPASS, zone=zone, device=event.device, restore=event.restore)
    return state
