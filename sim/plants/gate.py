"""Gate or barrier arm: a motor that moves a leaf between two limit switches.

position 0.0 = closed, 1.0 = open. Driving both motor outputs at once moves nothing and is counted
(the firmware must never do it: UL 325, the motor never drives both directions).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from protocols import io_points
from sim.errors import InjectError
from sim.plants.on_off import on_off

_LIMIT_BAND = 0.002  # a limit switch closes within 0.2 % of travel of its end
_EDGE_PRESSED = 300  # ADC counts with the edge contact shorting the end-of-line resistor
_EDGE_OPEN_CIRCUIT = 4095  # wire cut: monitoring fault
_EDGE_SHORTED = 0  # wiring shorted: monitoring fault (reads like a permanent press)


@dataclass(frozen=True)
class GateParams:
    travel_s: float = 10.0  # full travel time, closed to open (site [devices.plant] travel_s)
    start_position: float = 0.0  # where the leaf stands when the simulation starts (0 closed)


@dataclass(frozen=True)
class GateState:
    position: float = 0.0  # 0 closed .. 1 open
    obstructed: bool = False  # something interrupts the photo-eye beam
    edge_pressed: bool = False  # something presses the safety edge
    edge_wiring: str = "ok"  # "ok", "open" (cut) or "short"
    eye_failed: bool = False  # the photo-eye is stuck reporting a clear beam (fails its test)
    loop: bool = False  # a vehicle stands on the induction loop
    key_override: bool = False
    button_open: bool = False
    button_close: bool = False
    both_driven_s: float = 0.0  # time both motor outputs were on together (must stay 0)
    travelled: float = 0.0  # total leaf travel in units of full strokes (wear counter)


_SWITCHES = ("obstruct", "edge", "loop", "eye-fault", "key", "button-open", "button-close")
ACTIONS = _SWITCHES + ("edge-wiring", "position")


def params_from_site(plant: Mapping[str, float], params: Mapping[str, int]) -> GateParams:
    return GateParams(
        travel_s=float(plant.get("travel_s", GateParams.travel_s)),
        start_position=float(plant.get("start_position", GateParams.start_position)),
    )


def initial_state(params: GateParams) -> GateState:
    return GateState(position=min(max(params.start_position, 0.0), 1.0))


def step(params: GateParams, state: GateState, outputs: Mapping[str, int], dt: float) -> GateState:
    opening = bool(outputs.get("motor_open", 0))
    closing = bool(outputs.get("motor_close", 0))
    if opening and closing:
        return replace(state, both_driven_s=state.both_driven_s + dt)
    if not (opening or closing):
        return state
    speed = 1.0 / params.travel_s if params.travel_s > 0 else float("inf")
    delta = speed * dt if opening else -speed * dt
    position = min(max(state.position + delta, 0.0), 1.0)
    return replace(
        state, position=position, travelled=state.travelled + abs(position - state.position)
    )


def read_inputs(params: GateParams, state: GateState, outputs: Mapping[str, int]) -> dict[str, int]:
    # A healthy photo-eye reports "interrupted" while its emitter is switched off for the test
    # (UL 325 monitoring); a failed one is stuck at "clear" and so fails the test.
    beam_broken = state.obstructed or bool(outputs.get("eye_test", 0))
    if state.edge_wiring == "open":
        edge = _EDGE_OPEN_CIRCUIT
    elif state.edge_wiring == "short":
        edge = _EDGE_SHORTED
    elif state.edge_pressed:
        edge = _EDGE_PRESSED
    else:
        edge = io_points.EDGE_HEALTHY
    return {
        "limit_open": int(state.position >= 1.0 - _LIMIT_BAND),
        "limit_closed": int(state.position <= _LIMIT_BAND),
        "photo_eye": int(beam_broken and not state.eye_failed),
        "edge": edge,
        "loop": int(state.loop),
        "key_override": int(state.key_override),
        "button_open": int(state.button_open),
        "button_close": int(state.button_close),
    }


def inject(params: GateParams, state: GateState, action: str, value: object) -> GateState:
    if action in _SWITCHES:
        field = {
            "obstruct": "obstructed",
            "edge": "edge_pressed",
            "eye-fault": "eye_failed",
            "key": "key_override",
        }.get(action, action.replace("-", "_"))
        return replace(state, **{field: on_off(action, value)})
    if action == "edge-wiring":
        if value not in ("ok", "open", "short"):
            raise InjectError(f"edge-wiring {value!r}: use ok, open or short")
        return replace(state, edge_wiring=str(value))
    if action == "position":
        return replace(state, position=min(max(float(value), 0.0), 1.0))  # type: ignore[arg-type]
    raise InjectError(f"a gate has no {action!r}: use one of {', '.join(ACTIONS)}")


def summary(state: GateState) -> str:
    if state.position <= _LIMIT_BAND:
        return "closed"
    if state.position >= 1.0 - _LIMIT_BAND:
        return "open"
    return f"{state.position * 100:.0f}% open"
