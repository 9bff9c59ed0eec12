"""Panic ("one-key alarm") stations: a press is a real alarm (GB 50394 §5.2.2: no missed alarm),
acknowledged to the station at once, reported, and locks down the campus (or the station's zone,
policy.panic_scope). The station latches until reset by key or by an authorised host reset; a
reset never clears the lockdown."""

from __future__ import annotations

from controller.policy.authority import actor_data, refusal, who
from controller.policy.decision import Command
from controller.policy.effects import Effects
from controller.policy.inputs import AlarmAcknowledged, PanicPressed, PanicReset
from controller.policy.lockdown import start_lockdown
from controller.policy.state import Point, PolicyState
from protocols import events as ev


def _is_station(fx: Effects, name: str) -> bool:
    return any(d.name == name and d.kind == "panic" for d in fx.site.devices)


def on_panic_pressed(state: PolicyState, event: PanicPressed, fx: Effects) -> PolicyState:
    zone = event.zone or fx.site.zone_of(event.device)
    fx.because(f"panic pressed at {event.device} ({zone})")
    fx.note(ev.PANIC_ALARM, f"PANIC pressed at {event.device} ({zone}): alarm sent to the "
            f"receiving centre.", device=event.device, zone=zone)
    fx.report(ev.PANIC_ALARM, zone=zone, device=event.device)
    panics = state.panics
    if not any(p.device == event.device for p in panics):
        panics = panics + (Point(event.device, zone),)
    unacked = state.unacknowledged
    if event.device not in unacked:
        unacked = unacked + (event.device,)
    state = state.with_(panics=panics, unacknowledged=unacked)
    scope = None if fx.site.policy.panic_scope == "campus" else zone
    state = start_lockdown(state, fx, scope, "panic", event.device,
                           f"panic pressed at {event.device} ({zone})", method="panic_station")
    if _is_station(fx, event.device):
        fx.station_commands.append(Command((event.device,), "panic_ack",
                                           f"alarm from {event.device} received", False))
        fx.note(ev.PANIC_ACK, f"{event.device} told the alarm was received (green LED).",
                device=event.device, zone=zone)
    return state


def on_panic_reset(state: PolicyState, event: PanicReset, fx: Effects) -> PolicyState:
    point = next((p for p in state.panics if p.device == event.device), None)
    zone = point.zone if point else fx.site.zone_of(event.device)
    stays = " The lockdown stays in force until cleared." if state.lockdowns else ""
    if event.by == "host":
        fx.note(ev.OPERATOR_ACTION, f"{who(event)} asked to reset panic station "
                f"{event.device}.", device=event.device, zone=zone, **actor_data(event),
                action="panic_reset")
        refused = refusal(event.user, event.role, "reset a panic station", event.method)
        if refused is None and not _is_station(fx, event.device):
            refused = f"{event.device} is not a panic station of this site (reset it on site)"
        if refused is not None:
            fx.note(ev.POLICY_DECISION, f"Panic reset refused: {refused}.", device=event.device,
                    rule="panic_reset", refused=True)
            return state
        fx.station_commands.append(Command((event.device,), "panic_reset",
                                           f"authorised reset by {event.user}", False))
        how = f"by {event.user} from the guard room"
    else:
        how = "with the key at the station"
    fx.note(ev.PANIC_RESET, f"Panic station {event.device} reset {how}.{stays}",
            device=event.device, zone=zone, by=event.by, user=event.user)
    if point is not None:
        fx.report(ev.PANIC_ALARM, zone=zone, device=event.device, restore=True, user=event.user)
    return state.with_(panics=tuple(p for p in state.panics if p.device != event.device))


def on_alarm_acknowledged(state: PolicyState, event: AlarmAcknowledged,
                          fx: Effects) -> PolicyState:
    which = event.device or "all alarms"
    fx.note(ev.OPERATOR_ACTION, f"{who(event)} acknowledged {which}"
            f"{': ' + repr(event.reason) if event.reason else ''}.", device=event.device,
            **actor_data(event), reason=event.reason, action="acknowledge")
    refused = refusal(event.user, event.role, "acknowledge alarms", event.method)
    if refused is not None:
        fx.note(ev.POLICY_DECISION, f"Acknowledgement refused: {refused}.", rule="acknowledge",
                refused=True)
        return state
    keep = () if event.device is None else tuple(
        d for d in state.unacknowledged if d != event.device)
    return state.with_(unacknowledged=keep)
