"""Contacts wired to a third-party digital-input module (generic-di-8): panic buttons and the like.

Channels are named by the site file's [[devices.inputs]]; a press closes the contact for press_s
(long enough for the host's poll to see it), `hold` keeps it closed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from sim.errors import InjectError
from sim.plants.on_off import on_off

CHANNELS = 8


@dataclass(frozen=True)
class InputModuleParams:
    press_s: float = 1.0  # a person's press: the module does not latch, the host must poll it
    names: tuple[str, ...] = ()  # channel -> name from [[devices.inputs]] ("" unnamed)


@dataclass(frozen=True)
class InputModuleState:
    closed: tuple[bool, ...] = (False,) * CHANNELS  # contact state per channel
    held: tuple[bool, ...] = (False,) * CHANNELS
    press_left_s: tuple[float, ...] = (0.0,) * CHANNELS


ACTIONS = ("panic", "hold")


def params_from_inputs(
    plant: Mapping[str, float], inputs: tuple[Mapping[str, object], ...]
) -> InputModuleParams:
    names = [""] * CHANNELS
    for entry in inputs:
        channel = entry.get("channel")
        if isinstance(channel, int) and 0 <= channel < CHANNELS:
            names[channel] = str(entry.get("name", ""))
    return InputModuleParams(
        press_s=float(plant.get("press_s", InputModuleParams.press_s)), names=tuple(names)
    )


def initial_state(params: InputModuleParams) -> InputModuleState:
    return InputModuleState()


def channel_of(params: InputModuleParams, name: str) -> int:
    if name in params.names:
        return params.names.index(name)
    if name.isdigit() and int(name) < CHANNELS:
        return int(name)
    named = ", ".join(n for n in params.names if n) or "none named"
    raise InjectError(f"no input channel {name!r}: use a channel 0..7 or a name ({named})")


def step(
    params: InputModuleParams, state: InputModuleState, outputs: Mapping[str, int], dt: float
) -> InputModuleState:
    left = tuple(max(t - dt, 0.0) for t in state.press_left_s)
    closed = tuple(h or t > 0.0 for h, t in zip(state.held, left, strict=True))
    return replace(state, press_left_s=left, closed=closed)


def bits(state: InputModuleState) -> list[int]:
    return [int(c) for c in state.closed]


def inject_channel(
    params: InputModuleParams, state: InputModuleState, action: str, channel: int, value: object
) -> InputModuleState:
    if action == "panic":
        left = list(state.press_left_s)
        left[channel] = params.press_s
        closed = list(state.closed)
        closed[channel] = True
        return replace(state, press_left_s=tuple(left), closed=tuple(closed))
    if action == "hold":
        held = list(state.held)
        held[channel] = on_off(action, value)
        closed = list(state.closed)
        closed[channel] = held[channel] or state.press_left_s[channel] > 0.0
        return replace(state, held=tuple(held), closed=tuple(closed))
    raise InjectError(f"an input module has no {action!r}: use one of {', '.join(ACTIONS)}")


def summary(state: InputModuleState) -> str:
    return "closed: " + (",".join(str(i) for i, c in enumerate(state.closed) if c) or "none")
