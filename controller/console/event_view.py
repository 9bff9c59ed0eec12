"""Events as the console shows them: site-local times, and a CSV export of the same rows."""

from __future__ import annotations

import csv
import io
import json
from zoneinfo import ZoneInfo

from controller.console.status_view import local_iso
from controller.store import EventRecord

CSV_COLUMNS = ("id", "time", "kind", "device", "zone", "user", "role", "reason", "drill",
               "message", "data")


def event_dict(record: EventRecord, tz: ZoneInfo) -> dict:
    out = record.to_dict()
    out["ts_utc"] = out["ts"]
    out["ts"] = local_iso(record.ts, tz)
    return out


def events_csv(records: list[EventRecord], tz: ZoneInfo) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        writer.writerow([r.id, local_iso(r.ts, tz), r.kind, r.device or "", r.zone or "",
                         r.user or "", r.role or "", r.reason or "", "yes" if r.drill else "",
                         r.message, json.dumps(dict(r.data), sort_keys=True, default=str)])
    return buffer.getvalue()
