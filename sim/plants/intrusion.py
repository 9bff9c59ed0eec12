"""An intrusion zone's detector loops (double end-of-line): each loop reads normal, alarm (the
detector's contact opened: someone crossed the fence), open (wire cut) or short (wire shorted).

`intrusion DEVICE on|off [--input N]` trips or restores detector N (1-based, default 1);
`loop-wiring DEVICE ok|open|short [--input N]` cuts or shorts its wiring (tamper).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from protocols import registers
from sim.errors import InjectError
from sim.plants.on_off import on_off

LOOPS = registers.INTRUSION_LOOPS
_COUNTS = {"normal": registers.INTRUSION_LOOP_NORMAL, "alarm": registers.INTRUSION_LOOP_ALARM,
           "open": 4095, "short": 60}


@dataclass(frozen=True)
class IntrusionParams:
    loops: int = LOOPS


@dataclass(frozen=True)
class IntrusionState:
    tripped: tuple[bool, ...] = (False,) * LOOPS  # detector contact open
    wiring: tuple[str, ...] = ("ok",) * LOOPS  # ok | open | short
    trips: int = 0  # trips made by injections


ACTIONS = ("intrusion", "loop-wiring")


def params_from_site(plant: Mapping[str, float], params: Mapping[str, int]) -> IntrusionParams:
    return IntrusionParams()


def initial_state(params: IntrusionParams) -> IntrusionState:
    return IntrusionState()


def step(params: IntrusionParams, state: IntrusionState, outputs: Mapping[str, int],
         dt: float) -> IntrusionState:
    return state


def condition(state: IntrusionState, n: int) -> str:
    if state.wiring[n] != "ok":
        return state.wiring[n]
    return "alarm" if state.tripped[n] else "normal"


def read_inputs(params: IntrusionParams, state: IntrusionState,
                outputs: Mapping[str, int]) -> dict[str, int]:
    return {f"loop{n + 1}": _COUNTS[condition(state, n)] for n in range(LOOPS)}


def _loop_index(channel: str | None) -> int:
    if channel is None:
        return 0
    if not channel.isdigit() or not 1 <= int(channel) <= LOOPS:
        raise InjectError(f"--input {channel!r}: an intrusion zone has loops 1..{LOOPS}")
    return int(channel) - 1


def inject_at(params: IntrusionParams, state: IntrusionState, action: str, value: object,
              channel: str | None) -> IntrusionState:
    n = _loop_index(channel)
    if action == "intrusion":
        on = on_off(action, value)
        tripped = tuple(on if i == n else t for i, t in enumerate(state.tripped))
        return replace(state, tripped=tripped, trips=state.trips + int(on))
    if action == "loop-wiring":
        if value not in ("ok", "open", "short"):
            raise InjectError(f"loop-wiring {value!r}: use ok, open or short")
        wiring = tuple(str(value) if i == n else w for i, w in enumerate(state.wiring))
        return replace(state, wiring=wiring)
    raise InjectError(f"an intrusion zone has no {action!r}: use one of {', '.join(ACTIONS)}")


def inject(params: IntrusionParams, state: IntrusionState, action: str,
           value: object) -> IntrusionState:
    return inject_at(params, state, action, value, None)


def summary(state: IntrusionState) -> str:
    return ", ".join(f"loop {n + 1} {condition(state, n)}" for n in range(LOOPS))
