"""The timed RS-485 line: wire time, every drop hears every byte, collisions, faults, counters."""

from __future__ import annotations

import asyncio
import time

import pytest
from sim_bus_helpers import RecordingTap

from protocols import rtu
from sim.bus import TimedBus


async def settle(bus: TimedBus, seconds: float = 0.0) -> None:
    """Wait until the line has delivered everything, plus seconds."""
    deadline = time.monotonic() + 2.0
    while bus._pending and time.monotonic() < deadline:
        await asyncio.sleep(0.002)
    await asyncio.sleep(seconds)


@pytest.fixture
async def line():
    bus = TimedBus("test", 19200, seed=7)
    taps = [RecordingTap(n) for n in ("host", "dev-a", "dev-b")]
    for tap in taps:
        bus.attach(tap)
    bus.start()
    yield bus, taps
    await bus.close()


async def test_every_other_drop_hears_every_byte_and_the_talker_does_not(line):
    bus, (host, a, b) = line
    frame = rtu.build_adu(1, bytes([3, 0, 0, 0, 2]))
    bus.transmit(host, frame)
    await settle(bus)
    assert a.data == frame and b.data == frame and host.data == b""
    bus.transmit(a, b"\x01\x02")
    await settle(bus)
    assert host.data == b"\x01\x02" and b.data == frame + b"\x01\x02"
    assert bus.counters.frames == 2 and bus.counters.bytes == len(frame) + 2


async def test_bytes_arrive_paced_at_the_wire_time_never_early(line):
    bus, (host, a, _) = line
    payload = bytes(range(100))  # 100 characters at 19200 baud: 57.3 ms on the wire
    sent = time.monotonic()
    bus.transmit(host, payload)
    await settle(bus)
    wire_s = rtu.frame_time_us(100, 19200) / 1e6
    assert a.data == payload
    first_at, first = a.heard[0]
    last_at, _ = a.heard[-1]
    assert last_at - sent >= wire_s  # the last character cannot arrive before its stop bit
    assert last_at - sent < wire_s + 0.5  # generous: a loaded host delays the event loop
    assert len(a.heard) > 3  # delivered in small chunks as the characters arrive
    assert first_at - sent >= len(first) * bus.char_s


class SteppedClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_two_talkers_at_once_collide_and_garble():
    clock = SteppedClock()
    bus = TimedBus("stepped", 19200, clock=clock, seed=3)
    host, a, b = RecordingTap("host"), RecordingTap("a"), RecordingTap("b")
    for tap in (host, a, b):
        bus.attach(tap)
    reply_a = rtu.build_adu(1, bytes([3, 2, 0, 1]))
    reply_b = rtu.build_adu(2, bytes([3, 2, 0, 2]))
    bus.transmit(a, reply_a)
    clock.now += 2 * bus.char_s  # b starts while a is on its third character
    bus.transmit(b, reply_b)
    clock.now += 1.0
    bus._release_due()
    assert bus.counters.collisions == 1
    heard = host.data
    assert len(heard) == len(reply_a) + len(reply_b)
    assert heard[:2] == reply_a[:2]  # before the overlap the line was clean
    assert heard[-2:] == reply_b[-2:]  # after a fell silent, b's last characters came through
    assert reply_a not in heard and reply_b not in heard
    assert (
        bus.counters.corrupted_bytes == 10
    )  # five of a's characters and the five of b's under them


def test_reply_sooner_than_t35_after_the_request_is_flagged():
    clock = SteppedClock()
    bus = TimedBus("stepped", 19200, clock=clock)
    host, device = RecordingTap("host"), RecordingTap("device")
    bus.attach(host)
    bus.attach(device)
    request = b"\x01\x03\x00\x00\x00\x01\x84\x0a"
    bus.transmit(host, request)
    request_end = clock.now + bus.wire_time_s(len(request))
    clock.now = request_end + bus.t35_s / 2  # answers after half the silence it owes
    bus.transmit(device, b"\x01\x03\x02\x00\x00\xb8\x44")
    assert bus.counters.early_replies == 1 and bus.counters.collisions == 0
    clock.now += 1.0
    bus.transmit(host, request)
    clock.now += bus.wire_time_s(len(request)) + bus.t35_s  # a patient device: not flagged
    bus.transmit(device, b"\x01\x03\x02\x00\x00\xb8\x44")
    assert bus.counters.early_replies == 1
    assert bus.counters.host_early_requests == 0 and bus.counters.frames == 4


async def test_corruption_rate_flips_bits_of_delivered_bytes(line):
    bus, (host, a, _) = line
    bus.set_faults(corrupt_rate=1.0)
    payload = bytes(64)
    bus.transmit(host, payload)
    await settle(bus)
    assert len(a.data) == 64
    assert all(bin(byte).count("1") == 1 for byte in a.data)  # exactly one bit flipped in each
    assert bus.counters.corrupted_bytes == 64


async def test_drop_rate_loses_bytes(line):
    bus, (host, a, _) = line
    bus.set_faults(drop_rate=0.5)
    bus.transmit(host, bytes(400))
    await settle(bus)
    assert bus.counters.dropped_bytes + len(a.data) == 400
    assert 100 < bus.counters.dropped_bytes < 300


async def test_cut_drop_neither_hears_nor_is_heard(line):
    bus, (host, a, b) = line
    a.connected = False
    bus.transmit(host, b"\x01\x02\x03")
    bus.transmit(a, b"\x09\x09")
    await settle(bus)
    assert a.data == b"" and host.data == b"" and b.data == b"\x01\x02\x03"
    assert bus.counters.cut_bytes == 2


async def test_noise_bursts_put_random_bytes_on_an_idle_line(line):
    bus, (host, a, _) = line
    bus.set_faults(noise_rate=0.2)
    await asyncio.sleep(0.3)
    bus.set_faults(noise_rate=0.0)
    await settle(bus)
    assert bus.counters.noise_bytes > 0
    assert len(host.data) == len(a.data) == bus.counters.noise_bytes
    assert bus.counters.frames == 0 and bus.counters.bytes == 0


async def test_noise_burst_during_a_frame_garbles_it(line):
    bus, (host, a, _) = line
    frame = bytes(range(1, 41))
    bus.transmit(host, frame)
    bus.burst(3)
    await settle(bus)
    assert bus.counters.collisions == 1
    assert a.data[:40] != frame


async def test_added_latency_delays_delivery(line):
    bus, (host, a, _) = line
    bus.set_faults(latency_s=0.05)
    sent = time.monotonic()
    bus.transmit(host, b"\x01")
    await settle(bus)
    assert a.heard[0][0] - sent >= 0.05 + bus.char_s


class BurstTap(RecordingTap):
    paced = False


async def test_burst_fed_drop_gets_each_burst_whole_at_its_last_characters_wire_time(line):
    bus, (host, a, _) = line
    device = BurstTap("device")
    bus.attach(device)
    payload = bytes(range(40))  # 22.9 ms at 19200 baud
    sent = time.monotonic()
    bus.transmit(host, payload)
    await settle(bus)
    assert len(a.heard) > 2  # the paced drop got it in chunks
    assert len(device.heard) == 1 and device.data == payload
    assert device.heard[0][0] - sent >= rtu.frame_time_us(40, 19200) / 1e6


async def test_burst_fed_drop_still_gets_a_burst_whose_last_character_was_lost(line):
    bus, (host, _, _) = line
    device = BurstTap("device")
    bus.attach(device)
    bus.set_faults(drop_rate=0.5)
    bus.transmit(host, bytes(64))
    await settle(bus)
    assert len(device.heard) == 1
    assert len(device.data) == 64 - bus.counters.dropped_bytes
