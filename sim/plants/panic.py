"""Panic (one-key alarm) station: a button a person presses and releases, a reset key, a tamper loop.

A press is held for press_s and then released by the plant itself, so `inject panic` models a real
person; `hold on|off` keeps the button down (a stuck button). The key reset is a turn of the key,
held for key_s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from sim.errors import InjectError
from sim.plants.on_off import on_off

_HOLD_MARGIN_S = (
    0.3  # a person holds the button comfortably longer than the anti-false-trigger time
)


@dataclass(frozen=True)
class PanicParams:
    press_s: float = 0.5  # how long a person holds the button (longer than the firmware's hold_ms)
    key_s: float = 0.5  # how long the reset key stays turned


@dataclass(frozen=True)
class PanicState:
    button: bool = False
    tamper: bool = False
    key_reset: bool = False
    held: bool = False  # kept pressed by `hold on` (never auto-released)
    press_left_s: float = 0.0  # time until the person lets go
    key_left_s: float = 0.0  # time until the key is turned back
    presses: int = 0  # presses made by injections


ACTIONS = ("panic", "panic-reset", "hold", "tamper", "short-press")


def params_from_site(plant: Mapping[str, float], params: Mapping[str, int]) -> PanicParams:
    hold_s = params.get("hold_ms", 200) / 1000.0
    press_s = float(plant.get("press_s", max(PanicParams.press_s, hold_s + _HOLD_MARGIN_S)))
    return PanicParams(press_s=press_s, key_s=float(plant.get("key_s", PanicParams.key_s)))


def initial_state(params: PanicParams) -> PanicState:
    return PanicState()


def step(
    params: PanicParams, state: PanicState, outputs: Mapping[str, int], dt: float
) -> PanicState:
    press_left = max(state.press_left_s - dt, 0.0)
    key_left = max(state.key_left_s - dt, 0.0)
    return replace(
        state,
        press_left_s=press_left,
        key_left_s=key_left,
        button=state.held or press_left > 0.0,
        key_reset=key_left > 0.0,
    )


def read_inputs(
    params: PanicParams, state: PanicState, outputs: Mapping[str, int]
) -> dict[str, int]:
    return {
        "button": int(state.button),
        "tamper": int(state.tamper),
        "key_reset": int(state.key_reset),
    }


def inject(params: PanicParams, state: PanicState, action: str, value: object) -> PanicState:
    if action == "panic":
        return replace(state, button=True, press_left_s=params.press_s, presses=state.presses + 1)
    if action == "short-press":
        # a brush against the button: shorter than any hold_ms, must not raise an alarm
        return replace(state, button=True, press_left_s=0.02, presses=state.presses + 1)
    if action == "panic-reset":
        return replace(state, key_reset=True, key_left_s=params.key_s)
    if action == "hold":
        held = on_off(action, value)
        return replace(state, held=held, button=held or state.press_left_s > 0.0)
    if action == "tamper":
        return replace(state, tamper=on_off(action, value))
    raise InjectError(f"a panic station has no {action!r}: use one of {', '.join(ACTIONS)}")


def summary(state: PanicState) -> str:
    parts = ["pressed" if state.button else "released"]
    if state.tamper:
        parts.append("tamper")
    if state.key_reset:
        parts.append("key turned")
    return ", ".join(parts)
