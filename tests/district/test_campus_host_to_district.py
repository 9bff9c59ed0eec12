"""The campus host with [uplink] and two receiver groups: a guard's lockdown reaches the police
and the education receivers (real pysiaalarm) and the district (real Mosquitto, real
PostgreSQL), with the campus's mode in its retained state."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import pytest
from test_uplink_district_flow import until

from controller.service.control_client import request
from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from district.store import PostgresStore
from district.subscriber import DistrictSubscriber

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "controller" / "alarm"))
from pysia_receiver import PysiaReceiver  # noqa: E402  (the real DC-09 receiver of the tests)

SMALL_SITE = HERE.parents[0] / "integration" / "small-campus.toml"
pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


async def test_lockdown_reaches_both_receiver_groups_and_the_district(broker, database, tmp_path):
    police = PysiaReceiver("tcp", {"1234": None})
    education = PysiaReceiver("tcp", {"5678": None})
    site_file = tmp_path / "site.toml"
    site_file.write_text(SMALL_SITE.read_text() + f"""
[alarm]
[[alarm.receivers]]
host = "127.0.0.1"
port = {await police.start()}
account = "1234"

[[alarm.receivers]]
host = "127.0.0.1"
port = {await education.start()}
account = "5678"
group = "education"

[uplink]
broker = "{broker.url}"
campus_id = "small-campus"
keepalive_s = 5
""")
    site = load_site(site_file)
    store = PostgresStore(database)
    district = DistrictSubscriber(broker.url, store, client_id=f"district-{uuid.uuid4().hex[:8]}")
    district.start()
    ports = {b.name: BusPort(b.name, str(tmp_path / "unplugged"), b.baud, b.parity, b.stopbits)
             for b in site.buses}
    paths = StatePaths(tmp_path / "state")
    host = Host(site, paths, ports)
    await host.start()
    try:
        reply = await asyncio.to_thread(request, paths.control_socket,
                                        {"verb": "lockdown", "user": "zhang.wei",
                                         "reason": "district test"})
        assert reply["ok"]
        # Contact ID 3401 / SIA CL: closing (lockdown) by a user; the unplugged buses also
        # report troubles, which both groups get as well
        for receiver in (police, education):
            await until(lambda r=receiver: any(e.code == "CL" for e in r.events), 60,
                        "the lockdown report at the receiver")
        assert [e.code for e in police.events] == [e.code for e in education.events]

        def lockdown_at_district():
            return [e for e in store.events(campus="small-campus", alarms_only=True)
                    if e["kind"] == "lockdown.set"]

        alarms = await until(lockdown_at_district, 60, "the lockdown at the district")
        assert alarms[0]["ts"] and alarms[0]["message"] and alarms[0]["campus_id"] == "small-campus"
        await until(lambda: [c for c in store.campuses() if c["mode"] == "lockdown"], 60,
                    "the campus shown in lockdown")
        campus = next(c for c in store.campuses() if c["campus_id"] == "small-campus")
        assert campus["online"] and campus["name"] == site.name
        assert campus["state"]["alarm_groups"] == {"police": "up", "education": "up"}
        status = host.status()["uplink"]
        assert status["connected"] and status["campus_id"] == "small-campus"
    finally:
        await host.stop()
        await police.stop()
        await education.stop()
        district.stop()
        store.close()
    # the host said goodbye: offline at the district (retained "offline" on a clean stop)
    check = PostgresStore(database)
    try:
        await until(lambda: [c for c in check.campuses()
                             if c["campus_id"] == "small-campus" and c["online"] is False], 30,
                    "offline after stop")
    finally:
        check.close()
