"""Fire: on a confirmed fire, evacuation-route gates open and hold and fire-lane bollards lower
(GB 50116 §4.10.3, NFPA 101). What confirms a fire is the site's rule:
  policy.fire_in_normal        (no lockdown in force; default one_detector)
  policy.fire_during_lockdown  (a lockdown in force; default two_detectors, GB 50116 §4.1.6 "AND")
with values one_detector | two_detectors (two different detectors in alarm at once) |
guard_confirm. A guard's confirmation always confirms, whatever the rule. Every decision names the
rule it applied. A fire latches: it ends only by an authorised clear (clear.py)."""

from __future__ import annotations

from controller.policy.authority import actor_data, refusal, who
from controller.policy.drill import abort_drill
from controller.policy.effects import Effects
from controller.policy.inputs import GuardFireConfirm, SmokeAlarm, SmokeClear
from controller.policy.schedule import suppress_schedules
from controller.policy.state import Fire, Point, PolicyState
from protocols import events as ev

_RULE_TEXT = {
    "one_detector": "one detector confirms a fire",
    "two_detectors": "two independent detectors (GB 50116 §4.1.6 \"AND\") or a guard confirm it",
    "guard_confirm": "only a guard's confirmation confirms it",
}
EGRESS = ("evacuation-route gates open and hold, fire-lane bollards lower "
          "(GB 50116 §4.10.3, NFPA 101)")


def _confirm(state: PolicyState, fx: Effects, by: str, why: str, user: str | None,
             zone: str | None, device: str | None) -> PolicyState:
    zones = tuple(sorted({p.zone for p in state.smoke if p.zone}))
    state = abort_drill(state, fx, f"real fire ({why})")
    state = state.with_(fire=Fire(since=fx.now, zones=zones, by=by, reason=why))
    locked = (" The lockdown stays in force on every other gate and bollard."
              if state.lockdowns else "")
    fx.because(f"fire confirmed: {why}")
    fx.note(ev.FIRE_CONFIRMED, f"FIRE confirmed: {why}. {EGRESS[0].upper() + EGRESS[1:]}.{locked}",
            zone=zone, device=device, by=by, user=user)
    fx.report(ev.FIRE_CONFIRMED, zone=zone, device=device, user=user)
    return suppress_schedules(state, fx)


def on_smoke_alarm(state: PolicyState, event: SmokeAlarm, fx: Effects) -> PolicyState:
    if any(p.device == event.device for p in state.smoke):
        return state  # the same detector still in alarm: already decided
    zone = event.zone or fx.site.zone_of(event.device)
    state = state.with_(smoke=state.smoke + (Point(event.device, zone),),
                        unacknowledged=state.unacknowledged + (
                            (event.device,) if event.device not in state.unacknowledged else ()))
    fx.note(ev.SMOKE_ALARM, f"SMOKE alarm at {event.device} ({zone}).", device=event.device,
            zone=zone)
    fx.report(ev.SMOKE_ALARM, zone=zone, device=event.device)
    if state.fire is not None:
        if state.fire.zones and zone not in state.fire.zones:
            state = state.with_(fire=Fire(
                since=state.fire.since, zones=tuple(sorted(state.fire.zones + (zone,))),
                by=state.fire.by, reason=state.fire.reason))
        fx.note(ev.POLICY_DECISION, f"Fire already confirmed: egress is open; {event.device} "
                f"adds zone {zone}.", device=event.device, zone=zone, rule="fire")
        return state
    rule_name = "fire_during_lockdown" if state.lockdowns else "fire_in_normal"
    rule = getattr(fx.site.policy, rule_name)
    detectors = tuple(p.device for p in state.smoke)
    if rule == "one_detector" or (rule == "two_detectors" and len(detectors) >= 2):
        why = (f"{len(detectors)} detector{'s' if len(detectors) > 1 else ''} in alarm "
               f"({', '.join(detectors)}) under rule {rule_name} = {rule}: {_RULE_TEXT[rule]}")
        return _confirm(state, fx, ", ".join(detectors), why, None, zone, event.device)
    during = "during a lockdown" if state.lockdowns else "with no lockdown"
    wait = ("a second, different detector or a guard's confirmation" if rule == "two_detectors"
            else "a guard's confirmation")
    fx.note(ev.FIRE_CONFIRM_PENDING, f"Smoke at {event.device} ({zone}) {during}: rule "
            f"{rule_name} = {rule}: {_RULE_TEXT[rule]}. This opens NO gate; waiting for {wait}."
            + (" Gates stay locked." if state.lockdowns else ""), device=event.device, zone=zone,
            rule=rule_name, value=rule, detectors=list(detectors))
    return state


def on_smoke_clear(state: PolicyState, event: SmokeClear, fx: Effects) -> PolicyState:
    point = next((p for p in state.smoke if p.device == event.device), None)
    if point is None:
        return state
    state = state.with_(smoke=tuple(p for p in state.smoke if p.device != event.device))
    stays = (" The fire stays in force until cleared." if state.fire is not None else
             " No fire pending any more." if not state.smoke else "")
    fx.note(ev.SMOKE_CLEAR, f"Smoke cleared at {event.device} ({point.zone}).{stays}",
            device=event.device, zone=point.zone)
    fx.report(ev.SMOKE_ALARM, zone=point.zone, device=event.device, restore=True)
    return state


def on_guard_fire_confirm(state: PolicyState, event: GuardFireConfirm,
                          fx: Effects) -> PolicyState:
    fx.note(ev.OPERATOR_ACTION, f"{who(event)} confirmed a fire: "
            f"{event.reason!r}.", **actor_data(event), reason=event.reason,
            action="fire_confirm")
    refused = refusal(event.user, event.role, "confirm a fire", event.method)
    if refused is not None:
        fx.note(ev.POLICY_DECISION, f"Fire confirmation refused: {refused}.", rule="fire",
                user=event.user, refused=True)
        return state
    if state.fire is not None:
        fx.note(ev.POLICY_DECISION, "Fire already confirmed: egress is open.", rule="fire")
        return state
    return _confirm(state, fx, event.user, f"confirmed by {event.role} {event.user} "
                    f"({event.reason!r}); a guard's confirmation always confirms a fire",
                    event.user, None, None)
