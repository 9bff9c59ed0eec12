"""An armed perimeter zone tripped at night reaches a real alarm receiver (pysiaalarm) as a
burglary: Contact ID 130 / SIA BA (issue 15 "Done when"). Real intrusion firmware under MicroPython
on a timed RS-485 bus, the host in process, the receiver on loopback. The zones are armed by the
site's night schedule (its window covers the whole day in this test site)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import sim_ports
from controller.site import load_site
from protocols import events as E
from sim import Campus

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "controller" / "alarm"))
from pysia_receiver import PysiaReceiver  # noqa: E402  (the real receiver of the alarm tests)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


async def _until(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def _device(host: Host, name: str) -> dict:
    return next(d for d in host.status()["devices"] if d["name"] == name)


async def test_armed_perimeter_zone_tripped_reaches_the_receiver_as_burglary(tmp_path):
    receiver = PysiaReceiver("tcp", {"1234": None})
    port = await receiver.start()
    site_file = tmp_path / "site.toml"
    site_file.write_text((HERE / "intrusion-campus.toml").read_text() + f"""
[alarm]
[[alarm.receivers]]
host = "127.0.0.1"
port = {port}
protocol = "tcp"
account = "1234"
""")
    site = load_site(site_file)
    try:
        async with Campus.start(site_file, tmp_path / "sim") as campus:
            paths = StatePaths(tmp_path / "state")
            host = Host(site, paths, sim_ports(site, tmp_path / "sim"))
            await host.start()
            try:
                await _until(lambda: _device(host, "north-fence")["state"] == "armed", 30,
                             "the night schedule to arm the north fence")
                await campus.inject("intrusion", "north-fence:2", "on")
                await _until(lambda: _device(host, "north-fence")["state"] == "alarm", 15,
                             "the burglary alarm at the host")
                events = await _until(lambda: [e for e in receiver.events if e.code == "BA"], 20,
                                      "a burglary report at the receiver")
                assert events[0].account == "1234"
                assert int(events[0].ri) == 2, "zone 2 = perimeter, the site's second zone"
                await campus.inject("intrusion", "north-fence:2", "off")
                await asyncio.sleep(1.0)
                assert _device(host, "north-fence")["state"] == "alarm", "never auto-cleared"
                assert _device(host, "south-fence")["state"] == "armed"
                logged = host.store.query(kind=E.INTRUSION_ALARM)
                assert logged and logged[0].device == "north-fence"
            finally:
                await host.stop()
    finally:
        await receiver.stop()
