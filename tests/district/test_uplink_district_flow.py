"""Campus uplink -> real Mosquitto -> district subscriber -> real PostgreSQL.

An event arrives once; a broker stopped and restarted loses nothing and stores nothing twice;
events published while the district is down are stored when it returns."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from controller.store import EventStore
from controller.uplink.config import UplinkConfig
from controller.uplink.service import Uplink
from district.store import PostgresStore
from district.subscriber import DistrictSubscriber

pytestmark = pytest.mark.timeout(180)


async def until(predicate, timeout_s: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")


def stored_ids(url: str) -> list[str]:
    store = PostgresStore(url)
    try:
        return [r[0] for r in store._exec("SELECT id FROM events ORDER BY id")]
    finally:
        store.close()


class Campus:
    """A host's event store and its uplink, in this process."""

    def __init__(self, broker_url: str, campus_id: str, state_dir) -> None:
        self.store = EventStore(state_dir / "events.db")
        self.uplink = Uplink(UplinkConfig(broker=broker_url, campus_id=campus_id, keepalive_s=5),
                             state_dir, events_db=state_dir / "events.db",
                             status=lambda: {"site": campus_id, "mode": self.mode,
                                             "zones": {}, "devices": []},
                             name=f"School {campus_id}")
        self.mode = "normal"

    def log(self, kind: str, n: int = 1) -> list[int]:
        return [self.store.append(kind, f"{kind} #{i}", device="panic-1", zone="main")
                for i in range(n)]

    async def close(self) -> None:
        await self.uplink.stop()
        self.store.close()


@pytest.fixture
async def district(broker, database):
    store = PostgresStore(database)
    # a new client id: a persistent session of an earlier test must not feed this database
    sub = DistrictSubscriber(broker.url, store, client_id=f"district-{uuid.uuid4().hex[:8]}")
    sub.start()
    await until(lambda: sub.connected, 30, "the district to connect")
    yield sub, database
    sub.stop()
    store.close()


async def test_an_event_arrives_once_with_its_campus_state(broker, district, tmp_path):
    sub, url = district
    campus = Campus(broker.url, "sunrise-primary", tmp_path)
    await campus.uplink.start()
    try:
        campus.log("panic.alarm")
        campus.log("device.state", 3)
        await until(lambda: len(stored_ids(url)) == 4, what="4 events stored")
        store = PostgresStore(url)
        try:
            alarms = store.events(alarms_only=True)
            assert [e["kind"] for e in alarms] == ["panic.alarm"]
            assert alarms[0]["campus_id"] == "sunrise-primary" and alarms[0]["zone"] == "main"
            campus.mode = "lockdown"

            def row_of_campus():
                # the broker also replays other campuses' retained state (earlier tests)
                rows = [c for c in store.campuses() if c["campus_id"] == "sunrise-primary"]
                return rows[0] if rows and rows[0]["mode"] == "lockdown" else None

            row = await until(row_of_campus, what="the retained state to show lockdown")
            assert row["online"] is True and row["name"] == "School sunrise-primary"
            assert row["last_seen"]
        finally:
            store.close()
        assert campus.uplink.status()["pending"] == 0
        await asyncio.sleep(1.0)  # nothing more arrives: once, not twice
        assert len(stored_ids(url)) == 4
    finally:
        await campus.close()


async def test_broker_stop_and_restart_loses_nothing_stores_nothing_twice(broker, district,
                                                                          tmp_path):
    sub, url = district
    campus = Campus(broker.url, "hill-middle", tmp_path)
    await campus.uplink.start()
    try:
        campus.log("device.state", 5)
        await until(lambda: len(stored_ids(url)) == 5, what="the first 5 events")
        broker.stop()
        campus.log("panic.alarm")
        campus.log("device.state", 20)
        await until(lambda: campus.uplink.outbox.pending() == 21, what="21 events in the outbox")
        assert campus.uplink.status()["connected"] is False
        assert len(stored_ids(url)) == 5
        broker.restart()
        await until(lambda: len(stored_ids(url)) == 26, 90, "all 26 events after the restart")
        await until(lambda: campus.uplink.outbox.pending() == 0, what="the outbox to empty")
        ids = stored_ids(url)
        assert len(ids) == len(set(ids)) == 26
        assert sub.rejected == 0
    finally:
        await campus.close()


async def test_resent_events_are_stored_once(broker, district, tmp_path):
    """The same outbox rows published again (a lost PUBACK, a restarted host) are the same ids."""
    sub, url = district
    campus = Campus(broker.url, "river-high", tmp_path)
    campus.log("panic.alarm", 3)
    await campus.uplink.start()
    try:
        await until(lambda: len(stored_ids(url)) == 3, what="3 events")
        await campus.uplink.stop()
        # A host that lost its outbox (and cursor) publishes its whole log again:
        (tmp_path / "uplink.db").unlink()
        campus.uplink = Uplink(campus.uplink.config, tmp_path, events_db=tmp_path / "events.db")
        await campus.uplink.start()
        await until(lambda: sub.duplicates >= 3, what="the resent events at the district")
        assert len(stored_ids(url)) == 3
    finally:
        await campus.close()
