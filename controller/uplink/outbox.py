"""The uplink outbox: every message for the district broker is in SQLite before it is published,
and leaves only when the broker's PUBACK (QoS 1) for it arrives (STYLE rule 19).

Each row carries a stable event id (`<campus_id>-<store id>-<ts>`): a message published twice
(PUBACK lost, host restarted) is the same id, and the district stores it once.

The feed copies events from the host's event store together with its cursor in ONE transaction,
so a crash (or a power cut: WAL, synchronous=NORMAL) either keeps both or neither; the event
store itself is synchronous=FULL, so the feed reads the lost rows again. Nothing is lost.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uplink_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- publish order
    event_id TEXT NOT NULL UNIQUE,           -- stable id; the district de-duplicates by it
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,                   -- JSON
    queued_at TEXT NOT NULL,                 -- UTC ISO 8601
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS uplink_cursor (
    source TEXT PRIMARY KEY,                 -- "events.db"
    last_id INTEGER NOT NULL                 -- highest event-store id copied into the outbox
);
CREATE TABLE IF NOT EXISTS uplink_advisories (
    id TEXT PRIMARY KEY,                     -- a district advisory handled (QoS 1 may repeat it)
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS uplink_stats (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class OutboxMessage:
    seq: int
    event_id: str
    topic: str
    payload: str
    attempts: int


class UplinkOutbox:
    """uplink_outbox in the SQLite file at `path` (created if missing). Thread-safe."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    def enqueue(self, rows: list[tuple[str, str, str]], queued_at: str,
                cursor: tuple[str, int] | None = None) -> int:
        """Store (event_id, topic, payload) rows, and the feed cursor, atomically.

        A row whose event_id is already queued is skipped. Returns how many were new."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                before = self._db.total_changes
                self._db.executemany(
                    "INSERT OR IGNORE INTO uplink_outbox (event_id, topic, payload, queued_at) "
                    "VALUES (?, ?, ?, ?)", [(e, t, p, queued_at) for e, t, p in rows])
                added = self._db.total_changes - before
                if cursor is not None:
                    self._db.execute(
                        "INSERT INTO uplink_cursor (source, last_id) VALUES (?, ?) ON CONFLICT"
                        "(source) DO UPDATE SET last_id = excluded.last_id", cursor)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return added

    def cursor(self, source: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT last_id FROM uplink_cursor WHERE source = ?",
                                   (source,)).fetchone()
        return int(row[0]) if row else 0

    def batch(self, limit: int, after_seq: int = 0) -> list[OutboxMessage]:
        """The oldest queued messages (seq > after_seq), at most `limit`."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, event_id, topic, payload, attempts FROM uplink_outbox "
                "WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)).fetchall()
        return [OutboxMessage(*row) for row in rows]

    def acked(self, seqs: list[int]) -> None:
        """The broker PUBACKed these: clear them."""
        if not seqs:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM uplink_outbox WHERE seq = ?", [(s,) for s in seqs])
            self._db.execute(
                "INSERT INTO uplink_stats (name, value) VALUES ('published', ?) ON CONFLICT(name)"
                " DO UPDATE SET value = value + excluded.value", (len(seqs),))
            self._db.execute("COMMIT")

    def attempted(self, seqs: list[int]) -> None:
        if not seqs:
            return
        with self._lock:
            self._db.executemany("UPDATE uplink_outbox SET attempts = attempts + 1 WHERE seq = ?",
                                 [(s,) for s in seqs])

    def first_time(self, advisory_id: str, when: str) -> bool:
        """Record a district advisory; False when it was handled before (a QoS 1 repeat)."""
        with self._lock:
            cur = self._db.execute("INSERT OR IGNORE INTO uplink_advisories VALUES (?, ?)",
                                   (advisory_id, when))
            return cur.rowcount == 1

    def pending(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM uplink_outbox").fetchone()[0])

    def published(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM uplink_stats WHERE name = 'published'").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()
