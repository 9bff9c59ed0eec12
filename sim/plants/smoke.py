"""Scattered-light smoke chamber: obscuration that ramps towards a target, baseline drift, faults.

The sensor reads SMOKE_CLEAN_AIR_COUNTS in clean air, plus one count per 0.01 %/m obscuration
(protocols/registers.py), plus the drift of a chamber getting dirty. A dead IR emitter reads near
zero, a saturated receiver reads full scale: both are chamber faults the firmware must report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from protocols import registers
from sim.errors import InjectError

_ADC_MAX = 4095
_DEAD_EMITTER_COUNTS = 40  # below SMOKE_CHAMBER_LOW_COUNTS
_COUNTS_PER_PCT = 100  # 1 count = 0.01 %/m


@dataclass(frozen=True)
class SmokeParams:
    ramp_pct_per_s: float = 5.0  # how fast obscuration follows a new level, %/m per second
    drift_counts_per_h: float = 0.0  # chamber contamination: baseline rise per hour


@dataclass(frozen=True)
class SmokeState:
    level: float = 0.0  # obscuration now, %/m
    target: float = 0.0  # obscuration the smoke is heading to, %/m
    drift_counts: float = 0.0  # accumulated baseline drift, counts
    chamber: str = "ok"  # "ok", "dead" (emitter dead) or "saturated"


ACTIONS = ("smoke", "drift", "chamber")


def params_from_site(plant: Mapping[str, float], params: Mapping[str, int]) -> SmokeParams:
    defaults = SmokeParams()
    return SmokeParams(
        ramp_pct_per_s=float(plant.get("ramp_pct_per_s", defaults.ramp_pct_per_s)),
        drift_counts_per_h=float(plant.get("drift_counts_per_h", defaults.drift_counts_per_h)),
    )


def initial_state(params: SmokeParams) -> SmokeState:
    return SmokeState()


def step(
    params: SmokeParams, state: SmokeState, outputs: Mapping[str, int], dt: float
) -> SmokeState:
    level = state.level
    if params.ramp_pct_per_s <= 0:
        level = state.target
    elif level < state.target:
        level = min(level + params.ramp_pct_per_s * dt, state.target)
    elif level > state.target:
        level = max(level - params.ramp_pct_per_s * dt, state.target)
    drift = state.drift_counts + params.drift_counts_per_h * dt / 3600.0
    if level == state.level and drift == state.drift_counts:
        return state
    return replace(state, level=level, drift_counts=drift)


def sensor_counts(state: SmokeState) -> int:
    if state.chamber == "dead":
        return _DEAD_EMITTER_COUNTS
    if state.chamber == "saturated":
        return _ADC_MAX
    counts = registers.SMOKE_CLEAN_AIR_COUNTS + state.drift_counts + state.level * _COUNTS_PER_PCT
    return int(min(max(round(counts), 0), _ADC_MAX))


def read_inputs(
    params: SmokeParams, state: SmokeState, outputs: Mapping[str, int]
) -> dict[str, int]:
    return {"sensor": sensor_counts(state)}


def inject(params: SmokeParams, state: SmokeState, action: str, value: object) -> SmokeState:
    if action == "smoke":
        level = _number(action, value)
        return replace(state, target=level)
    if action == "drift":
        return replace(state, drift_counts=_number(action, value))
    if action == "chamber":
        if value not in ("ok", "dead", "saturated"):
            raise InjectError(f"chamber {value!r}: use ok, dead or saturated")
        return replace(state, chamber=str(value))
    raise InjectError(f"a smoke detector has no {action!r}: use one of {', '.join(ACTIONS)}")


def summary(state: SmokeState) -> str:
    text = f"{state.level:.2f} %/m"
    return text if state.chamber == "ok" else f"{text}, chamber {state.chamber}"


def _number(action: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InjectError(f"{action} {value!r}: give a number >= 0") from None
    if number < 0:
        raise InjectError(f"{action} {value!r}: give a number >= 0")
    return number
