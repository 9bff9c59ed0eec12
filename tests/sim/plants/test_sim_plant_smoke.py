"""Smoke chamber plant: sensor counts per registers.SMOKE_*, ramps, drift and chamber faults."""

import pytest

from protocols import registers
from sim.errors import InjectError
from sim.plants import smoke

PARAMS = smoke.params_from_site({"ramp_pct_per_s": 2.0}, {})


def run(state, seconds, params=PARAMS, dt=0.01):
    for _ in range(round(seconds / dt)):
        state = smoke.step(params, state, {}, dt)
    return state


def test_clean_air_reads_the_clean_air_counts():
    assert smoke.sensor_counts(smoke.initial_state(PARAMS)) == registers.SMOKE_CLEAN_AIR_COUNTS


def test_obscuration_ramps_to_its_level_at_one_count_per_hundredth_percent():
    state = smoke.inject(PARAMS, smoke.initial_state(PARAMS), "smoke", 4.0)
    state = run(state, 1.0)
    assert state.level == pytest.approx(2.0)
    state = run(state, 1.5)
    assert state.level == pytest.approx(4.0)
    assert smoke.sensor_counts(state) == registers.SMOKE_CLEAN_AIR_COUNTS + 400


def test_level_zero_clears_back_to_clean_air():
    state = run(smoke.inject(PARAMS, smoke.SmokeState(level=3.0, target=3.0), "smoke", 0), 2.0)
    assert smoke.sensor_counts(state) == registers.SMOKE_CLEAN_AIR_COUNTS


def test_drift_raises_the_baseline_over_hours():
    params = smoke.params_from_site({"drift_counts_per_h": 3600.0}, {})
    state = run(smoke.initial_state(params), 1.0, params)
    assert smoke.sensor_counts(state) == registers.SMOKE_CLEAN_AIR_COUNTS + 1
    dirty = smoke.inject(params, state, "drift", 350)
    assert smoke.sensor_counts(dirty) >= registers.SMOKE_DIRTY_BASELINE_COUNTS


def test_chamber_faults_read_outside_the_valid_range():
    state = smoke.initial_state(PARAMS)
    assert (
        smoke.sensor_counts(smoke.inject(PARAMS, state, "chamber", "dead"))
        < registers.SMOKE_CHAMBER_LOW_COUNTS
    )
    assert (
        smoke.sensor_counts(smoke.inject(PARAMS, state, "chamber", "saturated"))
        > registers.SMOKE_CHAMBER_HIGH_COUNTS
    )


def test_negative_level_is_refused():
    with pytest.raises(InjectError, match=">= 0"):
        smoke.inject(PARAMS, smoke.initial_state(PARAMS), "smoke", -1)
