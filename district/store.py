"""The district store: every campus's events (de-duplicated by event id) and its last known state.

PostgreSQL (`postgresql://...`) is the store for years of events from hundreds of campuses;
SQLite (`sqlite:///PATH`) serves a one-machine demo. Same tables, same answers:

    events   (id PRIMARY KEY, campus_id, kind, ts, alarm, stored_at, body JSON)
    campuses (campus_id PRIMARY KEY, name, online, mode, last_seen, state JSON)

Timestamps are UTC ISO 8601 text with milliseconds and a Z ("2026-11-27T14:05:00.123Z"): they
sort as text, in both databases. One store object is used by one thread at a time (the
subscriber's writer thread owns one, the web API another).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_TABLES = """
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    campus_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts TEXT NOT NULL,
    alarm BOOLEAN NOT NULL,
    stored_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE INDEX IF NOT EXISTS events_campus_ts ON events (campus_id, ts);
CREATE TABLE IF NOT EXISTS campuses (
    campus_id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    online BOOLEAN NOT NULL DEFAULT FALSE,
    mode TEXT NOT NULL DEFAULT 'unknown',
    last_seen TEXT,
    state TEXT NOT NULL DEFAULT '{}'
);
"""


class DistrictStoreError(Exception):
    """The database is unusable; the message names it and the fix."""


def now_iso() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def open_store(url: str) -> DistrictStore:
    if url.startswith("sqlite:///"):
        return SqliteStore(Path(url[len("sqlite:///"):]))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    raise DistrictStoreError(f"database = {url!r}: write \"postgresql://USER@HOST/DB\" or "
                             "\"sqlite:///PATH\" (one-machine demo).")


class DistrictStore:
    """Shared SQL; subclasses give the connection and the placeholders."""

    mark = "?"

    def _exec(self, sql: str, args: tuple = ()) -> list[tuple]:
        raise NotImplementedError

    def add_events(self, events: Iterable[dict[str, Any]]) -> list[str]:
        """Store events not stored yet; returns the ids that were new (in order)."""
        raise NotImplementedError

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction (one commit, one fsync) for everything done inside."""
        raise NotImplementedError
        yield

    def _q(self, sql: str) -> str:
        return sql.replace("?", self.mark)

    def campus_seen(self, campus_id: str, when: str, *, online: bool | None = None,
                    state: dict[str, Any] | None = None) -> None:
        self._exec(self._q("INSERT INTO campuses (campus_id) VALUES (?) ON CONFLICT (campus_id) "
                           "DO NOTHING"), (campus_id,))
        sets, args = [], []
        if online is not None:
            sets.append("online = ?")
            args.append(online)
        if online is not False:
            sets.append("last_seen = ?")
            args.append(when)
        if state is not None:
            sets += ["state = ?", "mode = ?", "name = ?"]
            args += [json.dumps(state, default=str), str(state.get("mode", "unknown")),
                     str(state.get("name") or campus_id)]
        if sets:
            self._exec(self._q(f"UPDATE campuses SET {', '.join(sets)} WHERE campus_id = ?"),
                       (*args, campus_id))

    def touch(self, campus_ids: list[str], when: str) -> None:
        """Campuses heard from at `when` (one statement for a whole batch)."""
        if campus_ids:
            self._touch(sorted(set(campus_ids)), when)

    def _touch(self, campus_ids: list[str], when: str) -> None:
        raise NotImplementedError

    def campuses(self) -> list[dict[str, Any]]:
        rows = self._exec("SELECT campus_id, name, online, mode, last_seen, state FROM campuses "
                          "ORDER BY campus_id")
        return [{"campus_id": r[0], "name": r[1] or r[0], "online": bool(r[2]), "mode": r[3],
                 "last_seen": r[4], "state": json.loads(r[5] or "{}")} for r in rows]

    def events(self, *, campus: str | None = None, kind: str | None = None,
               since: str | None = None, alarms_only: bool = False,
               limit: int = 500) -> list[dict[str, Any]]:
        """Newest first. kind: exact ("panic.alarm") or a family ("panic")."""
        where, args = [], []
        if campus:
            where.append("campus_id = ?")
            args.append(campus)
        if kind:
            if "." in kind:
                where.append("kind = ?")
                args.append(kind)
            else:
                where.append("kind LIKE ?")
                args.append(kind + ".%")
        if since:
            where.append("ts >= ?")
            args.append(since)
        if alarms_only:
            where.append("alarm")
        sql = "SELECT body, stored_at FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY ts DESC, id DESC LIMIT {int(limit)}"
        return [{**json.loads(b), "stored_at": s} for b, s in self._exec(self._q(sql),
                                                                             tuple(args))]

    def inspection(self, since: str) -> list[dict[str, Any]]:
        """Remote inspection (网上巡查) figures of every campus since `since` (the term's start):
        drills held by kind (drill.start), alarms, troubles (trouble.* except restores), and
        the events stored. From the stored events; a campus with none is listed with zeros."""
        figures: dict[str, dict[str, Any]] = {
            c["campus_id"]: {"campus_id": c["campus_id"], "name": c["name"], "drills": {},
                             "alarms": 0, "troubles": 0, "events": 0}
            for c in self.campuses()}
        rows = self._exec(self._q("SELECT campus_id, kind, alarm, COUNT(*) FROM events "
                                  "WHERE ts >= ? GROUP BY campus_id, kind, alarm"), (since,))
        for campus, kind, alarm, count in rows:
            entry = figures.setdefault(campus, {"campus_id": campus, "name": campus,
                                                "drills": {}, "alarms": 0, "troubles": 0,
                                                "events": 0})
            entry["events"] += int(count)
            if alarm:
                entry["alarms"] += int(count)
            if kind.startswith("trouble.") and kind != "trouble.restore":
                entry["troubles"] += int(count)
        drills = self._exec(self._q("SELECT campus_id, body FROM events WHERE kind = ? AND "
                                    "ts >= ?"), ("drill.start", since))
        for campus, body in drills:
            kind = str((json.loads(body).get("data") or {}).get("kind") or "unknown")
            counts = figures[campus]["drills"]
            counts[kind] = counts.get(kind, 0) + 1
        return [figures[c] for c in sorted(figures)]

    def count_events(self) -> int:
        return int(self._exec("SELECT COUNT(*) FROM events")[0][0])

    def close(self) -> None:
        raise NotImplementedError


def _event_row(event: dict[str, Any], stored_at: str) -> tuple:
    from controller.uplink.topics import is_alarm

    kind = str(event.get("kind", ""))
    return (str(event["id"]), str(event["campus_id"]), kind, str(event.get("ts", "")),
            is_alarm(kind), stored_at, json.dumps(event, default=str))


class SqliteStore(DistrictStore):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_TABLES)

    def _exec(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self._db.execute(sql, args).fetchall()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def add_events(self, events: Iterable[dict[str, Any]]) -> list[str]:
        stored_at = now_iso()
        new = []
        for event in events:
            cur = self._db.execute("INSERT OR IGNORE INTO events VALUES (?,?,?,?,?,?,?)",
                                   _event_row(event, stored_at))
            if cur.rowcount:
                new.append(str(event["id"]))
        return new

    def _touch(self, campus_ids: list[str], when: str) -> None:
        self._db.executemany(
            "INSERT INTO campuses (campus_id, last_seen) VALUES (?, ?) ON CONFLICT (campus_id) "
            "DO UPDATE SET last_seen = excluded.last_seen", [(c, when) for c in campus_ids])

    def close(self) -> None:
        self._db.close()


class PostgresStore(DistrictStore):
    mark = "%s"

    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as error:
            raise DistrictStoreError(
                f"cannot connect to the district database {url}: {str(error).strip()}. Fix: "
                "start PostgreSQL and create the database (docs/DISTRICT.md), or check the "
                "user, host and port in `database`.") from None
        for statement in filter(None, (s.strip() for s in _TABLES.split(";"))):
            self._db.execute(statement)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        with self._db.transaction():
            yield

    def _exec(self, sql: str, args: tuple = ()) -> list[tuple]:
        cur = self._db.execute(sql, args)
        return cur.fetchall() if cur.description else []

    def add_events(self, events: Iterable[dict[str, Any]]) -> list[str]:
        rows = [_event_row(e, now_iso()) for e in events]
        if not rows:
            return []
        columns = list(zip(*rows, strict=True))
        cur = self._db.execute(
            "INSERT INTO events (id, campus_id, kind, ts, alarm, stored_at, body) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::boolean[], %s::text[], %s::text[]) ON CONFLICT (id) DO NOTHING RETURNING id",
            [list(c) for c in columns])
        return [r[0] for r in cur.fetchall()]

    def _touch(self, campus_ids: list[str], when: str) -> None:
        self._db.execute(
            "INSERT INTO campuses (campus_id, last_seen) SELECT c, %s FROM unnest(%s::text[]) "
            "AS c ON CONFLICT (campus_id) DO UPDATE SET last_seen = excluded.last_seen",
            (when, campus_ids))

    def close(self) -> None:
        self._db.close()
