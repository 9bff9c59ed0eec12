"""A district-wide advisory reaches each campus only as advice: a campus whose policy accepts it
locks down (logged at the campus and, through its uplink, at the district); a campus whose policy
does not, refuses and says why; a repeated advisory (QoS 1) is acted on once."""

from __future__ import annotations

import json
import uuid

import pytest
from test_uplink_district_flow import until

from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from district.store import PostgresStore
from district.subscriber import DistrictSubscriber

SMALL_SITE = __import__("pathlib").Path(__file__).resolve().parents[1] / "integration" / \
    "small-campus.toml"
pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


async def _host(tmp_path, broker, campus_id: str, accept: str) -> Host:
    site_file = tmp_path / f"{campus_id}.toml"
    site_file.write_text(SMALL_SITE.read_text() + f"""
[uplink]
broker = "{broker.url}"
campus_id = "{campus_id}"
accept_advisory = {accept}
""")
    site = load_site(site_file)
    # each campus its own (unplugged) ports: a port is held by one host only
    ports = {b.name: BusPort(b.name, str(tmp_path / f"unplugged-{campus_id}-{b.name}"), b.baud,
                             b.parity, b.stopbits) for b in site.buses}
    host = Host(site, StatePaths(tmp_path / campus_id), ports)
    await host.start()
    return host


async def test_advisory_followed_where_accepted_refused_elsewhere(broker, database, tmp_path):
    store = PostgresStore(database)
    district = DistrictSubscriber(broker.url, store, client_id=f"district-{uuid.uuid4().hex[:8]}")
    district.start()
    willing = await _host(tmp_path, broker, "willing-school", '["lockdown"]')
    own_way = await _host(tmp_path, broker, "own-way-school", "[]")
    try:
        await until(lambda: willing.uplink.publisher.connected and
                    own_way.uplink.publisher.connected and district.connected, 60, "links")
        advisory = {"id": uuid.uuid4().hex, "action": "lockdown", "zone": None,
                    "reason": "armed person reported in the area", "by": "wang.fang",
                    "role": "supervisor"}
        for campus in ("willing-school", "own-way-school"):
            district.publish_advisory(campus, advisory)
            district.publish_advisory(campus, advisory)  # delivered twice: acted on once
        await until(lambda: willing.state.mode == "lockdown", 60, "the willing campus locked")

        def at_district(campus: str, kind: str):
            return [e for e in store.events(campus=campus, kind=kind)
                    if advisory["id"] in json.dumps(e) or kind == "lockdown.set"
                    or (kind == "operator.action" and "district" in json.dumps(e["data"]))]

        actions = await until(lambda: at_district("willing-school", "operator.action"), 60,
                              "the campus's record of the advisory at the district")
        assert len(actions) == 1 and actions[0]["user"] == "wang.fang"
        assert actions[0]["data"]["method"] == "district"
        assert advisory["id"] in actions[0]["data"]["origin"]
        await until(lambda: at_district("willing-school", "lockdown.set"), 60,
                    "the lockdown at the district")
        refused = await until(lambda: at_district("own-way-school", "policy.decision"), 60,
                              "the refusal at the district")
        assert len(refused) == 1 and "NOT followed" in refused[0]["message"]
        assert own_way.state.mode == "normal"
    finally:
        await willing.stop()
        await own_way.stop()
        district.stop()
        store.close()
