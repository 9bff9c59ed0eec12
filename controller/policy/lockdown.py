"""Lockdown, of the whole campus or one zone, from a panic station, a guard or the guard-room key
switch: gates close and lock, bollards raise fast (EFO), the alarm goes to the receiving centre.
It never clears itself (see clear.py)."""

from __future__ import annotations

from controller.policy.authority import actor_data, who
from controller.policy.drill import abort_drill
from controller.policy.effects import Effects
from controller.policy.inputs import GuardLockdown, KeySwitchOff, KeySwitchOn
from controller.policy.schedule import suppress_schedules
from controller.policy.state import Lockdown, PolicyState
from protocols import events as ev

CLEAR_RULE_TEXT = {
    "supervisor_or_two_guards": "a supervisor or two different guards",
    "supervisor": "a supervisor",
    "two_guards": "two different guards",
}


def scope_text(zone: str | None) -> str:
    return "the whole campus" if zone is None else f"zone {zone}"


def start_lockdown(state: PolicyState, fx: Effects, zone: str | None, source: str, by: str,
                   reason: str, user: str | None = None, method: str = "") -> PolicyState:
    """Add a lockdown of zone (None: campus) unless one already covers it."""
    if state.zone_locked(zone) if zone is not None else state.campus_lockdown is not None:
        fx.note(ev.POLICY_DECISION, f"{scope_text(zone).capitalize()} is already locked down; "
                f"{reason} changes nothing.", zone=zone, rule="lockdown")
        return state
    state = abort_drill(state, fx, f"real lockdown ({reason})")
    record = Lockdown(zone=zone, source=source, by=by, reason=reason, since=fx.now,
                      method=method)
    # A new lockdown voids a half-done two-guard clear: the second guard must see the new facts.
    state = state.with_(lockdowns=state.lockdowns + (record,), clear_request=None)
    rule = CLEAR_RULE_TEXT[fx.site.policy.clear_rule]
    fx.because(f"lockdown of {scope_text(zone)}: {reason}")
    fx.note(ev.LOCKDOWN_SET, f"LOCKDOWN of {scope_text(zone)}: {reason}. Gates close and lock, "
            f"bollards raise fast (EFO), alarm sent to the receiving centre. It never clears by "
            f"itself: clearing needs {rule}.", zone=zone, source=source, by=by, user=user,
            method=method or None)
    fx.report(ev.LOCKDOWN_SET, zone=zone, user=user)
    return suppress_schedules(state, fx)


def on_guard_lockdown(state: PolicyState, event: GuardLockdown, fx: Effects) -> PolicyState:
    """Never refused: who asked, where and why only shape the record (fail towards safety)."""
    reason = event.reason or "no reason given"
    origin = f" from {event.origin}" if event.origin else ""
    fx.note(ev.OPERATOR_ACTION, f"{who(event)} ordered a lockdown of "
            f"{scope_text(event.zone)}{origin}: {reason!r}.", zone=event.zone,
            **actor_data(event), reason=event.reason, action="lockdown")
    if not event.user:
        fx.note(ev.POLICY_DECISION, f"Lockdown ordered by an unidentified caller{origin}: "
                f"honoured (a lockdown is never refused); find out who.",
                rule="unidentified_lockdown", origin=event.origin or None)
    zone = event.zone
    if zone is not None and zone not in fx.site.zone_names():
        # Fail towards safety: the guard wanted a lockdown, an unknown zone must not stop it.
        fx.note(ev.POLICY_DECISION, f"zone {zone!r} unknown: whole campus locked (zones: "
                f"{', '.join(fx.site.zone_names())}).", rule="unknown_zone_locks_campus",
                zone=zone)
        zone = None
    by = event.user or "unidentified caller"
    ordered = f"{event.role} {event.user}" if event.user else f"an unidentified caller{origin}"
    return start_lockdown(state, fx, zone, "guard", by, f"ordered by {ordered} ({reason!r})",
                          event.user, event.method)


def on_key_switch_on(state: PolicyState, event: KeySwitchOn, fx: Effects) -> PolicyState:
    fx.note(ev.OPERATOR_ACTION, "Guard-room lockdown key switch turned ON.", action="key_switch",
            on=True)
    state = state.with_(key_switch=True)
    return start_lockdown(state, fx, None, "key_switch", "key switch",
                          "guard-room key switch turned on", method="key_switch")


def on_key_switch_off(state: PolicyState, event: KeySwitchOff, fx: Effects) -> PolicyState:
    stays = ""
    if state.lockdowns:
        stays = (f" The lockdown stays in force: it clears only when "
                 f"{CLEAR_RULE_TEXT[fx.site.policy.clear_rule]} clear it.")
    fx.note(ev.OPERATOR_ACTION, f"Guard-room lockdown key switch turned OFF.{stays}",
            action="key_switch", on=False)
    return state.with_(key_switch=False)
