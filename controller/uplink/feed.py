"""Copies new events from the host's event store (events.db) into the uplink outbox.

Reads the store read-only by id, after the cursor kept in the outbox, and stores the messages and
the new cursor in one transaction: a crash re-reads, never skips (see outbox.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from controller.uplink.messages import event_message
from controller.uplink.outbox import UplinkOutbox

SOURCE = "events.db"
_COLUMNS = ("id", "ts", "kind", "message", "device", "zone", "user", "role", "reason", "drill",
            "data")


class EventFeed:
    def __init__(self, events_db: Path, outbox: UplinkOutbox, campus_id: str,
                 chunk: int = 500) -> None:
        self.events_db = Path(events_db)
        self.outbox = outbox
        self.campus_id = campus_id
        self.chunk = chunk
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and self.events_db.exists():
            self._db = sqlite3.connect(f"file:{self.events_db}?mode=ro", uri=True,
                                       check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout=5000")
        return self._db

    def pump(self) -> int:
        """Copy what is new (up to `chunk` events); returns how many events were read."""
        db = self._connect()
        if db is None:
            return 0
        after = self.outbox.cursor(SOURCE)
        rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM events WHERE id > ? ORDER BY id "
                          f"LIMIT ?", (after, self.chunk)).fetchall()
        if not rows:
            return 0
        messages = []
        for row in rows:
            record = dict(zip(_COLUMNS, row, strict=True))
            record["data"] = json.loads(record["data"] or "{}")
            messages.append(event_message(self.campus_id, record))
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        self.outbox.enqueue(messages, now, cursor=(SOURCE, int(rows[-1][0])))
        return len(rows)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
