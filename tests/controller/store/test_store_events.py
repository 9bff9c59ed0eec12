"""The event store: what is appended comes back, filtered by time, kind (or family), device and
zone; timestamps are UTC with milliseconds; the database is in WAL mode with synchronous=FULL."""

import asyncio
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from controller.store import AsyncEventStore, EventStore, EventStoreError, format_ts
from protocols import events as ev

T0 = datetime(2026, 11, 22, 8, 0, 0, 123456, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    with EventStore(tmp_path / "events.sqlite") as opened:
        yield opened


def _fill(store):
    store.append(ev.PANIC_ALARM, "panic at k", device="kindergarten-panic", zone="kindergarten",
                 ts=T0, data={"press_count": 3})
    store.append(ev.LOCKDOWN_SET, "lockdown", ts=T0 + timedelta(milliseconds=5),
                 data={"latency_ms": 41.5})
    store.append(ev.PANIC_ACK, "ack", device="kindergarten-panic", zone="kindergarten",
                 ts=T0 + timedelta(seconds=1))
    store.append(ev.OPERATOR_ACTION, "clear asked", user="li.na", role="guard",
                 reason="checked", ts=T0 + timedelta(seconds=60))
    store.append(ev.DRILL_START, "fire drill", drill=True, ts=T0 + timedelta(hours=1))


def test_append_returns_increasing_ids_and_records_come_back_whole(store):
    first = store.append(ev.SERVICE_START, "host up", ts=T0)
    second = store.append(ev.OPERATOR_ACTION, "lockdown ordered", device=None, zone="admin",
                          user="li.na", role="guard", reason="intruder", drill=False,
                          data={"scope": "campus", "n": 2}, ts=T0)
    assert second > first
    record = store.query(after_id=first)[0]
    assert (record.id, record.kind, record.message, record.zone, record.user, record.role,
            record.reason, record.drill) == (second, ev.OPERATOR_ACTION, "lockdown ordered",
                                             "admin", "li.na", "guard", "intruder", False)
    assert dict(record.data) == {"scope": "campus", "n": 2}
    assert record.ts == T0.replace(microsecond=123000)  # millisecond resolution
    assert record.to_dict()["ts"] == "2026-11-22T08:00:00.123Z"


def test_default_timestamp_is_the_real_time_clock_in_utc(store):
    before = datetime.now(timezone.utc)
    store.append(ev.SERVICE_START, "up")
    record = store.query()[0]
    assert record.ts.tzinfo is not None
    assert before - timedelta(milliseconds=1) <= record.ts <= datetime.now(timezone.utc)


def test_query_by_kind_family_device_zone_time_and_drill(store):
    _fill(store)
    assert [r.kind for r in store.query(kind="panic")] == [ev.PANIC_ALARM, ev.PANIC_ACK]
    assert [r.kind for r in store.query(kind=ev.PANIC_ACK)] == [ev.PANIC_ACK]
    assert len(store.query(device="kindergarten-panic")) == 2
    assert len(store.query(zone="kindergarten")) == 2
    window = store.query(since=T0 + timedelta(milliseconds=1), until=T0 + timedelta(seconds=60))
    assert [r.kind for r in window] == [ev.LOCKDOWN_SET, ev.PANIC_ACK]
    assert [r.kind for r in store.query(since="2026-11-22T08:30:00Z")] == [ev.DRILL_START]
    assert [r.kind for r in store.query(drill=True)] == [ev.DRILL_START]
    assert len(store.query(kind="panic", zone="admin")) == 0


def test_limit_keeps_the_newest_matches_in_time_order(store):
    _fill(store)
    assert [r.kind for r in store.query(limit=2)] == [ev.OPERATOR_ACTION, ev.DRILL_START]
    assert store.query(limit=0) == []
    with pytest.raises(ValueError):
        store.query(limit=-1)


def test_policy_state_is_saved_replaced_and_loaded(tmp_path):
    path = tmp_path / "events.sqlite"
    with EventStore(path) as store:
        assert store.load_policy_state() is None
        store.save_policy_state('{"a": 1}')
        store.save_policy_state('{"a": 2}')
    with EventStore(path) as store:
        assert store.load_policy_state() == '{"a": 2}'


def test_database_is_wal_with_synchronous_full(tmp_path):
    path = tmp_path / "events.sqlite"
    with EventStore(path) as store:
        store.append(ev.SERVICE_START, "up")
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_unwritable_location_is_a_typed_error_with_a_fix(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    with pytest.raises(EventStoreError, match="Fix:"):
        EventStore(blocker / "events.sqlite")


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="no timezone"):
        format_ts(datetime(2026, 1, 1))


async def test_async_wrapper_appends_from_the_event_loop(tmp_path):
    store = AsyncEventStore(tmp_path / "events.sqlite")
    ids = await asyncio.gather(*(store.append(ev.DEVICE_STATE, f"s{i}", device="g")
                                 for i in range(20)))
    assert len(set(ids)) == 20
    assert len(await store.query(device="g")) == 20
    await store.save_policy_state("{}")
    assert await store.load_policy_state() == "{}"
    await store.close()
