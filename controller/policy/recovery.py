"""Evidence the devices give at the host's start, reconciled with the saved state in the safe
direction: a restart never returns the campus to normal on its own.

The runtime feeds these once per device, at its first poll after the host started:
  DeviceModeAtStart  - a device holds lockdown or fire mode while the saved state says its zone is
                       normal (the state was never written, or was lost): the host restores it.
  PanicLatchedAtStart - a panic station is latched: it is a panic in force. Whether its press is
                       already in the log and already queued for the receiving centre is decided
                       by the runtime (press count + latch time persisted with the event and the
                       outbox entry); the policy logs and reports only what was not done before
                       (one press, one alarm).
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.policy.decision import Command
from controller.policy.effects import Effects
from controller.policy.fire import _confirm
from controller.policy.lockdown import start_lockdown
from controller.policy.state import Point, PolicyState
from protocols import events as ev


@dataclass(frozen=True)
class DeviceModeAtStart:
    device: str
    zone: str
    mode: str  # "lockdown" | "fire": common.mode read at the first poll after start
    saved: str  # the saved state's mode for that zone ("normal" when it was lost)


@dataclass(frozen=True)
class PanicLatchedAtStart:
    device: str
    zone: str
    press: str  # press_count@alarm_uptime_s read from the station ("" when it has none)
    logged: bool  # this press's panic.alarm is already in the event log
    reported: bool  # ... and already queued for the receiving centre
    acknowledged: bool  # the station already shows "alarm received"


def on_device_mode_at_start(state: PolicyState, event: DeviceModeAtStart,
                            fx: Effects) -> PolicyState:
    evidence = (f"{event.device} ({event.zone}) reports {event.mode} mode at its first poll after "
                f"the host started, while the saved state says {event.saved}")
    if event.mode == "fire":
        if state.fire is not None:
            return state
        fx.note(ev.POLICY_DECISION, f"Reconciled at start: {evidence}. Fire egress is restored "
                f"(the safe direction); a guard clears it when the campus is safe.",
                device=event.device, zone=event.zone, rule="reconciled_at_start",
                evidence={"device": event.device, "mode": event.mode, "saved": event.saved})
        return _confirm(state, fx, f"evidence from {event.device}",
                        f"restored at start: {evidence}", None, event.zone, event.device)
    if state.zone_locked(event.zone):
        return state
    fx.note(ev.POLICY_DECISION, f"Reconciled at start: {evidence}. The campus lockdown is "
            f"restored (the safe direction: the extent of the lost lockdown is unknown); it "
            f"clears only as any lockdown does.", device=event.device, zone=event.zone,
            rule="reconciled_at_start",
            evidence={"device": event.device, "mode": event.mode, "saved": event.saved})
    return start_lockdown(state, fx, None, "reconciled", event.device, f"restored at start: "
                          f"{evidence}")


def on_panic_latched_at_start(state: PolicyState, event: PanicLatchedAtStart,
                              fx: Effects) -> PolicyState:
    zone = event.zone
    already = [what for what, done in (("logged", event.logged), ("reported", event.reported))
               if done]
    fx.because(f"panic latched at {event.device} ({zone}) at start")
    if event.logged:
        fx.note(ev.POLICY_DECISION, f"Reconciled at start: panic station {event.device} is still "
                f"latched with press {event.press or '?'}, already {' and '.join(already)} before "
                f"the restart: not reported again.", device=event.device, zone=zone,
                rule="reconciled_at_start", press_key=event.press, reported=event.reported)
    else:
        fx.note(ev.PANIC_ALARM, f"PANIC at {event.device} ({zone}): found latched at start and "
                f"not yet in the log{' (already queued for the receiving centre)' if event.reported else ': alarm sent to the receiving centre'}.",
                device=event.device, zone=zone, press_key=event.press, reconciled=True)
    if not event.reported:
        fx.report(ev.PANIC_ALARM, zone=zone, device=event.device)
    panics, unacked = state.panics, state.unacknowledged
    if not any(p.device == event.device for p in panics):
        panics = panics + (Point(event.device, zone),)
        if event.device not in unacked:
            unacked = unacked + (event.device,)
    state = state.with_(panics=panics, unacknowledged=unacked)
    scope = None if fx.site.policy.panic_scope == "campus" else zone
    state = start_lockdown(state, fx, scope, "panic", event.device,
                           f"panic latched at {event.device} ({zone}) found at start",
                           method="panic_station")
    if not event.acknowledged:
        fx.station_commands.append(Command((event.device,), "panic_ack",
                                           f"alarm from {event.device} received", False))
    return state
