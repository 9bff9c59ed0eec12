"""Checkpoint reader plant: a tag becomes a real Wiegand frame on D0/D1, one pulse per bit."""

import pytest

from sim.errors import InjectError
from sim.plants import checkpoint


def _pulses(uid):
    params = checkpoint.params_from_site({}, {})
    state = checkpoint.inject(params, checkpoint.initial_state(params), "tag", uid)
    bits, prev = [], {"d0": 0, "d1": 0}
    for _ in range(1000):
        state = checkpoint.step(params, state, {}, 0.01)
        now = checkpoint.read_inputs(params, state, {})
        assert not (now["d0"] and now["d1"]), "never both lines at once"
        for line in ("d0", "d1"):
            if now[line] and not prev[line]:
                bits.append(1 if line == "d1" else 0)
        prev = now
    return bits


def _frame(bits):
    return int("".join(map(str, bits)), 2)


def test_small_uid_is_a_wiegand26_frame_with_its_parities():
    bits = _pulses(str((18 << 16) | 1234))
    assert len(bits) == 26
    assert sum(bits[:13]) % 2 == 0 and sum(bits[13:]) % 2 == 1
    assert _frame(bits[1:25]) == (18 << 16) | 1234


def test_large_uid_is_a_wiegand34_frame():
    bits = _pulses("0xABCDEF01")
    assert len(bits) == 34 and _frame(bits[1:33]) == 0xABCDEF01
    assert sum(bits[:17]) % 2 == 0 and sum(bits[17:]) % 2 == 1


def test_bad_uids_are_refused():
    params = checkpoint.params_from_site({}, {})
    state = checkpoint.initial_state(params)
    for bad in ("guard", "-1", str(1 << 32)):
        with pytest.raises(InjectError):
            checkpoint.inject(params, state, "tag", bad)
