"""The wire-time bound: hand-computed from the Modbus serial-line rules (11-bit characters, t3.5)."""

import pytest

from hil.bench.wire_bound import (
    BusTiming,
    broadcast_only,
    detect_broadcast_verify,
    detect_then_broadcast,
)

GATE_BUS = BusTiming("gate-bus", 115200)
BUILDING_BUS = BusTiming("building-bus", 19200)

# 8 bytes * 11 bits / 115200 baud
BROADCAST_115200_MS = 8 * 11 / 115200 * 1000
CHAR_19200_MS = 11 / 19200 * 1000


def test_guard_command_bound_is_one_broadcast_frame():
    bound = broadcast_only([GATE_BUS])
    assert bound.total_ms == pytest.approx(BROADCAST_115200_MS, abs=0.002)
    assert [s.what for s in bound.steps] == ["broadcast mode write 8 B"]


def test_panic_on_same_fast_bus_pays_turnaround_and_gap_of_1_75_ms():
    bound = detect_then_broadcast(GATE_BUS, [GATE_BUS])
    # request 8 B + t3.5 + response 7 B + t3.5 + broadcast 8 B; t3.5 is fixed 1.75 ms above 19200
    expected = (8 + 7 + 8) * 11 / 115200 * 1000 + 2 * 1.75
    assert bound.total_ms == pytest.approx(expected, abs=0.005)


def test_panic_on_slow_bus_commanding_fast_bus_needs_no_gap_on_the_other_line():
    bound = detect_then_broadcast(BUILDING_BUS, [GATE_BUS])
    # t3.5 at 19200 is 3.5 characters (not the fixed 1.75 ms), only once: the slave turnaround
    expected = (8 + 7) * CHAR_19200_MS + 3.5 * CHAR_19200_MS + BROADCAST_115200_MS
    assert bound.total_ms == pytest.approx(expected, abs=0.005)
    assert "inter-frame gap t3.5" not in [s.what for s in bound.steps]


def test_slowest_target_bus_sets_the_bound():
    both = detect_then_broadcast(GATE_BUS, [GATE_BUS, BUILDING_BUS])
    only_fast = detect_then_broadcast(GATE_BUS, [GATE_BUS])
    assert both.total_ms > only_fast.total_ms
    assert both.steps[-1].bus == "building-bus"


def test_bound_falls_with_baud_and_polling_more_registers_costs_wire_time():
    slow = detect_then_broadcast(BusTiming("b", 9600), [BusTiming("b", 9600)])
    fast = detect_then_broadcast(BusTiming("b", 115200), [BusTiming("b", 115200)])
    assert slow.total_ms > 5 * fast.total_ms  # not 12x: t3.5 is fixed at 1.75 ms above 19200
    wide = detect_then_broadcast(GATE_BUS, [GATE_BUS], poll_registers=28)
    assert wide.total_ms - detect_then_broadcast(GATE_BUS, [GATE_BUS]).total_ms == pytest.approx(
        54 * 11 / 115200 * 1000, abs=0.005
    )


def test_confirmation_reads_every_barrier_back_to_back():
    one = detect_broadcast_verify(GATE_BUS, [(GATE_BUS, 1)])
    six = detect_broadcast_verify(GATE_BUS, [(GATE_BUS, 6)])
    per_read = (8 + 7) * 11 / 115200 * 1000 + 2 * 1.75
    assert six.total_ms - one.total_ms == pytest.approx(5 * per_read, abs=0.01)


def test_no_target_bus_is_a_clear_error():
    with pytest.raises(ValueError, match="no barrier bus"):
        broadcast_only([])


def test_host_design_pays_the_minimal_read_then_the_audit():
    from hil.bench.wire_bound import host_poll_reads

    minimal = detect_then_broadcast(GATE_BUS, [GATE_BUS])
    design = detect_then_broadcast(GATE_BUS, [GATE_BUS], poll_reads=host_poll_reads("panic"))
    # after the 1-register poll: two more requests, turnarounds and gaps, 17 B and 23 B replies
    extra = (8 + 17 + 8 + 23) * 11 / 115200 * 1000 + 4 * 1.75
    assert design.total_ms - minimal.total_ms == pytest.approx(extra, abs=0.01)


def test_polling_floor_grows_with_hold_up_devices_only():
    from hil.bench.wire_bound import polling_floor

    two = polling_floor(GATE_BUS, [GATE_BUS], holdup_devices=2, longest_registers=11)
    four = polling_floor(GATE_BUS, [GATE_BUS], holdup_devices=4, longest_registers=11)
    per_poll = (8 + 7) * 11 / 115200 * 1000 + 2 * 1.75
    assert four.total_ms - two.total_ms == pytest.approx(2 * per_poll, abs=0.01)
    longest = (8 + 27) * 11 / 115200 * 1000 + 2 * 1.75
    broadcast = 1.75 + 8 * 11 / 115200 * 1000
    assert two.total_ms == pytest.approx(2 * per_poll + longest + broadcast, abs=0.01)
