"""Clearing a lockdown (and, for the whole campus, a fire): never automatic. policy.clear_rule:
  supervisor_or_two_guards (default): a supervisor alone, or two DIFFERENT guards, the second
      within policy.two_person_window_s of the first (two-person rule);
  supervisor: a supervisor only;     two_guards: two different people, guards or supervisors.
A clear of one zone leaves the rest; a campus clear (no zone) ends every lockdown and the fire.

Two different people means two different operator names AND two different proofs (the
credential each was authenticated with: "uid:1000", "pin:li.na", "session:<id>"). One OS account,
one session or one PIN can never supply both halves, whatever names are typed."""

from __future__ import annotations

from controller.policy.authority import actor_data, refusal, who
from controller.policy.effects import Effects
from controller.policy.inputs import GuardClear
from controller.policy.lockdown import scope_text
from controller.policy.state import ClearRequest, PolicyState
from protocols import events as ev


def _refuse(state: PolicyState, fx: Effects, event: GuardClear, why: str) -> PolicyState:
    fx.note(ev.LOCKDOWN_CLEAR_REFUSED, f"Clear of {scope_text(event.zone)} by "
            f"{event.user or 'an unidentified caller'} refused: {why}.", zone=event.zone,
            user=event.user, role=event.role, rule=f"clear_rule = {fx.site.policy.clear_rule}",
            proof=event.proof or None, refused=True)
    return state


def _what(state: PolicyState, zone: str | None) -> str | None:
    """Why there is nothing to clear for zone, or None when there is something."""
    if zone is None:
        return None if (state.lockdowns or state.fire is not None) else "nothing to clear"
    if state.campus_lockdown is not None:
        return "the whole campus is locked down: clear the campus (no zone)"
    if not any(ld.zone == zone for ld in state.lockdowns):
        return f"zone {zone} is not locked down"
    return None


def on_guard_clear(state: PolicyState, event: GuardClear, fx: Effects) -> PolicyState:
    fx.note(ev.OPERATOR_ACTION, f"{who(event)} asked to clear "
            f"{scope_text(event.zone)}: {event.reason!r}.", zone=event.zone,
            **actor_data(event), reason=event.reason, action="clear")
    if state.drill is not None:
        return _refuse(state, fx, event, f"a {state.drill.kind} drill is running: end the drill")
    nothing = _what(state, event.zone)
    if nothing is not None:
        return _refuse(state, fx, event, nothing)
    policy = fx.site.policy
    refused = refusal(event.user, event.role, "clear a lockdown", event.method)
    if refused is not None:
        return _refuse(state, fx, event, refused)
    if event.role == "supervisor" and policy.clear_rule != "two_guards":
        return _clear(state, fx, event, f"supervisor {event.user}")
    if event.role == "guard" and policy.clear_rule == "supervisor":
        return _refuse(state, fx, event, "only a supervisor may clear (clear_rule = supervisor)")
    if not event.proof:
        return _refuse(state, fx, event, "the two-person rule needs each person authenticated "
                       "(no credential given)")
    # Two-person rule.
    first = state.clear_request
    fresh = first is not None and first.zone == event.zone and \
        (fx.now - first.at).total_seconds() <= policy.two_person_window_s
    if fresh and first.user != event.user and first.proof != event.proof:
        return _clear(state, fx, event, f"{first.user} and {event.user} (two-person rule)")
    if fresh and first.user == event.user:
        return _refuse(state, fx, event, f"the second confirmation must come from a different "
                       f"guard ({event.user} already asked)")
    if fresh:
        return _refuse(state, fx, event, f"{first.user} and {event.user} proved who they are "
                       f"with the same credential ({event.proof}): one account, session or PIN "
                       f"is one person. Fix: {event.user} confirms with their own PIN "
                       f"(--user {event.user} --pin-stdin) or from their own account")
    request = ClearRequest(event.user, event.zone, event.reason, fx.now, event.proof)
    fx.note(ev.LOCKDOWN_CLEAR_PENDING, f"Clear of {scope_text(event.zone)} requested by "
            f"{event.user} ({event.reason!r}): waiting for a second, different guard within "
            f"{policy.two_person_window_s:g} s (two-person rule).", zone=event.zone,
            user=event.user, window_s=policy.two_person_window_s, proof=event.proof)
    return state.with_(clear_request=request)


def _clear(state: PolicyState, fx: Effects, event: GuardClear, who: str) -> PolicyState:
    fx.because(f"{scope_text(event.zone)} cleared by {who}")
    if event.zone is None:
        ended, kept = state.lockdowns, ()
    else:
        ended = tuple(ld for ld in state.lockdowns if ld.zone == event.zone)
        kept = tuple(ld for ld in state.lockdowns if ld.zone != event.zone)
    for lockdown in ended:
        fx.note(ev.LOCKDOWN_CLEAR, f"Lockdown of {scope_text(lockdown.zone)} CLEARED by {who} "
                f"({event.reason!r}): devices back to normal mode, gates unlocked (they stay "
                f"where they are).", zone=lockdown.zone, user=event.user, by=who)
        fx.report(ev.LOCKDOWN_SET, zone=lockdown.zone, restore=True, user=event.user)
    fire = state.fire
    if event.zone is None and fire is not None:
        still = [p.device for p in state.smoke]
        warn = (f" Detectors still reporting smoke: {', '.join(still)}; reset them on site."
                if still else "")
        fx.note(ev.FIRE_CLEARED, f"Fire CLEARED by {who} ({event.reason!r}): devices back to "
                f"normal mode; evacuation gates stay open until closed by hand.{warn}",
                user=event.user, by=who, still_in_alarm=still)
        fx.report(ev.FIRE_CONFIRMED, restore=True, user=event.user)
        fire = None
    return state.with_(lockdowns=kept, fire=fire, clear_request=None)
