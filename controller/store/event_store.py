"""The event store: one SQLite file in the state dir, WAL mode, synchronous=FULL.

Nothing is lost: append() returns only after the row is committed and the WAL is synced, so an
event whose append() returned survives kill -9 of the host (and a power cut, as far as the disk
honours fsync). One connection guarded by a lock: calls are short (one indexed insert or query),
so asyncio code may call them directly or through AsyncEventStore.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from controller.store.record import EventRecord, format_ts, parse_ts

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    ts      TEXT    NOT NULL,            -- UTC ISO 8601 with ms, sorts in time order
    kind    TEXT    NOT NULL,
    family  TEXT    NOT NULL,            -- "panic" for "panic.alarm": --kind panic
    device  TEXT,
    zone    TEXT,
    user    TEXT,
    role    TEXT,
    reason  TEXT,
    drill   INTEGER NOT NULL DEFAULT 0,
    message TEXT    NOT NULL DEFAULT '',
    data    TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE INDEX IF NOT EXISTS events_kind ON events(kind);
CREATE INDEX IF NOT EXISTS events_family ON events(family);
CREATE INDEX IF NOT EXISTS events_device ON events(device);
CREATE INDEX IF NOT EXISTS events_zone ON events(zone);
CREATE TABLE IF NOT EXISTS policy_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    saved_at TEXT NOT NULL,
    json     TEXT NOT NULL
);
"""


class EventStoreError(RuntimeError):
    """The event store cannot be opened or written."""


class EventStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: autocommit; each append is its own committed transaction.
            self._db = sqlite3.connect(str(self.path), isolation_level=None,
                                       check_same_thread=False, timeout=10.0)
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise EventStoreError(
                    f"{self.path}: SQLite refused WAL mode (got {mode!r}). Fix: put the state "
                    f"dir on a local filesystem (WAL does not work on network filesystems)")
            self._db.execute("PRAGMA synchronous=FULL")  # fsync the WAL on every commit
            self._db.executescript(_SCHEMA)
            if self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (sqlite3.Error, OSError) as exc:
            raise EventStoreError(
                f"cannot open the event store {self.path}: {exc}. Fix: check that the state "
                f"dir exists, is writable by this user and is not on a full disk") from exc

    # ------------------------------------------------------------ events
    def append(self, kind: str, message: str = "", *, device: str | None = None,
               zone: str | None = None, user: str | None = None, role: str | None = None,
               reason: str | None = None, drill: bool = False,
               data: Mapping[str, Any] | None = None, ts: datetime | None = None) -> int:
        """Store one event; returns its id once it is durable. ts defaults to now (UTC)."""
        stamp = format_ts(ts if ts is not None else datetime.now(timezone.utc))
        dot = kind.find(".")
        family = kind if dot < 0 else kind[:dot]
        payload = json.dumps(dict(data or {}), default=str, sort_keys=True)
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO events (ts, kind, family, device, zone, user, role, reason, drill,"
                " message, data) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (stamp, kind, family, device, zone, user, role, reason, int(bool(drill)),
                 message, payload))
            return int(cur.lastrowid)

    def query(self, *, since: datetime | str | None = None, until: datetime | str | None = None,
              kind: str | None = None, device: str | None = None, zone: str | None = None,
              drill: bool | None = None, after_id: int | None = None,
              limit: int | None = None) -> list[EventRecord]:
        """Events matching every given filter, oldest first.

        since/until: inclusive/exclusive bounds on ts (aware datetime or ISO 8601 text).
        kind: exact ("panic.alarm") or a family ("panic", no dot). after_id: only ids above it
        (to follow the log). limit: keep only the newest `limit` matches (still oldest first).
        """
        where, args = [], []
        if since is not None:
            where.append("ts >= ?")
            args.append(_bound(since))
        if until is not None:
            where.append("ts < ?")
            args.append(_bound(until))
        if kind is not None:
            where.append("kind = ?" if "." in kind else "family = ?")
            args.append(kind)
        for column, value in (("device", device), ("zone", zone)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if drill is not None:
            where.append("drill = ?")
            args.append(int(drill))
        if after_id is not None:
            where.append("id > ?")
            args.append(after_id)
        sql = "SELECT id, ts, kind, message, device, zone, user, role, reason, drill, data" \
              " FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if limit is not None:
            if limit < 0:
                raise ValueError(f"limit = {limit}: must be 0 or more")
            sql = f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT {int(limit)})"
        sql += " ORDER BY id"
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [_record(row) for row in rows]

    def last_id(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT MAX(id) FROM events").fetchone()
        return int(row[0] or 0)

    # ------------------------------------------------------------ policy state
    def save_policy_state(self, json_text: str) -> None:
        """Replace the saved policy state (durable when this returns)."""
        now = format_ts(datetime.now(timezone.utc))
        with self._lock:
            self._db.execute(
                "INSERT INTO policy_state (id, saved_at, json) VALUES (1, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET saved_at = excluded.saved_at,"
                " json = excluded.json", (now, json_text))

    def load_policy_state(self) -> str | None:
        """The last saved policy state, or None when none was ever saved."""
        with self._lock:
            row = self._db.execute("SELECT json FROM policy_state WHERE id = 1").fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bound(value: datetime | str) -> str:
    return format_ts(value if isinstance(value, datetime) else parse_ts(value))


def _record(row: tuple) -> EventRecord:
    ident, ts, kind, message, device, zone, user, role, reason, drill, data = row
    return EventRecord(id=ident, ts=parse_ts(ts), kind=kind, message=message, device=device,
                       zone=zone, user=user, role=role, reason=reason, drill=bool(drill),
                       data=json.loads(data))
