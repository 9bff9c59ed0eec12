"""Schedules: arrival and dismissal windows open the pedestrian gate and raise the pick-up
bollards at window start and undo it at window end (site timezone, never on holidays). A lockdown,
fire or drill overrides them: applied windows are suppressed and do not come back on their own."""

from __future__ import annotations

from controller.policy.effects import Effects
from controller.policy.state import PolicyState
from protocols import events as ev


def blocked_by(state: PolicyState) -> str:
    """What overrides schedules now ("" when nothing does)."""
    if state.fire is not None:
        return "a fire is in force"
    if state.lockdowns:
        return "a lockdown is in force"
    if state.drill is not None:
        return f"a {state.drill.kind} drill is running"
    return ""


def suppress_schedules(state: PolicyState, fx: Effects) -> PolicyState:
    """Called when a lockdown, fire or drill starts: applied windows stop applying."""
    why = blocked_by(state)
    if not state.schedules_applied or not why:
        return state
    for name in state.schedules_applied:
        fx.note(ev.POLICY_DECISION, f"Schedule {name} overridden: {why}; its gate and bollards "
                f"follow the {why.split()[1]} rules, and the window does not resume by itself.",
                schedule=name, rule="lockdown_or_fire_overrides_schedule",
                drill=state.drill is not None)
    return state.with_(schedules_applied=(),
                       schedules_suppressed=state.schedules_suppressed + state.schedules_applied)


def on_tick(state: PolicyState, fx: Effects) -> PolicyState:
    site = fx.site
    local = fx.now.astimezone(site.tz)
    applied, suppressed = list(state.schedules_applied), list(state.schedules_suppressed)
    for sched in site.schedules:
        window = f"{sched.start.strftime('%H:%M')}-{sched.end.strftime('%H:%M')}"
        active = sched.active_at(local, site.holidays)
        if active and sched.name not in applied and sched.name not in suppressed:
            why = blocked_by(state)
            if why:
                suppressed.append(sched.name)
                fx.note(ev.POLICY_DECISION, f"Schedule {sched.name} ({window}) not applied: "
                        f"{why}, which overrides any schedule.", schedule=sched.name,
                        rule="lockdown_or_fire_overrides_schedule", drill=state.drill is not None)
                continue
            applied.append(sched.name)
            fx.because(f"schedule {sched.name} window {window} started")
            fx.note(ev.SCHEDULE_START, f"Schedule {sched.name} window {window} started: "
                    f"opening {_names(sched.open)}, raising {_names(sched.raise_)}.",
                    schedule=sched.name, gates=list(sched.open), bollards=list(sched.raise_))
        elif not active and sched.name in applied:
            applied.remove(sched.name)
            fx.because(f"schedule {sched.name} window {window} ended")
            fx.note(ev.SCHEDULE_END, f"Schedule {sched.name} window {window} ended: "
                    f"closing {_names(sched.open)}, lowering {_names(sched.raise_)}.",
                    schedule=sched.name)
        elif not active and sched.name in suppressed:
            suppressed.remove(sched.name)
    return state.with_(schedules_applied=tuple(applied), schedules_suppressed=tuple(suppressed))


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "nothing"
