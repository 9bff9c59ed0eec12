"""Door plant: a maglock holds while energised, a strike while not; a person inside always gets
out through a strike's lever, through a maglock only once REX released it (else: blocked egress)."""

import pytest

from sim.errors import InjectError
from sim.plants import door

MAGLOCK_HOLDS = {"lock_coil": 1, "sounder": 0}
MAGLOCK_FREE = {"lock_coil": 0, "sounder": 0}


def run(params, state, outputs, seconds, dt=0.01):
    for _ in range(round(seconds / dt)):
        state = door.step(params, state, outputs, dt)
    return state


def test_rex_presses_then_the_person_pushes_through_a_released_maglock():
    params = door.params_from_site({}, {})
    state = door.inject(params, door.initial_state(params), "rex", None)
    assert door.read_inputs(params, state, MAGLOCK_FREE)["rex"] == 1
    state = run(params, state, MAGLOCK_FREE, params.push_s + 0.05)
    assert state.open and state.egress == 1 and state.egress_blocked == 0
    state = run(params, state, MAGLOCK_FREE, params.pass_s + 0.05)
    assert not state.open and door.read_inputs(params, state, MAGLOCK_FREE)["door_open"] == 0


def test_a_maglock_that_still_holds_blocks_egress_and_says_so():
    params = door.params_from_site({}, {})
    state = door.inject(params, door.initial_state(params), "rex", None)
    state = run(params, state, MAGLOCK_HOLDS, params.push_s + 0.05)
    assert not state.open and state.egress_blocked == 1


def test_a_strike_lever_always_opens_from_inside():
    params = door.params_from_site({"fail_secure": 1.0}, {})
    assert door.lock_holds(params, {"lock_coil": 0})
    state = door.inject(params, door.initial_state(params), "rex", None)
    state = run(params, state, {"lock_coil": 0}, params.push_s + 0.05)
    assert state.open and state.egress == 1


def test_position_switch_forced_and_bad_values():
    params = door.params_from_site({}, {})
    state = door.inject(params, door.initial_state(params), "door", "open")
    state = run(params, state, MAGLOCK_HOLDS, 60.0, dt=0.1)
    assert state.open, "a propped door stays open"
    state = door.inject(params, state, "door", "closed")
    assert not state.open
    state = door.inject(params, state, "door-force", None)
    assert state.open and state.forced == 1
    with pytest.raises(InjectError):
        door.inject(params, state, "door", "ajar")
    with pytest.raises(InjectError):
        door.inject(params, state, "smoke", 3)
