"""Drills: a fire or lockdown drill actuates the devices exactly as the real thing, with every
command and log entry marked drill, and no real police alarm: the only alarm reports a drill makes
are drill.start (and its restore at the end) with drill=True, which the transmitter sends as a test
report (Contact ID 601). A real alarm during a drill (panic, smoke, guard lockdown or fire
confirmation, key switch) aborts the drill and is handled as real: no alarm is ever swallowed."""

from __future__ import annotations

from controller.policy.authority import actor_data, refusal, who
from controller.policy.effects import Effects
from controller.policy.inputs import DRILL_KINDS, DrillEnd, DrillStart
from controller.policy.schedule import suppress_schedules
from controller.policy.state import Drill, PolicyState
from protocols import events as ev


def on_drill_start(state: PolicyState, event: DrillStart, fx: Effects) -> PolicyState:
    fx.note(ev.OPERATOR_ACTION, f"{who(event)} asked for a {event.kind} drill: "
            f"{event.reason!r}.", drill=True, **actor_data(event),
            reason=event.reason, action="drill_start", kind=event.kind)
    refused = refusal(event.user, event.role, "start a drill", event.method)
    if refused is None and event.kind not in DRILL_KINDS:
        refused = f"unknown drill kind {event.kind!r}: use one of {', '.join(DRILL_KINDS)}"
    if refused is None and state.fire is not None:
        refused = "a real fire is in force"
    if refused is None and state.lockdowns:
        refused = "a real lockdown is in force"
    if refused is None and state.drill is not None:
        refused = f"a {state.drill.kind} drill is already running"
    if refused is not None:
        fx.note(ev.POLICY_DECISION, f"Drill refused: {refused}.", drill=True, user=event.user,
                rule="drill_start", refused=True)
        return state
    state = state.with_(drill=Drill(event.kind, event.user, event.reason, fx.now))
    what = ("evacuation-route gates open and fire-lane bollards lower" if event.kind == "fire"
            else "gates close and lock, bollards raise fast (EFO)")
    fx.because(f"{event.kind} drill started by {event.user}: {event.reason}")
    fx.note(ev.DRILL_START, f"{event.kind.capitalize()} DRILL started by {event.user} "
            f"({event.reason!r}): {what}, as in a real {event.kind}. Marked drill everywhere; "
            f"no police alarm (the receiving centre gets a test report only).", drill=True,
            user=event.user, kind=event.kind)
    fx.report(ev.DRILL_START, drill=True, user=event.user)
    return suppress_schedules(state, fx)


def on_drill_end(state: PolicyState, event: DrillEnd, fx: Effects) -> PolicyState:
    fx.note(ev.OPERATOR_ACTION, f"{who(event)} asked to end the drill: "
            f"{event.reason!r}.", drill=True, **actor_data(event),
            reason=event.reason, action="drill_end")
    refused = refusal(event.user, event.role, "end a drill", event.method)
    if refused is None and state.drill is None:
        refused = "no drill is running"
    if refused is not None:
        fx.note(ev.POLICY_DECISION, f"Drill end refused: {refused}.", drill=True,
                user=event.user, rule="drill_end", refused=True)
        return state
    kind = state.drill.kind
    fx.because(f"{kind} drill ended by {event.user}")
    fx.drill = True
    fx.note(ev.DRILL_END, f"{kind.capitalize()} DRILL ended by {event.user} ({event.reason!r}): "
            f"devices back to normal mode.", drill=True, user=event.user, kind=kind)
    fx.report(ev.DRILL_START, drill=True, restore=True, user=event.user)
    return state.with_(drill=None)


def abort_drill(state: PolicyState, fx: Effects, why: str) -> PolicyState:
    """A real alarm arrived: end the drill now, the real event takes over."""
    if state.drill is None:
        return state
    fx.note(ev.DRILL_END, f"{state.drill.kind.capitalize()} DRILL aborted: {why}. This is REAL; "
            f"the drill is over.", drill=True, kind=state.drill.kind, aborted=True)
    fx.report(ev.DRILL_START, drill=True, restore=True)
    return state.with_(drill=None)
