"""Remote inspection figures (网上巡查) per campus for a term, from the stored events, in the
SQLite (one-machine) and the PostgreSQL store alike."""

import pytest

from district.store import PostgresStore, SqliteStore


def _event(campus: str, n: int, kind: str, ts: str, drill: str | None = None) -> dict:
    return {"id": f"{campus}-{n}", "campus_id": campus, "kind": kind, "ts": ts,
            "data": {"kind": drill} if drill else {}}


EVENTS = [
    _event("hill", 1, "drill.start", "2026-09-10T02:00:00.000Z", drill="fire"),
    _event("hill", 2, "drill.start", "2026-10-10T02:00:00.000Z", drill="fire"),
    _event("hill", 3, "drill.start", "2026-11-10T02:00:00.000Z", drill="lockdown"),
    _event("hill", 4, "drill.start", "2026-06-10T02:00:00.000Z", drill="fire"),  # last term
    _event("hill", 5, "panic.alarm", "2026-11-11T02:00:00.000Z"),
    _event("hill", 6, "trouble.offline", "2026-11-12T02:00:00.000Z"),
    _event("hill", 7, "trouble.restore", "2026-11-12T02:05:00.000Z"),
    _event("river", 1, "device.state", "2026-11-12T02:05:00.000Z"),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        store = SqliteStore(tmp_path / "district.db")
    else:
        store = PostgresStore(request.getfixturevalue("database"))
    yield store
    store.close()


def test_term_figures_per_campus(store):
    store.campus_seen("quiet", "2026-11-12T00:00:00.000Z", online=False)
    assert len(store.add_events(EVENTS)) == len(EVENTS)
    assert store.add_events(EVENTS[:2]) == []  # the same ids again: nothing new
    figures = {f["campus_id"]: f for f in store.inspection("2026-09-01T00:00:00.000Z")}
    assert figures["hill"] | {"name": None} == {
        "campus_id": "hill", "name": None, "drills": {"fire": 2, "lockdown": 1}, "alarms": 1,
        "troubles": 1, "events": 6}
    assert figures["river"]["events"] == 1 and figures["river"]["drills"] == {}
    assert figures["quiet"]["events"] == 0  # a campus that sent nothing this term is listed
