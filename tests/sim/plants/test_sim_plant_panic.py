"""Panic station plant: a person's press and release, a held button, the key reset, tamper."""

from protocols import io_points
from sim.plants import panic


def run(params, state, seconds, dt=0.01):
    for _ in range(round(seconds / dt)):
        state = panic.step(params, state, {}, dt)
    return state


def test_press_is_held_longer_than_the_firmware_hold_time_then_released():
    params = panic.params_from_site({}, {"hold_ms": 800})
    assert params.press_s > 0.8
    state = panic.inject(params, panic.initial_state(params), "panic", None)
    assert panic.read_inputs(params, state, {})["button"] == 1
    state = run(params, state, 0.85)
    assert panic.read_inputs(params, state, {})["button"] == 1
    state = run(params, state, params.press_s)
    assert panic.read_inputs(params, state, {})["button"] == 0


def test_short_press_is_shorter_than_any_hold_time():
    params = panic.params_from_site({}, {})
    state = panic.inject(params, panic.initial_state(params), "short-press", None)
    state = run(params, state, 0.05)
    assert panic.read_inputs(params, state, {})["button"] == 0


def test_held_button_stays_down_until_released():
    params = panic.params_from_site({}, {})
    state = run(params, panic.inject(params, panic.initial_state(params), "hold", "on"), 5.0)
    assert state.button
    state = run(params, panic.inject(params, state, "hold", "off"), 0.02)
    assert not state.button


def test_key_reset_is_a_turn_and_back():
    params = panic.params_from_site({"key_s": 0.3}, {})
    state = panic.inject(params, panic.initial_state(params), "panic-reset", None)
    assert panic.read_inputs(params, state, {})["key_reset"] == 1
    state = run(params, state, 0.35)
    assert panic.read_inputs(params, state, {})["key_reset"] == 0


def test_tamper_and_terminals():
    params = panic.params_from_site({}, {})
    state = panic.inject(params, panic.initial_state(params), "tamper", "on")
    inputs = panic.read_inputs(params, state, {})
    assert inputs["tamper"] == 1
    assert set(inputs) == {p[io_points.NAME] for p in io_points.inputs(io_points.PANIC_IO)}
