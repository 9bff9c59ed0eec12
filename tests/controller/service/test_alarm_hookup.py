"""Policy alarm reports from the host reach a real alarm receiver (pysiaalarm) over SIA DC-09."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from controller.service.control_client import request
from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "alarm"))
from pysia_receiver import PysiaReceiver  # noqa: E402  (the alarm helper's real receiver)

SMALL_SITE = HERE.parents[1] / "integration" / "small-campus.toml"


async def test_guard_lockdown_is_reported_to_the_receiving_centre(tmp_path):
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
""")
    site = load_site(site_file)
    ports = {b.name: BusPort(b.name, str(tmp_path / "unplugged"), b.baud, b.parity, b.stopbits)
             for b in site.buses}
    paths = StatePaths(tmp_path / "state")
    host = Host(site, paths, ports)
    await host.start()
    try:
        reply = await asyncio.to_thread(request, paths.control_socket,
                                        {"verb": "lockdown", "user": "zhang.wei", "reason": "test"})
        assert reply["ok"]
        for _ in range(100):
            if receiver.events:
                break
            await asyncio.sleep(0.05)
        assert receiver.events, "the lockdown report reached the receiver"
        assert receiver.events[0].account == "1234"
        assert host.status()["alarm"] is not None
    finally:
        await host.stop()
        await receiver.stop()
