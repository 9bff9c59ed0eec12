"""Rising bollard: a hydraulic ram between a down and an up limit switch.

position 0.0 = down (flush with the road), 1.0 = up (blocking). The pump raises it in rise_s, the
accumulator (EFO valve) in efo_rise_s, gravity through the release valve lowers it in lower_s.
With every output off (power lost, or the firmware process killed) the normally-closed valves and
the pump's check valve hold the ram where it stands: it neither sinks nor rises. That is the
fail-secure hydraulics of UFGS 02840 ("must not lower on failure"); a site that wants fail-safe
lowering does it in firmware (fail_secure = 0), not in the plant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from sim.errors import InjectError
from sim.plants.on_off import on_off

_LIMIT_BAND = 0.002


@dataclass(frozen=True)
class BollardParams:
    rise_s: float = 6.0  # normal pump rise (UFGS 02840: 3-15 s)
    efo_rise_s: float = 1.5  # emergency fast rise from the accumulator (UFGS: <= 2.5 s)
    lower_s: float = 4.0  # gravity lowering through the release valve
    start_position: float = 0.0  # 0 down


@dataclass(frozen=True)
class BollardState:
    position: float = 0.0  # 0 down .. 1 up
    load: bool = False  # more than 40 kg stands on top
    efo_input: bool = False  # the hard-wired EFO input from the guard room
    pump_run_s: float = 0.0  # total pump running time (duty: <= 300 cycles an hour)
    fighting_s: float = 0.0  # time raise and lower outputs were on together (must stay 0)


ACTIONS = ("load", "efo", "position")


def params_from_site(plant: Mapping[str, float], params: Mapping[str, int]) -> BollardParams:
    defaults = BollardParams()
    return BollardParams(
        rise_s=float(plant.get("rise_s", defaults.rise_s)),
        efo_rise_s=float(plant.get("efo_rise_s", defaults.efo_rise_s)),
        lower_s=float(plant.get("lower_s", defaults.lower_s)),
        start_position=float(plant.get("start_position", defaults.start_position)),
    )


def initial_state(params: BollardParams) -> BollardState:
    return BollardState(position=min(max(params.start_position, 0.0), 1.0))


def step(
    params: BollardParams, state: BollardState, outputs: Mapping[str, int], dt: float
) -> BollardState:
    pump = bool(outputs.get("pump_up", 0))
    efo = bool(outputs.get("efo_valve", 0))
    lowering = bool(outputs.get("valve_down", 0))
    pump_run_s = state.pump_run_s + (dt if pump else 0.0)
    rate = 0.0
    if efo:
        rate = _rate(params.efo_rise_s)
    elif pump:
        rate = _rate(params.rise_s)
    fighting_s = state.fighting_s
    if lowering:
        if rate:
            # the open release valve bypasses the pump: nothing moves
            fighting_s += dt
            rate = 0.0
        else:
            rate = -_rate(params.lower_s)
    position = min(max(state.position + rate * dt, 0.0), 1.0)
    return replace(state, position=position, pump_run_s=pump_run_s, fighting_s=fighting_s)


def read_inputs(
    params: BollardParams, state: BollardState, outputs: Mapping[str, int]
) -> dict[str, int]:
    return {
        "limit_up": int(state.position >= 1.0 - _LIMIT_BAND),
        "limit_down": int(state.position <= _LIMIT_BAND),
        "load": int(state.load),
        "efo_input": int(state.efo_input),
    }


def inject(params: BollardParams, state: BollardState, action: str, value: object) -> BollardState:
    if action == "load":
        return replace(state, load=on_off(action, value))
    if action == "efo":
        return replace(state, efo_input=on_off(action, value))
    if action == "position":
        return replace(state, position=min(max(float(value), 0.0), 1.0))  # type: ignore[arg-type]
    raise InjectError(f"a bollard has no {action!r}: use one of {', '.join(ACTIONS)}")


def summary(state: BollardState) -> str:
    if state.position <= _LIMIT_BAND:
        return "down"
    if state.position >= 1.0 - _LIMIT_BAND:
        return "up"
    return f"{state.position * 100:.0f}% up"


def _rate(seconds: float) -> float:
    return 1.0 / seconds if seconds > 0 else float("inf")
