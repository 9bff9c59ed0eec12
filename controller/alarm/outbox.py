"""Durable alarm outbox: every alarm is in SQLite before the first attempt to send it.

WAL with synchronous=FULL: once enqueue() returns, the row survives kill -9 and power loss.
Marking an alarm ACKed skips the fsync (see mark_acked): losing that mark resends, never loses.
Delivery is at-least-once and in id order (the delivery loop always takes the oldest pending row).

Receiver groups (police ARC, education platform, ...): an alarm is one row per group, stored in
one transaction, each with its own delivery state; each group's loop takes its own oldest row.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from controller.alarm.event_mapping import AlarmMessage

DEFAULT_GROUP = "police"  # [[alarm.receivers]] without `group`: today's single receiving centre
PENDING = "pending"
ACKED = "acked"
REFUSED = "refused"  # every receiver answered DUH (read, not processed): kept, not retried

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alarm_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queued_at TEXT NOT NULL,          -- UTC ISO 8601, when submit() stored it
    message TEXT NOT NULL,            -- AlarmMessage as JSON
    state TEXT NOT NULL DEFAULT 'pending',  -- pending | acked | refused
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    acked_at TEXT,                    -- UTC ISO 8601 of the receiver's ACK
    acked_by TEXT,                    -- the receiver that ACKed (host:port/proto#account)
    grp TEXT NOT NULL DEFAULT 'police' -- receiver group this copy of the alarm goes to
);
CREATE INDEX IF NOT EXISTS alarm_outbox_pending ON alarm_outbox (state, id);
"""


@dataclass(frozen=True)
class OutboxEntry:
    """One stored alarm."""

    id: int  # outbox id, increasing in submit order
    queued_at: str  # UTC ISO 8601
    message: AlarmMessage  # what to send
    state: str  # "pending", "acked" or "refused"
    attempts: int  # frames sent for it so far (all receivers)
    last_error: str  # why the last attempt failed, "" if none
    acked_at: str | None  # when a receiver ACKed it
    acked_by: str | None  # which receiver
    group: str = DEFAULT_GROUP  # the receiver group this row is for


class AlarmOutbox:
    """The outbox table in the SQLite file at `path` (created if missing)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        columns = [row[1] for row in self._db.execute("PRAGMA table_info(alarm_outbox)")]
        if "grp" not in columns:  # an outbox from before receiver groups: all rows were police
            self._db.execute(
                f"ALTER TABLE alarm_outbox ADD COLUMN grp TEXT NOT NULL DEFAULT '{DEFAULT_GROUP}'")
        if "source_key" not in columns:  # an outbox from before: add the column, keep the rows
            self._db.execute("ALTER TABLE alarm_outbox ADD COLUMN source_key TEXT")

    def enqueue(self, message: AlarmMessage, queued_at: str, group: str = DEFAULT_GROUP,
                source_key: str | None = None) -> int:
        """Store a pending alarm; durable when this returns. Returns its id."""
        return self.enqueue_groups(message, queued_at, (group,), source_key)[0]

    def enqueue_groups(self, message: AlarmMessage, queued_at: str, groups: tuple[str, ...],
                       source_key: str | None = None) -> list[int]:
        """Store one pending row per receiver group, in one transaction; their ids, in order.

        source_key names what caused it (e.g. "panic:<station>:<press>"), stored in the same rows:
        after a crash the host asks has_source() before reporting that cause again."""
        text = json.dumps(message.to_json(), sort_keys=True)
        self._db.execute("BEGIN IMMEDIATE")
        try:
            ids = [
                int(self._db.execute(
                    "INSERT INTO alarm_outbox (queued_at, message, grp, source_key) "
                    "VALUES (?, ?, ?, ?)", (queued_at, text, group, source_key)).lastrowid)
                for group in groups
            ]
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return ids

    def has_source(self, source_key: str) -> bool:
        row = self._db.execute("SELECT 1 FROM alarm_outbox WHERE source_key = ? LIMIT 1",
                               (source_key,)).fetchone()
        return row is not None

    def head(self, group: str | None = None) -> OutboxEntry | None:
        """The oldest pending alarm (of one group), or None when everything is delivered."""
        where, args = "state = ?", [PENDING]
        if group is not None:
            where += " AND grp = ?"
            args.append(group)
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM alarm_outbox WHERE {where} ORDER BY id LIMIT 1", args
        ).fetchone()
        return _entry(row) if row else None

    def get(self, entry_id: int) -> OutboxEntry:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM alarm_outbox WHERE id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no alarm {entry_id} in the outbox {self.path}")
        return _entry(row)

    def entries(self) -> list[OutboxEntry]:
        """Every stored alarm in id order (for status views and tests)."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM alarm_outbox ORDER BY id").fetchall()
        return [_entry(row) for row in rows]

    def record_attempt(self, entry_id: int, error: str) -> None:
        self._db.execute(
            "UPDATE alarm_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error, entry_id),
        )

    def mark_acked(self, entry_id: int, receiver: str, acked_at: str) -> None:
        # Without an fsync (synchronous=NORMAL for this commit only): a kill -9 still keeps it
        # (WAL); a power cut may forget it, and the alarm is then sent again - a duplicate, which
        # at-least-once allows - instead of costing every alarm a second fsync.
        self._db.execute("PRAGMA synchronous=NORMAL")
        try:
            self._db.execute(
                "UPDATE alarm_outbox SET state = ?, attempts = attempts + 1, last_error = '', "
                "acked_at = ?, acked_by = ? WHERE id = ?",
                (ACKED, acked_at, receiver, entry_id),
            )
        finally:
            self._db.execute("PRAGMA synchronous=FULL")

    def mark_refused(self, entry_id: int, error: str) -> None:
        self._db.execute(
            "UPDATE alarm_outbox SET state = ?, last_error = ? WHERE id = ?",
            (REFUSED, error, entry_id),
        )

    def pending_count(self, group: str | None = None) -> int:
        if group is None:
            sql, args = "SELECT COUNT(*) FROM alarm_outbox WHERE state = ?", (PENDING,)
        else:
            sql = "SELECT COUNT(*) FROM alarm_outbox WHERE state = ? AND grp = ?"
            args = (PENDING, group)
        return int(self._db.execute(sql, args).fetchone()[0])

    def last_ack(self, group: str | None = None) -> str | None:
        if group is None:
            row = self._db.execute("SELECT MAX(acked_at) FROM alarm_outbox").fetchone()
        else:
            row = self._db.execute("SELECT MAX(acked_at) FROM alarm_outbox WHERE grp = ?",
                                   (group,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self._db.close()


_COLUMNS = "id, queued_at, message, state, attempts, last_error, acked_at, acked_by, grp"


def _entry(row: tuple) -> OutboxEntry:
    return OutboxEntry(
        id=row[0], queued_at=row[1], message=AlarmMessage.from_json(json.loads(row[2])),
        state=row[3], attempts=row[4], last_error=row[5], acked_at=row[6], acked_by=row[7],
        group=row[8],
    )
