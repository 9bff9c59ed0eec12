"""A door with an electric lock, a position switch, a request-to-exit (REX) and a local button.

Physics: a fail-safe maglock holds the door while its coil is energised; a fail-secure strike holds
it while its coil is NOT energised. From inside, a person always gets out: `rex` presses the REX
(for rex_s) and pushes the door open after push_s; a strike's inside lever opens it mechanically
whatever the coil does, and a maglock opens once the coil is released. A maglock still holding
when the person pushes is a blocked egress: counted in `egress_blocked` (never acceptable).
The door then stays open pass_s and swings shut. `door open|closed` moves the position switch by
hand (a door propped open, then closed); `door-force` forces the door against its lock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from sim.errors import InjectError
from sim.plants.on_off import on_off


@dataclass(frozen=True)
class DoorParams:
    fail_secure: bool = False  # the lock is a strike (site flag fail_secure); else a maglock
    rex_s: float = 0.5  # how long the REX stays active for one press
    push_s: float = 0.3  # REX pressed to the person pushing the door
    pass_s: float = 3.0  # a person walks through: the door stays open this long
    button_s: float = 0.3  # a press of the local unlock button


@dataclass(frozen=True)
class DoorState:
    open: bool = False
    propped: bool = False  # held open by `door open` until `door closed`
    rex_left_s: float = 0.0
    push_in_s: float = -1.0  # >= 0: a person inside pushes the door in this many seconds
    open_left_s: float = 0.0  # the door swings shut when this reaches 0 (not propped)
    button_left_s: float = 0.0
    egress: int = 0  # people who got out
    egress_blocked: int = 0  # pushes against a lock that still held: must stay 0
    forced: int = 0  # forced openings made by injections


ACTIONS = ("door", "door-force", "rex", "button-unlock")


def params_from_site(plant: Mapping[str, float], params: Mapping[str, int]) -> DoorParams:
    return DoorParams(
        fail_secure=bool(plant.get("fail_secure", 0)),
        rex_s=float(plant.get("rex_s", DoorParams.rex_s)),
        push_s=float(plant.get("push_s", DoorParams.push_s)),
        pass_s=float(plant.get("pass_s", DoorParams.pass_s)),
    )


def initial_state(params: DoorParams) -> DoorState:
    return DoorState()


def lock_holds(params: DoorParams, outputs: Mapping[str, int]) -> bool:
    """True when the lock secures the door against being pulled open from outside."""
    coil = bool(outputs.get("lock_coil", 0))
    return not coil if params.fail_secure else coil


def step(params: DoorParams, state: DoorState, outputs: Mapping[str, int], dt: float) -> DoorState:
    rex_left = max(state.rex_left_s - dt, 0.0)
    button_left = max(state.button_left_s - dt, 0.0)
    push_in = state.push_in_s
    is_open = state.open
    open_left = state.open_left_s
    egress, blocked = state.egress, state.egress_blocked
    if push_in >= 0.0:
        push_in -= dt
        if push_in < 0.0:
            # the inside lever of a strike always opens; a maglock only once its coil is released
            if params.fail_secure or not lock_holds(params, outputs) or is_open:
                is_open, open_left, egress = True, params.pass_s, egress + 1
            else:
                blocked += 1
    if is_open and not state.propped:
        open_left -= dt
        if open_left <= 0.0:
            is_open, open_left = False, 0.0
    return replace(state, rex_left_s=rex_left, button_left_s=button_left, push_in_s=push_in,
                   open=is_open, open_left_s=open_left, egress=egress, egress_blocked=blocked)


def read_inputs(params: DoorParams, state: DoorState, outputs: Mapping[str, int]) -> dict[str, int]:
    return {
        "door_open": int(state.open),
        "rex": int(state.rex_left_s > 0.0),
        "button_unlock": int(state.button_left_s > 0.0),
    }


def inject(params: DoorParams, state: DoorState, action: str, value: object) -> DoorState:
    if action == "rex":
        return replace(state, rex_left_s=params.rex_s, push_in_s=params.push_s)
    if action == "door":
        if value not in ("open", "closed"):
            raise InjectError(f"door {value!r}: use open or closed")
        if value == "open":
            return replace(state, open=True, propped=True, open_left_s=params.pass_s)
        return replace(state, open=False, propped=False, open_left_s=0.0)
    if action == "door-force":
        return replace(state, open=True, open_left_s=params.pass_s, forced=state.forced + 1)
    if action == "button-unlock":
        return replace(state, button_left_s=params.button_s if value is None else
                       (params.button_s if on_off(action, value) else 0.0))
    raise InjectError(f"a door has no {action!r}: use one of {', '.join(ACTIONS)}")


def summary(state: DoorState) -> str:
    parts = ["open" if state.open else "closed"]
    if state.propped:
        parts.append("propped")
    if state.rex_left_s > 0.0:
        parts.append("REX")
    parts.append(f"egress {state.egress}")
    if state.egress_blocked:
        parts.append(f"EGRESS BLOCKED {state.egress_blocked}")
    return ", ".join(parts)
