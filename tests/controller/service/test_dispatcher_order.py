"""The dispatcher queues a command's frame in the same call as the decision (frames first, log
after), and logs command.sent before any command.confirmed of it, against a real Modbus RTU peer
(pymodbus server, RTU framing over TCP: tests/controller/bus/bus_peer.py)."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from controller.bus.link import BusLink
from controller.bus.scheduler import BusScheduler
from controller.bus.timing import BusTiming
from controller.policy.decision import Command
from controller.service.dispatcher import Dispatcher, Trigger
from controller.service.registry import Registry
from controller.site import load_site
from protocols import events as E

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "controller" / "bus"))
from bus_peer import Peer  # noqa: E402

SITE = ROOT / "tests" / "integration" / "small-campus.toml"


class Listener:
    def device_online(self, bus, device): ...
    def device_offline(self, bus, device, reason): ...
    def bus_state(self, bus, up, reason): ...


async def test_frame_is_queued_at_once_and_sent_is_logged_before_confirmed():
    site = load_site(SITE)
    registry = Registry(site, lambda view, changes: None, lambda name: None)
    gate = registry.devices["main-gate-barrier"]
    gate.view = dataclasses.replace(gate.view, state="locked")  # already where it is told to be
    peer = Peer(units=(1, 2, 3))
    await peer.start()
    link = BusLink("gate-bus", peer.url, 115200, timing=BusTiming(115200, turnaround_s=0.05))
    scheduler = BusScheduler(link, [], Listener())
    logged: list[tuple[str, str | None]] = []
    dispatcher = Dispatcher(registry, {"gate-bus": scheduler},
                            lambda kind, message, **kw: logged.append((kind, kw.get("device"))))
    await scheduler.start()
    try:
        task = dispatcher.execute(Command(("main-gate-barrier",), "lock", "test"),
                                  Trigger("guard.lockdown", time.monotonic(), ""))
        assert scheduler.queued == 1, "the frame is in the life-safety lane before execute returns"
        await task
        assert peer.register(1, 100) == 4, "the lock command reached the gate (command register)"
        kinds = [kind for kind, device in logged if device == "main-gate-barrier"]
        assert kinds == [E.COMMAND_SENT, E.COMMAND_CONFIRMED], logged
    finally:
        await scheduler.close()
        await peer.stop()
