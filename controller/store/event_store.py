"""The event store: one SQLite file in the state dir, WAL mode, synchronous=FULL.

Nothing is lost: append() returns only after the row is committed and the WAL is synced, so an
event whose append() returned survives kill -9 of the host (and a power cut, as far as the disk
honours fsync). One connection guarded by a lock: calls are short (one indexed insert or query),
so asyncio code may call them directly or through AsyncEventStore.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from controller.store.errors import StoreDamaged
from controller.store.failure import as_unavailable, is_damage
from controller.store.record import EventRecord, format_ts, parse_ts
from protocols import events as E

SCHEMA_VERSION = 1
FILE_MODE = 0o640  # events.db, its -wal/-shm: the host's user writes, its group reads, no one else

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
CREATE TABLE IF NOT EXISTS station_presses (
    device   TEXT PRIMARY KEY,           -- a panic station whose latched press is in this log
    press    TEXT NOT NULL,              -- press_count@alarm_uptime_s read from the station
    event_id INTEGER NOT NULL            -- its panic.alarm event (written in the same transaction)
);
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
            if not self.path.exists():  # the host's user and group only (SQLite gives the
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, FILE_MODE))  # -wal the same)
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
            if is_damage(exc):
                raise StoreDamaged(f"{self.path}: {exc}") from exc
            raise EventStoreError(
                f"cannot open the event store {self.path}: {exc}. Fix: check that the state "
                f"dir exists, is writable by this user and is not on a full disk") from exc

    # ------------------------------------------------------------ integrity
    def check(self) -> None:
        """Raises StoreDamaged when the file has damaged pages (PRAGMA quick_check reads every
        page once: run at start, before the host trusts the saved state in it)."""
        try:
            with self._lock:
                rows = self._db.execute("PRAGMA quick_check").fetchall()
        except sqlite3.Error as exc:
            raise StoreDamaged(f"{self.path}: {exc}") from exc
        if rows != [("ok",)]:
            first = "; ".join(str(r[0]) for r in rows[:3])
            raise StoreDamaged(f"{self.path}: damaged pages ({first})")

    # ------------------------------------------------------------ events
    def append_batch(self, events: list[dict[str, Any]], state_json: str | None = None) -> list[int]:
        """Store events (dicts of append()'s arguments) and the policy state in ONE transaction:
        all durable on return, or none and StoreUnavailable (message: what failed, the fix).

        A panic.alarm carrying data["press_key"] also records that station's press, and a
        panic.reset forgets it, in the same transaction: a restart knows exactly which latched
        press is already in the log (one press, one alarm)."""
        ids: list[int] = []
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for item in events:
                    ids.append(self._insert(**item))
                if state_json is not None:
                    self._save_state(state_json)
                self._db.execute("COMMIT")
            except (sqlite3.Error, OSError) as exc:
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # nothing began, or the disk took the transaction with it
                raise as_unavailable(exc, self.path) from exc
        return ids

    def _insert(self, kind: str, message: str = "", *, device: str | None = None,
                zone: str | None = None, user: str | None = None, role: str | None = None,
                reason: str | None = None, drill: bool = False,
                data: Mapping[str, Any] | None = None, ts: datetime | None = None) -> int:
        stamp = format_ts(ts if ts is not None else datetime.now(timezone.utc))
        dot = kind.find(".")
        family = kind if dot < 0 else kind[:dot]
        payload = json.dumps(dict(data or {}), default=str, sort_keys=True)
        cur = self._db.execute(
            "INSERT INTO events (ts, kind, family, device, zone, user, role, reason, drill,"
            " message, data) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (stamp, kind, family, device, zone, user, role, reason, int(bool(drill)),
             message, payload))
        ident = int(cur.lastrowid)
        press = (data or {}).get("press_key")
        if kind == E.PANIC_ALARM and device and press and not drill:
            self._db.execute(
                "INSERT INTO station_presses (device, press, event_id) VALUES (?, ?, ?)"
                " ON CONFLICT(device) DO UPDATE SET press = excluded.press,"
                " event_id = excluded.event_id", (device, str(press), ident))
        elif kind == E.PANIC_RESET and device:
            self._db.execute("DELETE FROM station_presses WHERE device = ?", (device,))
        return ident

    def station_presses(self) -> dict[str, str]:
        """{station: press_key} of every latched press already in the log."""
        with self._lock:
            rows = self._db.execute("SELECT device, press FROM station_presses").fetchall()
        return {str(d): str(p) for d, p in rows}

    def append(self, kind: str, message: str = "", *, device: str | None = None,
               zone: str | None = None, user: str | None = None, role: str | None = None,
               reason: str | None = None, drill: bool = False,
               data: Mapping[str, Any] | None = None, ts: datetime | None = None) -> int:
        """Store one event; returns its id once it is durable. ts defaults to now (UTC)."""
        with self._lock:
            return self._insert(kind, message, device=device, zone=zone, user=user, role=role,
                                reason=reason, drill=drill, data=data, ts=ts)

    def query(self, *, since: datetime | str | None = None, until: datetime | str | None = None,
              kind: str | None = None, device: str | None = None, zone: str | None = None,
              drill: bool | None = None, after_id: int | None = None,
              limit: int | None = None) -> list[EventRecord]:
        """Events matching every given filter, oldest first.

        since/until: inclusive/exclusive bounds on ts (aware datetime or ISO 8601 text).
        kind: exact ("panic.alarm") or a family ("panic", no dot). after_id: only ids above it
        (to follow the log). limit: keep only the newest `limit` matches (still oldest first).
        """
        sql, args = build_query(since=since, until=until, kind=kind, device=device, zone=zone,
                                drill=drill, after_id=after_id, limit=limit)
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
        with self._lock:
            self._save_state(json_text)

    def _save_state(self, json_text: str) -> None:
        now = format_ts(datetime.now(timezone.utc))
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


def build_query(*, since: datetime | str | None = None, until: datetime | str | None = None,
                kind: str | None = None, device: str | None = None, zone: str | None = None,
                drill: bool | None = None, after_id: int | None = None,
                limit: int | None = None) -> tuple[str, list[Any]]:
    """SQL and arguments of EventStore.query (shared with the read-only salvage reader)."""
    where: list[str] = []
    args: list[Any] = []
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
    return sql, args


def _bound(value: datetime | str) -> str:
    return format_ts(value if isinstance(value, datetime) else parse_ts(value))


def _record(row: tuple) -> EventRecord:
    ident, ts, kind, message, device, zone, user, role, reason, drill, data = row
    return EventRecord(id=ident, ts=parse_ts(ts), kind=kind, message=message, device=device,
                       zone=zone, user=user, role=role, reason=reason, drill=bool(drill),
                       data=json.loads(data))
