"""Gate plant: travel time, limits, photo-eye monitoring response, edge circuit, obstruction."""

import pytest

from protocols import io_points
from sim.errors import InjectError
from sim.plants import gate

PARAMS = gate.params_from_site({"travel_s": 3.0}, {})


def run(state, outputs, seconds, dt=0.01):
    for _ in range(round(seconds / dt)):
        state = gate.step(PARAMS, state, outputs, dt)
    return state


def test_opens_in_its_travel_time_and_hits_the_open_limit():
    state = gate.initial_state(PARAMS)
    assert gate.read_inputs(PARAMS, state, {})["limit_closed"] == 1
    half = run(state, {"motor_open": 1}, 1.5)
    inputs = gate.read_inputs(PARAMS, half, {})
    assert inputs["limit_open"] == 0 and inputs["limit_closed"] == 0
    assert half.position == pytest.approx(0.5, abs=0.01)
    full = run(half, {"motor_open": 1}, 1.6)
    assert gate.read_inputs(PARAMS, full, {})["limit_open"] == 1
    assert gate.summary(full) == "open"


def test_closes_back_and_stops_when_the_motor_stops():
    opened = gate.GateState(position=1.0)
    moving = run(opened, {"motor_close": 1}, 1.0)
    stopped = run(moving, {}, 2.0)
    assert stopped.position == moving.position == pytest.approx(2 / 3, abs=0.01)


def test_both_motor_outputs_move_nothing_and_are_recorded():
    state = run(gate.GateState(position=0.5), {"motor_open": 1, "motor_close": 1}, 0.5)
    assert state.position == 0.5
    assert state.both_driven_s == pytest.approx(0.5)


def test_healthy_photo_eye_reports_interrupted_while_its_emitter_is_off():
    state = gate.initial_state(PARAMS)
    assert gate.read_inputs(PARAMS, state, {"eye_test": 0})["photo_eye"] == 0
    assert gate.read_inputs(PARAMS, state, {"eye_test": 1})["photo_eye"] == 1


def test_failed_photo_eye_fails_its_test_and_misses_obstructions():
    state = gate.inject(PARAMS, gate.initial_state(PARAMS), "eye-fault", "on")
    assert gate.read_inputs(PARAMS, state, {"eye_test": 1})["photo_eye"] == 0
    blocked = gate.inject(PARAMS, state, "obstruct", "on")
    assert gate.read_inputs(PARAMS, blocked, {})["photo_eye"] == 0


def test_obstruction_interrupts_the_beam_until_removed():
    state = gate.inject(PARAMS, gate.initial_state(PARAMS), "obstruct", "on")
    assert gate.read_inputs(PARAMS, state, {})["photo_eye"] == 1
    state = gate.inject(PARAMS, state, "obstruct", "off")
    assert gate.read_inputs(PARAMS, state, {})["photo_eye"] == 0


def test_edge_circuit_reads_healthy_pressed_open_and_shorted():
    state = gate.initial_state(PARAMS)
    assert gate.read_inputs(PARAMS, state, {})["edge"] == io_points.EDGE_HEALTHY
    pressed = gate.inject(PARAMS, state, "edge", "on")
    assert gate.read_inputs(PARAMS, pressed, {})["edge"] < io_points.EDGE_PRESSED_BELOW
    cut = gate.inject(PARAMS, state, "edge-wiring", "open")
    assert gate.read_inputs(PARAMS, cut, {})["edge"] > io_points.EDGE_OPEN_ABOVE


def test_vehicle_loop_and_local_controls_reach_their_terminals():
    state = gate.initial_state(PARAMS)
    for action, terminal in (
        ("loop", "loop"),
        ("key", "key_override"),
        ("button-open", "button_open"),
    ):
        state = gate.inject(PARAMS, state, action, "on")
        assert gate.read_inputs(PARAMS, state, {})[terminal] == 1


def test_every_input_terminal_of_the_gate_is_driven():
    names = {p[io_points.NAME] for p in io_points.inputs(io_points.GATE_IO)}
    assert set(gate.read_inputs(PARAMS, gate.initial_state(PARAMS), {})) == names


def test_unknown_action_and_bad_value_are_refused_with_the_fix():
    with pytest.raises(InjectError, match="use one of"):
        gate.inject(PARAMS, gate.initial_state(PARAMS), "load", "on")
    with pytest.raises(InjectError, match="on or off"):
        gate.inject(PARAMS, gate.initial_state(PARAMS), "obstruct", "maybe")
