"""Polls decoded into confirmed state, and state changes into the events the policy needs."""

from __future__ import annotations

import pytest

from controller.devices.decode import decode_role
from controller.devices.model import DeviceView, Observation
from controller.devices.tracker import observe
from protocols import events as E
from protocols import registers as R


def block(role_block, **values) -> list[int]:
    regs = [0] * R.block_size(role_block)
    for name, value in values.items():
        regs[R.address(role_block, name) - R.ROLE_BASE] = value
    return regs


@pytest.mark.parametrize("raw, locked, confirmed", [
    (1, 1, "locked"), (1, 0, "closed"), (3, 0, "open"), (2, 0, "moving"), (4, 0, "moving"),
    (6, 0, "moving"), (7, 0, "fault"), (5, 0, "stopped"),
])
def test_gate_confirmed_state(raw, locked, confirmed):
    state, faults, detail = decode_role("gate", 0, block(R.GATE, state=raw, locked=locked))
    assert state == confirmed and faults == [] and detail["locked"] == bool(locked)


def test_faults_are_named_from_both_blocks_without_the_role_fault_summary_bit():
    flags = (1 << R.COMMON_FAULT_NAMES.index("comm_loss")) | (1 << R.COMMON_FAULT_NAMES.index("role_fault"))
    _, faults, _ = decode_role("gate", flags, block(R.GATE, state=1, faults=0b10))
    assert faults == ["comm_loss", "photo_eye_monitor"]


@pytest.mark.parametrize("role, role_block, raw, confirmed", [
    ("bollard", R.BOLLARD, 3, "up"), ("bollard", R.BOLLARD, 1, "down"),
    ("bollard", R.BOLLARD, 7, "moving"), ("smoke", R.SMOKE, 2, "prealarm"),
    ("smoke", R.SMOKE, 3, "alarm"), ("smoke", R.SMOKE, 5, "test"), ("panic", R.PANIC, 1, "alarm"),
])
def test_other_roles_confirmed_state(role, role_block, raw, confirmed):
    assert decode_role(role, 0, block(role_block, state=raw))[0] == confirmed


PANIC = DeviceView("kg-panic", "panic", "b", 1, "kindergarten", state="idle", press_count=4)


def kinds(changes):
    return [c.kind for c in changes]


def test_a_press_between_polls_is_never_missed_thanks_to_press_count():
    # pressed and reset at the station between two polls: the state looks idle, the count moved
    _, changes = observe(PANIC, Observation("idle", (), press_count=5), {"t0": "x"})
    assert kinds(changes) == [E.PANIC_ALARM]
    assert changes[0].data["t0"] == "x", "the detection time travels with the event"


def test_latched_alarm_found_at_first_contact_is_an_alarm():
    fresh = DeviceView("kg-panic", "panic", "b", 1, "kindergarten")
    _, changes = observe(fresh, Observation("alarm", (), press_count=1), {})
    assert E.PANIC_ALARM in kinds(changes)


def test_panic_reset_and_tamper_trouble_and_restore():
    alarm = DeviceView("kg-panic", "panic", "b", 1, "kg", state="acknowledged", press_count=5)
    view, changes = observe(alarm, Observation("idle", ("tamper",), press_count=5), {})
    assert kinds(changes) == [E.DEVICE_STATE, E.PANIC_RESET, E.TROUBLE_TAMPER]
    _, changes = observe(view, Observation("idle", (), press_count=5), {})
    assert kinds(changes) == [E.TROUBLE_RESTORE] and changes[0].data["restored"] == E.TROUBLE_TAMPER


def test_smoke_sequence_and_gate_monitoring_trouble():
    smoke = DeviceView("s1", "smoke", "b", 11, "teaching", state="normal")
    view, changes = observe(smoke, Observation("prealarm", ()), {})
    assert E.SMOKE_PREALARM in kinds(changes)
    view, changes = observe(view, Observation("alarm", ()), {})
    assert E.SMOKE_ALARM in kinds(changes)
    _, changes = observe(view, Observation("normal", ()), {})
    assert E.SMOKE_CLEAR in kinds(changes)
    gate = DeviceView("g", "gate", "a", 1, "main-gate", state="closed")
    _, changes = observe(gate, Observation("closed", ("edge_monitor",)), {})
    assert kinds(changes) == [E.TROUBLE_MONITORING]
