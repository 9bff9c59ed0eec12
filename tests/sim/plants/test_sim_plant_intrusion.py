"""Intrusion loops: normal, tripped, cut, shorted read as the firmware's four conditions."""

import pytest
from firmware_free_classify import classify_counts

from sim.errors import InjectError
from sim.plants import intrusion


def test_each_condition_reads_in_its_band():
    params = intrusion.params_from_site({}, {})
    state = intrusion.initial_state(params)
    assert {classify_counts(v) for v in intrusion.read_inputs(params, state, {}).values()} == {
        "normal"}
    state = intrusion.inject_at(params, state, "intrusion", "on", "2")
    inputs = intrusion.read_inputs(params, state, {})
    assert classify_counts(inputs["loop1"]) == "normal" and classify_counts(inputs["loop2"]) == "alarm"
    state = intrusion.inject_at(params, state, "loop-wiring", "open", "1")
    assert classify_counts(intrusion.read_inputs(params, state, {})["loop1"]) == "open"
    state = intrusion.inject_at(params, state, "loop-wiring", "short", "1")
    assert classify_counts(intrusion.read_inputs(params, state, {})["loop1"]) == "short"
    assert state.trips == 1


def test_bad_loop_numbers_and_values_are_refused():
    params = intrusion.params_from_site({}, {})
    state = intrusion.initial_state(params)
    with pytest.raises(InjectError):
        intrusion.inject_at(params, state, "intrusion", "on", "3")
    with pytest.raises(InjectError):
        intrusion.inject_at(params, state, "loop-wiring", "cut", "1")
    with pytest.raises(InjectError):
        intrusion.inject(params, state, "rex", None)
