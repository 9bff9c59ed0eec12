"""Nothing acknowledged is lost (issue 11 item 3), in one host process: the event store's disk
fills up (a real tmpfs), a guard's actions are in force but answered "not written", trouble goes
out on every channel that needs no disk (status, siren relay, report to a real pysiaalarm
receiver), and everything kept in memory is written once space is freed."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory
from small_filesystem import DiskFull

from controller.local_io.config import load_local_io
from controller.local_io.guard_room import GuardRoomIo
from controller.service.control_client import request
from controller.service.host import Host, trigger_now
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from protocols import events as E

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "alarm"))
from pysia_receiver import PysiaReceiver  # noqa: E402

SMALL_SITE = HERE.parents[1] / "integration" / "small-campus.toml"
pytestmark = pytest.mark.timeout(60)


async def wait_for(predicate, timeout_s: float, what: str):
    for _ in range(int(timeout_s / 0.05)):
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


async def test_disk_full_actions_in_force_not_ok_trouble_everywhere_then_all_written(tmp_path):
    disk = DiskFull(tmp_path / "disk", 4 * 1024 * 1024)
    if not disk.mounted:
        disk.close()
        pytest.skip("in one process this test needs a tmpfs (root with mount permission); "
                    "tests/integration/test_durability_on_sim.py covers RLIMIT_FSIZE")
    receiver = PysiaReceiver("tcp", {"1234": None})
    port = await receiver.start()
    site_file = tmp_path / "site.toml"
    site_file.write_text(SMALL_SITE.read_text() + f"""
[alarm]
[[alarm.receivers]]
host = "127.0.0.1"
port = {port}
protocol = "tcp"
account = "1234"

[local_io]
siren_relay_pin = 22
""")
    site = load_site(site_file)
    factory = MockFactory()

    def local_io(host):
        config = load_local_io(host.site.local_io, host.site.zone_names(), str(host.site.path))
        return GuardRoomIo(config, lambda event: host.decide(event, trigger_now("local_io")),
                           asyncio.get_running_loop(), pin_factory=factory)

    # events.db (and its WAL) on the small disk; the alarm outbox stays on the big one
    state = tmp_path / "state"
    state.mkdir()
    (state / "events.db").symlink_to(disk.state_dir / "events.db")
    ports = {b.name: BusPort(b.name, str(tmp_path / "unplugged"), b.baud, b.parity, b.stopbits)
             for b in site.buses}
    paths = StatePaths(state)
    host = Host(site, paths, ports, local_io_factory=local_io)
    await host.start()
    try:
        await host.flush()
        assert (disk.state_dir / "events.db-wal").exists(), "the store is on the small disk"
        assert factory.pin(22).state == 0
        disk.fill()

        ack = await asyncio.to_thread(request, paths.control_socket,
                                      {"verb": "ack", "user": "li.na", "reason": "seen"})
        assert ack["ok"] is False and "not written" in ack["error"].lower(), ack
        assert "disk full" in ack["error"] and "Fix: free space" in ack["error"], ack
        store = host.status()["store"]
        assert store["state"] == "failing" and store["since"] and store["pending"] > 0, store
        assert "free space" in store["fix"], store
        assert host.state.mode == "normal" and factory.pin(22).state == 1, \
            "the siren relay sounds for a failing store alone"

        reply = await asyncio.to_thread(request, paths.control_socket,
                                        {"verb": "lockdown", "user": "li.na", "reason": "intruder"})
        assert reply["ok"] is False and reply["mode"] == "lockdown", reply
        assert "in force" in reply["error"] and "not written" in reply["error"].lower(), reply
        assert host.state.mode == "lockdown", "the lockdown stays in force in memory"
        over_socket = await asyncio.to_thread(request, paths.control_socket, {"verb": "status"})
        assert over_socket["status"]["store"]["state"] == "failing"
        assert over_socket["status"]["mode"] == "lockdown"

        def trouble_reported():
            return [e for e in receiver.events
                    if e.event_qualifier + e.event_type == "1380"]
        await wait_for(trouble_reported, 20, "the store trouble report at the receiver")
        assert host.status()["store"]["alarm_outbox_error"] == ""

        disk.free()
        await wait_for(lambda: host.status()["store"]["state"] == "ok", 15,
                       "the writer's retry after space was freed")
        await host.flush()
        assert factory.pin(22).state == 1, "siren stays on: the lockdown is in force"
        kinds = [(e.kind, e.device) for e in host.store.query()]
        assert (E.LOCKDOWN_SET, None) in kinds, "the lockdown kept in memory was written"
        assert (E.OPERATOR_ACTION, None) in kinds
        assert (E.TROUBLE_FAULT, "event-store") in kinds
        assert (E.TROUBLE_RESTORE, "event-store") in kinds
        fault = host.store.query(kind=E.TROUBLE_FAULT, device="event-store")[0]
        assert "disk full" in fault.message
    finally:
        await host.stop()
        await receiver.stop()
        disk.close()
