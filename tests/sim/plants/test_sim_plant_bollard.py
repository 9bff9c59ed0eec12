"""Bollard plant: normal and EFO rise times, gravity lowering, hydraulics on power loss."""

import pytest

from protocols import io_points
from sim.plants import bollard

PARAMS = bollard.params_from_site({"rise_s": 6.0, "efo_rise_s": 1.5, "lower_s": 4.0}, {})


def run(state, outputs, seconds, dt=0.01):
    for _ in range(round(seconds / dt)):
        state = bollard.step(PARAMS, state, outputs, dt)
    return state


def test_pump_raises_in_rise_s():
    state = run(bollard.initial_state(PARAMS), {"pump_up": 1}, 5.9)
    assert bollard.read_inputs(PARAMS, state, {})["limit_up"] == 0
    state = run(state, {"pump_up": 1}, 0.2)
    assert bollard.read_inputs(PARAMS, state, {})["limit_up"] == 1
    assert state.pump_run_s == pytest.approx(6.1)


def test_efo_rises_within_the_ufgs_limit():
    state = run(bollard.initial_state(PARAMS), {"efo_valve": 1}, 1.5)
    assert bollard.read_inputs(PARAMS, state, {})["limit_up"] == 1


def test_defaults_follow_the_standards():
    defaults = bollard.params_from_site({}, {})
    assert 3.0 <= defaults.rise_s <= 15.0
    assert defaults.efo_rise_s <= 2.5


def test_release_valve_lowers_by_gravity():
    state = run(bollard.BollardState(position=1.0), {"valve_down": 1}, 4.05)
    assert bollard.read_inputs(PARAMS, state, {})["limit_down"] == 1


def test_power_loss_holds_the_ram_where_it_stands():
    half = run(bollard.initial_state(PARAMS), {"pump_up": 1}, 3.0)
    unpowered = run(half, {}, 10.0)
    assert unpowered.position == half.position == pytest.approx(0.5, abs=0.01)


def test_pump_against_open_release_valve_moves_nothing():
    state = run(bollard.BollardState(position=0.5), {"pump_up": 1, "valve_down": 1}, 1.0)
    assert state.position == 0.5
    assert state.fighting_s == pytest.approx(1.0)


def test_load_on_top_and_efo_input_reach_their_terminals():
    state = bollard.inject(PARAMS, bollard.initial_state(PARAMS), "load", "on")
    state = bollard.inject(PARAMS, state, "efo", "on")
    inputs = bollard.read_inputs(PARAMS, state, {})
    assert inputs["load"] == 1 and inputs["efo_input"] == 1
    assert set(inputs) == {p[io_points.NAME] for p in io_points.inputs(io_points.BOLLARD_IO)}
