"""Read what is readable in an events.db, even a damaged one, and say what is not.

`campusguard events` uses this: a sound store reads with one query; a damaged one (pages that fail
to read, or a file that is not a database) is walked in id order, skipping past what fails, so
every readable event is shown and every unreadable stretch is named (ids from..to) with the fix.
Opened read-only: reading never changes the file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from controller.store.event_store import _bound, _record, build_query
from controller.store.record import EventRecord

_COLUMNS = "id, ts, kind, message, device, zone, user, role, reason, drill, data"
_GOOD_RUN = 32  # ids read one by one after damage before a range scan is tried again


@dataclass
class Readable:
    records: list[EventRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be read, with the fix


def _fix(path: Path) -> str:
    return (f"Fix: the host moves a damaged {path.name} aside at its next start "
            f"({path.name}.damaged-<time>) and keeps running on a fresh one; keep the damaged "
            f"file for the record and check the disk (dmesg, SMART)")


def read_events(path: Path, *, since: datetime | str | None = None, kind: str | None = None,
                device: str | None = None, zone: str | None = None,
                limit: int | None = None) -> Readable:
    out = Readable()
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        out.problems.append(f"{path}: cannot be opened ({exc}). {_fix(path)}")
        return out
    try:
        sql, args = build_query(since=since, kind=kind, device=device, zone=zone, limit=limit)
        try:  # a sound store: one query, as EventStore.query
            out.records = [_record(row) for row in db.execute(sql, args).fetchall()]
            return out
        except (sqlite3.Error, ValueError, TypeError):
            pass
        rows = _walk(db, path, out)
    finally:
        db.close()
    low = _bound(since) if since is not None else None
    for row in rows:
        try:
            record = _record(row)
        except (ValueError, TypeError) as exc:
            out.problems.append(f"{path}: event {row[0]} is damaged ({exc}); skipped")
            continue
        if _keep(record, low, kind, device, zone):
            out.records.append(record)
    if limit is not None:
        out.records = out.records[-limit:] if limit else []
    return out


def _keep(r: EventRecord, low: str | None, kind: str | None, device: str | None,
          zone: str | None) -> bool:
    from controller.store.record import format_ts

    if low is not None and format_ts(r.ts) < low:
        return False
    if kind is not None and (r.kind != kind if "." in kind else r.kind.split(".")[0] != kind):
        return False
    return (device is None or r.device == device) and (zone is None or r.zone == zone)


def _walk(db: sqlite3.Connection, path: Path, out: Readable) -> list[tuple[Any, ...]]:
    try:
        return db.execute(f"SELECT {_COLUMNS} FROM events ORDER BY id").fetchall()
    except sqlite3.Error as exc:
        first_error = exc
    last = _last_id(db)
    if last is None:
        out.problems.append(f"{path}: the event table cannot be read at all ({first_error}). "
                            f"{_fix(path)}")
        return []
    rows: list[tuple[Any, ...]] = []
    bad: list[int] = []
    error: sqlite3.Error | None = None
    cursor = 0  # the last id read (or found unreadable)
    while cursor < last:
        try:  # fast: a range scan, until it meets a damaged page
            for row in db.execute(f"SELECT {_COLUMNS} FROM events WHERE id > ? ORDER BY id",
                                  (cursor,)):
                rows.append(row)
                cursor = int(row[0])
            break
        except sqlite3.Error as exc:
            error = exc
        good_run = 0  # slow: one id at a time past the damage (always moves on)
        while cursor < last and good_run < _GOOD_RUN:
            cursor += 1
            try:
                row = db.execute(f"SELECT {_COLUMNS} FROM events WHERE id = ?",
                                 (cursor,)).fetchone()
            except sqlite3.Error:
                bad.append(cursor)
                good_run = 0
                continue
            good_run += 1
            if row is not None:
                rows.append(row)
    for first, end in _stretches(bad):
        out.problems.append(f"{path}: events {first}..{end} could not be read ({error}). "
                            f"{_fix(path)}")
    return rows


def _stretches(ids: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for ident in ids:
        if out and out[-1][1] == ident - 1:
            out[-1] = (out[-1][0], ident)
        else:
            out.append((ident, ident))
    return out


def _last_id(db: sqlite3.Connection) -> int | None:
    for sql in ("SELECT MAX(id) FROM events", "SELECT seq FROM sqlite_sequence WHERE name = 'events'"):
        try:
            row = db.execute(sql).fetchone()
        except sqlite3.Error:
            continue
        if row and row[0] is not None:
            return int(row[0])
    return None
