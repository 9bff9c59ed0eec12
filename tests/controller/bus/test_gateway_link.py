"""Buses behind RS-485-to-Ethernet gateways (issue 12 item 4): Modbus TCP and RTU over TCP, against
the simulator's gateway (sim/gateway.py) in front of a simulated RS-485 line (sim/bus.py) with
third-party slaves emulated from their profiles (sim/profile_slave.py). The host side is the
product's own: make_link() from the site's gateway URL, and the bus scheduler polling through it."""

from __future__ import annotations

import asyncio
import time

import pytest

from controller.bus.errors import DeviceTimeout
from controller.bus.gateway_link import GatewayTiming, TcpBusLink, make_link
from controller.bus.scheduler import BusScheduler
from controller.devices.profile_device import ProfileDevice
from controller.devices.setup import DeviceSetup
from controller.profiles.third_party import load_profile as host_profile
from controller.site.model import Gateway
from sim.bus import TimedBus
from sim.gateway import TcpGateway
from sim.profile_reader import load_profile as sim_profile
from sim.profile_slave import ProfileSlave

PROFILE = "generic-rs485-smoke"


class Recorder:
    def __init__(self):
        self.online: list[str] = []
        self.offline: list[str] = []

    def device_online(self, bus, device):
        self.online.append(device)

    def device_offline(self, bus, device, reason):
        self.offline.append(device)

    def bus_state(self, bus, up, reason):
        pass


async def _line(framing: str):
    bus = TimedBus("far-building", 19200)
    bus.start()
    profile = sim_profile(PROFILE)
    for unit in (5, 6):
        bus.attach(ProfileSlave(bus, f"smoke-{unit}", unit, profile, lambda name: [0] * 4))
    gateway = TcpGateway(bus, framing)
    await gateway.start()
    return bus, gateway


@pytest.mark.slow
@pytest.mark.parametrize("framing", ["tcp", "rtu"])
async def test_scheduler_polls_devices_behind_a_gateway_and_finds_a_missing_one(framing):
    bus, gateway = await _line(framing)
    site_gateway = Gateway("far-building", "127.0.0.1", gateway.port, framing=framing, baud=19200)
    link = make_link("far-building", site_gateway.url, 19200)
    assert isinstance(link, TcpBusLink) == (framing == "tcp")
    assert isinstance(link.timing, GatewayTiming)
    devices = [ProfileDevice(DeviceSetup(f"smoke-{u}", "far-building", u, "teaching", "", PROFILE),
                             host_profile(PROFILE), lambda view, changes: None) for u in (5, 6, 7)]
    recorder = Recorder()
    scheduler = BusScheduler(link, devices, recorder, heartbeat_s=1.0)
    await scheduler.start()
    try:
        deadline = time.monotonic() + 30
        while not ("smoke-7" in recorder.offline and {"smoke-5", "smoke-6"} <= set(recorder.online)):
            assert time.monotonic() < deadline, (recorder.online, recorder.offline)
            await asyncio.sleep(0.05)
        assert recorder.offline == ["smoke-7"], "unit 7 is not on the line; 5 and 6 answer"
        assert devices[0].view.state == "normal", "the detector's points were read and decoded"
        assert scheduler.is_online("smoke-5") and scheduler.is_online("smoke-6")
        assert scheduler.stats.transactions > 10
        if framing == "tcp":
            assert gateway.requests > 10 and gateway.no_response >= 1  # unit 7: exception 0x0B
    finally:
        await scheduler.close()
        await gateway.close()
        await bus.close()


async def test_modbus_tcp_gateway_reports_a_silent_unit_as_a_timeout_not_a_refusal():
    bus, gateway = await _line("tcp")
    link = make_link("far-building", f"tcp://127.0.0.1:{gateway.port}", 19200)
    await link.open()
    try:
        with pytest.raises(DeviceTimeout):
            await link.read(9, 3, 0, 1)
        await link.broadcast(12, 1)  # unit 0: on the line, not answered
        deadline = time.monotonic() + 5
        while gateway.requests < 2:
            assert time.monotonic() < deadline, "the broadcast reached the gateway"
            await asyncio.sleep(0.01)
        assert gateway.no_response == 1, "the broadcast is not waited for"
    finally:
        link.close()
        await gateway.close()
        await bus.close()
