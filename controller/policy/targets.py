"""What every device should be doing in a given policy state, and the commands that move the
campus from one state's picture to the next. Rule handlers only change the state; the device
commands always come from this one place, so a state can never be entered without its commands.

Precedence per device: fire egress (evacuation-route gates, fire-lane bollards) > lockdown >
schedule > nothing. A lockdown or fire suppresses the schedules, so a schedule never undoes one.
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.policy.decision import ALL_DEVICES, Command
from controller.policy.state import EGRESS_DRILLS, PolicyState
from controller.site.model import Site

# Command order in one decision: the campus-wide mode first (one broadcast frame), then the
# life-safety moves, then the rest. "close" before "lock"; "unlock" before "open".
ACTION_ORDER = ("efo", "close", "lock", "unlock", "open", "lower", "raise", "arm", "disarm")


@dataclass(frozen=True)
class Aim:
    mode: str  # normal | lockdown | fire (common.mode)
    # gate: lockdown|fire_open|sched_open; bollard: lockdown_up|fire_down|sched_up; either: held
    # (its schedule is overridden: leave it where it is); None: no demand
    posture: str | None


def fire_on(state: PolicyState) -> bool:
    return state.fire is not None or (state.drill is not None and state.drill.kind in EGRESS_DRILLS)


def _locked(state: PolicyState, zone: str) -> bool:
    return state.zone_locked(zone) or (state.drill is not None and state.drill.kind == "lockdown")


def aims(site: Site, state: PolicyState) -> dict[str, Aim]:
    """Aim of every device that runs our firmware (third-party devices take no commands)."""
    fire = fire_on(state)
    opened = {n for s in site.schedules if s.name in state.schedules_applied for n in s.open}
    raised = {n for s in site.schedules if s.name in state.schedules_applied for n in s.raise_}
    # Devices of an overridden window are held where they are: suppressing a schedule must not
    # move a gate or bollard (children around it), only a window's own end does.
    held = {n for s in site.schedules if s.name in state.schedules_suppressed
            for n in s.open + s.raise_ + s.unlock + s.arm}
    windows = {n: p for s in site.schedules if s.name in state.schedules_applied
               for names, p in ((s.unlock, "sched_unlock"), (s.arm, "sched_arm")) for n in names}
    out = {}
    for dev in site.devices:
        if dev.role is None:
            continue
        locked = _locked(state, dev.zone)
        egress = fire and ((dev.kind == "gate" and dev.evacuation_route)
                           or (dev.kind == "bollard" and dev.fire_lane))
        if egress:
            out[dev.name] = Aim("fire", "fire_open" if dev.kind == "gate" else "fire_down")
        elif locked and dev.is_barrier:
            out[dev.name] = Aim("lockdown", "lockdown" if dev.kind == "gate" else "lockdown_up")
        else:
            mode = "fire" if fire else "lockdown" if locked else "normal"
            posture = None
            if dev.kind == "gate" and dev.name in opened:
                posture = "sched_open"
            elif dev.kind == "bollard" and dev.name in raised:
                posture = "sched_up"
            elif dev.name in windows:  # doors held unlocked, intrusion zones armed: the
                posture = windows[dev.name]  # firmware itself locks a door on lockdown
            elif dev.name in held:
                posture = "held"
            out[dev.name] = Aim(mode, posture)
    return out


def desired_modes(site: Site, state: PolicyState) -> dict[str, str]:
    """{device: normal|lockdown|fire}: the common.mode each firmware device should hold in state
    (per device: during a fire in a lockdown, egress devices are in fire mode, the rest locked)."""
    return {name: aim.mode for name, aim in aims(site, state).items()}


def _moves(kind: str, old: str | None, new: str | None) -> tuple[str, ...]:
    if old == new:
        return ()
    if new == "held":  # like no demand, except that an overridden window's moves are not undone
        if old in ("sched_open", "sched_up", "sched_unlock", "sched_arm"):
            return ()
        new = None
    if kind in ("door", "intrusion"):
        return _window_moves(kind, old, new)
    if kind == "gate":
        if new == "lockdown":
            return ("close", "lock")
        if new in ("fire_open", "sched_open"):
            return (("unlock",) if old == "lockdown" else ()) + ("open",)
        return {"lockdown": ("unlock",), "sched_open": ("close",)}.get(old or "", ())
    if new == "lockdown_up":
        return ("efo",)
    if new == "fire_down":
        return ("lower",)
    if new == "sched_up":
        return ("raise",)
    return ("lower",) if old == "sched_up" else ()  # lockdown/fire postures hold until a person acts


def _window_moves(kind: str, old: str | None, new: str | None) -> tuple[str, ...]:
    """A door is unlocked in its window and locked at its end; an intrusion zone armed, then
    disarmed. A lockdown or fire never disarms a zone (its window is held, not undone)."""
    if kind == "door":
        return ("unlock",) if new == "sched_unlock" else ("lock",) if old == "sched_unlock" else ()
    return ("arm",) if new == "sched_arm" else ("disarm",) if old == "sched_arm" else ()


def commands_between(site: Site, old: PolicyState, new: PolicyState, reason: str,
                     drill: bool) -> tuple[Command, ...]:
    before, after = aims(site, old), aims(site, new)
    return _diff(site, before, after, reason, drill)


def reassert(site: Site, state: PolicyState, reason: str) -> tuple[Command, ...]:
    """Commands that put the campus into `state` from scratch: after a host restart (the saved
    state said lockdown) or when a device comes back online. Modes are always sent."""
    after = aims(site, state)
    before = {name: Aim("", None) for name in after}
    return _diff(site, before, after, reason, state.drill is not None)


def _diff(site: Site, before: dict[str, Aim], after: dict[str, Aim], reason: str,
          drill: bool) -> tuple[Command, ...]:
    commands = []
    for mode in ("lockdown", "fire", "normal"):
        changed = tuple(n for n, a in after.items() if a.mode == mode and before[n].mode != mode)
        if not changed:
            continue
        everyone = all(a.mode == mode for a in after.values())
        commands.append(Command(ALL_DEVICES if everyone else changed, f"mode_{mode}", reason,
                                drill))
    kinds = {d.name: d.kind for d in site.devices}
    by_action: dict[str, list[str]] = {}
    for name, aim in after.items():
        for action in _moves(kinds[name], before[name].posture, aim.posture):
            by_action.setdefault(action, []).append(name)
    for action in ACTION_ORDER:
        if action in by_action:
            commands.append(Command(tuple(by_action[action]), action, reason, drill))
    return tuple(commands)
