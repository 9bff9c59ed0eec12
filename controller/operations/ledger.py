"""The operations ledger (台账): DIR/operations.db, beside the event log.

It holds what guards and supervisors register by hand and what must be kept for inspectors: the
hazard register, the gate log (visitors and vehicles) and duty sign-on/off. SQLite in WAL mode with
synchronous=FULL, like the event store: a write returns only once it is on disk. The file is
created readable by the host's user and group only (it holds names and number plates).

Times are stored as UTC ISO 8601 text (sorts in time order); the CLI and the report show them in
the site's timezone.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

from controller.store.record import format_ts, parse_ts

FILE_NAME = "operations.db"
FILE_MODE = 0o640

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hazards (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    severity   TEXT NOT NULL CHECK (severity IN ('major', 'minor')),
    owner      TEXT NOT NULL,
    deadline   TEXT NOT NULL,            -- UTC ISO
    source     TEXT NOT NULL,            -- "guard", or the trouble kind that raised it
    device     TEXT,
    opened_at  TEXT NOT NULL,
    opened_by  TEXT NOT NULL,
    closed_at  TEXT,
    closed_by  TEXT,
    note       TEXT,
    overdue_reported INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS visitors (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('person', 'vehicle')),
    name       TEXT,                     -- personal data: deleted after the retention period
    visiting   TEXT NOT NULL,            -- whom they visit (a department or a staff name)
    purpose    TEXT NOT NULL,
    plate      TEXT,                     -- personal data: deleted after the retention period
    gate       TEXT,
    time_in    TEXT NOT NULL,
    time_out   TEXT,
    registered_by TEXT NOT NULL,
    purged     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS duty (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    operator   TEXT NOT NULL,
    post       TEXT NOT NULL,            -- the duty window's name, or "any"
    signed_on  TEXT NOT NULL,
    signed_off TEXT
);
"""


class LedgerError(RuntimeError):
    """The ledger cannot be opened or written: the message says why and the fix."""


# The longest text each field of the registers keeps (the console's forms say the same).
MAX_TITLE, MAX_NOTE, MAX_NAME, MAX_PLATE, MAX_VISITING, MAX_PURPOSE = 200, 1000, 64, 16, 120, 200


def text_field(value: str | None, what: str, limit: int) -> str:
    """value stripped, or ValueError naming the field: longer than limit, or with control
    characters (a terminal escape in a title would run in a guard's `hazard list`)."""
    cleaned = (value or "").strip()
    if len(cleaned) > limit:
        raise ValueError(f"{what} is {len(cleaned)} characters long: keep it to {limit}")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in cleaned):
        raise ValueError(f"{what} contains control characters (a line break, tab or terminal "
                         f"escape): write it on one line of plain text")
    return cleaned


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Ledger:
    def __init__(self, state_dir: str | Path):
        self.path = Path(state_dir) / FILE_NAME
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
            fresh = not self.path.exists()
            if fresh:
                fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
                os.close(fd)
            self._db = sqlite3.connect(self.path, timeout=10, check_same_thread=False,
                                       isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise LedgerError(f"cannot open the operations ledger {self.path}: {exc}. Fix: check "
                              f"the state dir exists, is writable by this user and has free "
                              f"space") from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        try:
            with self._lock:
                return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise LedgerError(f"the operations ledger {self.path} failed: {exc}. Fix: check free "
                              f"space and the file's permissions; nothing was recorded") from exc

    def rows(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        cursor = self.execute(sql, args)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


    def get_meta(self, key: str) -> str | None:
        rows = self.rows("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                     "SET value = excluded.value", (key, value))


def stamp(ts: datetime) -> str:
    return format_ts(ts)


def unstamp(text: str | None) -> datetime | None:
    return None if text is None else parse_ts(text)
