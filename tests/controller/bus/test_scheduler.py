"""The bus scheduler against a real Modbus RTU peer (pymodbus server over socket://)."""

from __future__ import annotations

import asyncio
import time

import pytest
from bus_peer import Peer

from controller.bus.errors import DeviceTimeout
from controller.bus.lanes import Lane
from controller.bus.link import BusLink
from controller.bus.scheduler import BusScheduler
from controller.bus.timing import READ_REQUEST_BYTES, BusTiming, read_response_bytes

TIMING = BusTiming(115200, turnaround_s=0.03)


class Recorder:
    def __init__(self):
        self.online: list[str] = []
        self.offline: list[str] = []
        self.bus: list[bool] = []

    def device_online(self, bus, device):
        self.online.append(device)

    def device_offline(self, bus, device, reason):
        self.offline.append(device)

    def bus_state(self, bus, up, reason):
        self.bus.append(up)


class RegisterPoller:
    """The smallest BusDevice: reads holding register 0..1 of its unit."""

    def __init__(self, unit: int, lane: Lane = Lane.ALARM_POLL):
        self.name = f"unit-{unit}"
        self.unit = unit
        self.lane = lane
        self.polls = 0
        self.heartbeats = 0

    async def poll(self, link):
        await link.read(self.unit, 3, 0, 2)
        self.polls += 1

    async def provision(self, link):
        await link.write(self.unit, 11, (30,))

    async def heartbeat(self, link):
        self.heartbeats += 1
        await link.write(self.unit, 10, (self.heartbeats,))


async def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_dead_device_goes_offline_and_never_delays_life_safety_commands():
    peer = Peer(units=(1, 2, 3), dead=(3,))
    await peer.start()
    devices = [RegisterPoller(1), RegisterPoller(3), RegisterPoller(2, Lane.BARRIER_POLL)]
    recorder = Recorder()
    scheduler = BusScheduler(BusLink("a", peer.url, 115200, timing=TIMING), devices, recorder,
                             heartbeat_s=0.3)
    await scheduler.start()
    try:
        await wait_for(lambda: "unit-3" in recorder.offline)
        assert set(recorder.online) == {"unit-1", "unit-2"}
        assert peer.register(1, 11) == 30, "first contact provisions the device"

        # a life-safety write waits at most for the transaction on the wire, never behind the
        # dead device's timeouts
        one_timeout = TIMING.timeout_s(READ_REQUEST_BYTES, read_response_bytes(3, 2))
        latencies = []
        for value in range(1, 11):
            t0 = time.monotonic()
            await scheduler.submit(lambda link, v=value: link.write(1, 12, (v,)))
            latencies.append(time.monotonic() - t0)
            await asyncio.sleep(0.05)
        assert peer.register(1, 12) == 10
        assert max(latencies) < one_timeout + 0.25, latencies

        # the dead device costs at most one timeout per back-off period; live ones keep polling
        probes_before = peer.requests.get(3, 0)
        polls_before = devices[0].polls
        await asyncio.sleep(1.5)
        assert peer.requests.get(3, 0) - probes_before <= 3
        assert devices[0].polls - polls_before > 20
        assert devices[0].heartbeats >= 2, "heartbeat every heartbeat_s to online devices"
    finally:
        await scheduler.close()
        await peer.stop()


async def test_failed_command_reports_timeout_to_its_caller():
    peer = Peer(units=(1,), dead=(1,))
    await peer.start()
    scheduler = BusScheduler(BusLink("a", peer.url, 115200, timing=TIMING), [], Recorder())
    await scheduler.start()
    try:
        future = scheduler.submit(lambda link: link.write(1, 12, (1,)))
        try:
            await asyncio.wait_for(future, 2.0)
        except DeviceTimeout as exc:
            assert "no response" in str(exc)
        else:
            raise AssertionError("a dead unit's write must raise DeviceTimeout")
    finally:
        await scheduler.close()
        await peer.stop()


async def test_broadcast_is_one_frame_every_device_acts_on():
    peer = Peer(units=(1, 2, 3))
    await peer.start()
    link = BusLink("a", peer.url, 115200, timing=TIMING)
    await link.open()
    try:
        await link.broadcast(12, 1)
        assert peer.requests.get(0) == 1
        assert [await link.read(u, 3, 12, 1) for u in (1, 2, 3)] == [[1], [1], [1]]
    finally:
        link.close()
        await peer.stop()


async def test_vanished_port_is_reopened_and_polling_resumes():
    peer = Peer(units=(1,))
    await peer.start()
    device = RegisterPoller(1)
    recorder = Recorder()
    scheduler = BusScheduler(BusLink("a", peer.url, 115200, timing=TIMING), [device], recorder)
    await scheduler.start()
    try:
        await wait_for(lambda: device.polls > 3)
        await peer.stop()
        await wait_for(lambda: False in recorder.bus)
        peer = Peer(units=(1,), port=peer.port)
        await peer.start()
        polls = device.polls
        await wait_for(lambda: device.polls > polls + 3, timeout=10)
        assert recorder.bus[-1] is True
        assert scheduler.stats.reopens >= 1
    finally:
        await scheduler.close()
        await peer.stop()


@pytest.mark.slow
async def test_lossy_line_takes_no_live_device_offline_but_finds_the_dead_one():
    # 30 % of responses lost at random: worse than 1 % byte noise does to a poll frame
    peer = Peer(units=(1, 2, 3, 4), dead=(3,), lose=0.3, seed=7)
    await peer.start()
    devices = [RegisterPoller(1), RegisterPoller(2), RegisterPoller(3), RegisterPoller(4, Lane.BARRIER_POLL)]
    recorder = Recorder()
    scheduler = BusScheduler(BusLink("a", peer.url, 115200, timing=TIMING), devices, recorder,
                             heartbeat_s=0.5)
    await scheduler.start()
    try:
        await wait_for(lambda: "unit-3" in recorder.offline and devices[0].polls >= 100, timeout=60)
        assert recorder.offline == ["unit-3"], "only the dead device is offline"
        assert peer.lost > 30, "the line really lost responses"
        assert scheduler.line.error_rate > 0.1, "the line's failure rate is measured"
        assert all(scheduler.is_online(f"unit-{u}") for u in (1, 2, 4))
    finally:
        await scheduler.close()
        await peer.stop()
