"""A patrol checkpoint's Wiegand reader: `tag DEVICE UID` is a guard presenting a tag.

The reader sends the UID as a Wiegand 26 frame (UID < 2**24: facility << 16 | card) or 34 frame
(UID < 2**32) on D0/D1, one pulse per bit. Real readers pulse for ~50 us every ~2 ms; the plant
slows that to pulse_s high then pulse_s low so the firmware's 10 ms input scan over the sim I/O
channel sees every pulse (the encoding, the parities and the frame gap are the real ones).
`reader-tamper DEVICE on|off` opens the reader's enclosure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from sim.errors import InjectError
from sim.plants.on_off import on_off


@dataclass(frozen=True)
class CheckpointParams:
    pulse_s: float = 0.04


@dataclass(frozen=True)
class CheckpointState:
    pending: tuple[int, ...] = ()  # bits still to send, first bit first
    phase_s: float = 0.0  # time left in the current half bit
    high: bool = False  # a pulse is on its line now
    line: int = 0  # the line of the current pulse (0: D0, 1: D1)
    tamper: bool = False
    reads: int = 0  # tags presented


ACTIONS = ("tag", "reader-tamper")


def encode(uid: int) -> tuple[int, ...]:
    """Wiegand bits (first sent first) of uid: 26 bits when it fits, else 34."""
    if uid < 0 or uid >= 1 << 32:
        raise InjectError(f"tag UID {uid}: use 0 .. 4294967295 (Wiegand 26 or 34)")
    nbits = 26 if uid < 1 << 24 else 34
    half = nbits // 2
    data = [(uid >> i) & 1 for i in range(nbits - 3, -1, -1)]
    lead = sum(data[: half - 1]) % 2  # even parity over the first half
    trail = 1 - sum(data[half - 1:]) % 2  # odd parity over the second half
    return (lead, *data, trail)


def parse_uid(value: object) -> int:
    text = str(value).strip().lower()
    try:
        return int(text, 16) if text.startswith("0x") else int(text)
    except ValueError:
        raise InjectError(f"tag {value!r}: give the tag UID as a number (decimal or 0x hex)") from None


def params_from_site(plant: Mapping[str, float], params: Mapping[str, int]) -> CheckpointParams:
    return CheckpointParams(pulse_s=float(plant.get("pulse_s", CheckpointParams.pulse_s)))


def initial_state(params: CheckpointParams) -> CheckpointState:
    return CheckpointState()


def step(params: CheckpointParams, state: CheckpointState, outputs: Mapping[str, int],
         dt: float) -> CheckpointState:
    if not state.pending and not state.high:
        return state
    phase = state.phase_s - dt
    if phase > 0.0:
        return replace(state, phase_s=phase)
    if state.high:  # end of the pulse: low for one half bit
        return replace(state, high=False, phase_s=params.pulse_s)
    bit, rest = state.pending[0], state.pending[1:]
    return replace(state, pending=rest, high=True, line=bit, phase_s=params.pulse_s)


def read_inputs(params: CheckpointParams, state: CheckpointState,
                outputs: Mapping[str, int]) -> dict[str, int]:
    return {"d0": int(state.high and state.line == 0), "d1": int(state.high and state.line == 1),
            "tamper": int(state.tamper)}


def inject(params: CheckpointParams, state: CheckpointState, action: str,
           value: object) -> CheckpointState:
    if action == "tag":
        if state.pending:
            raise InjectError("the reader is still sending the previous tag: try again in 3 s")
        return replace(state, pending=encode(parse_uid(value)), reads=state.reads + 1,
                       phase_s=params.pulse_s)
    if action == "reader-tamper":
        return replace(state, tamper=on_off(action, value))
    raise InjectError(f"a checkpoint has no {action!r}: use one of {', '.join(ACTIONS)}")


def summary(state: CheckpointState) -> str:
    sending = f", sending ({len(state.pending)} bits left)" if state.pending else ""
    return f"{state.reads} tags presented{sending}{', TAMPER' if state.tamper else ''}"
