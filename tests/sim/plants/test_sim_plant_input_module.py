"""Input module plant: named contacts, a press long enough to be polled, a held contact."""

import pytest

from sim.errors import InjectError
from sim.plants import input_module

PARAMS = input_module.params_from_inputs({"press_s": 0.5}, ({"channel": 1, "name": "pool-panic"},))


def run(state, seconds, dt=0.01):
    for _ in range(round(seconds / dt)):
        state = input_module.step(PARAMS, state, {}, dt)
    return state


def test_press_by_name_closes_its_channel_then_releases():
    channel = input_module.channel_of(PARAMS, "pool-panic")
    state = input_module.inject_channel(
        PARAMS, input_module.initial_state(PARAMS), "panic", channel, None
    )
    assert input_module.bits(state) == [0, 1, 0, 0, 0, 0, 0, 0]
    assert input_module.bits(run(state, 0.4))[1] == 1
    assert input_module.bits(run(state, 0.6))[1] == 0


def test_hold_keeps_a_contact_closed():
    state = input_module.inject_channel(PARAMS, input_module.initial_state(PARAMS), "hold", 3, "on")
    assert input_module.bits(run(state, 5.0))[3] == 1


def test_unknown_channel_names_the_known_ones():
    with pytest.raises(InjectError, match="pool-panic"):
        input_module.channel_of(PARAMS, "gym-panic")
