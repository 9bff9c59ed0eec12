"""`campusguard events`: times as a guard says them, in the site's own time zone, and kinds that
exist. A guard in Shanghai who types `--since 20:49` means 20:49 at the school, not in UTC.

--since accepts: an ISO 8601 time with a zone (`2026-11-27T12:49Z`, `...+08:00`) or without one
(site-local), `HH:MM[:SS]` (today at the site, or yesterday when that is still ahead), a duration
back from now (`90s`, `15m`, `1h`, `2d`), `today` and `yesterday` (site-local midnight).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from protocols import events as E

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|h|d)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
SINCE_FORMS = ("ISO 8601 with or without a zone (no zone = site time), HH:MM, 1h / 30m / 2d, "
               "today, yesterday")


class BadSince(ValueError):
    """--since in a form we do not read; the message lists the forms."""


def parse_since(text: str, tz: tzinfo, now: datetime | None = None) -> datetime:
    """The instant a guard meant by `text`, aware (UTC or the site's zone)."""
    now = now or datetime.now(timezone.utc)
    local_now = now.astimezone(tz)
    word = text.strip().lower()
    if word in ("today", "yesterday"):
        day = local_now.date() - timedelta(days=1 if word == "yesterday" else 0)
        return datetime.combine(day, time(0, 0), tzinfo=tz)
    found = _DURATION.match(word)
    if found:
        return now - timedelta(seconds=float(found.group(1)) * _UNITS[found.group(2)])
    found = _CLOCK.match(word)
    if found:
        hour, minute, second = int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise BadSince(f"--since {text!r} is not a time of day. Use {SINCE_FORMS}")
        stamp = datetime.combine(local_now.date(), time(hour, minute, second), tzinfo=tz)
        return stamp - timedelta(days=1) if stamp > local_now else stamp
    try:
        stamp = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise BadSince(f"--since {text!r} is not a time we read. Use {SINCE_FORMS}") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=tz)


def site_timezone(events_db: Path, site_file: str | None) -> tuple[tzinfo, str]:
    """The zone of the site whose events these are: --site, else what the host wrote at its last
    start, else UTC. Returns (zone, its name)."""
    name = None
    if site_file:
        from controller.site import load_site

        name = load_site(site_file).timezone
    else:
        name = _last_start_timezone(events_db)
    if not name:
        return timezone.utc, "UTC"
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc, "UTC"


def _last_start_timezone(events_db: Path) -> str | None:
    import json

    try:
        with sqlite3.connect(f"file:{events_db}?mode=ro", uri=True) as db:
            row = db.execute("SELECT data FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1",
                             (E.SERVICE_START,)).fetchone()
    except sqlite3.Error:
        return None
    if not row or not row[0]:
        return None
    try:
        data = json.loads(row[0])
    except ValueError:
        return None
    return data.get("timezone") if isinstance(data, dict) else None


def known_kinds(events_db: Path) -> list[str]:
    """Every kind --kind may name: the vocabulary, the kinds in this store, and their families."""
    kinds = set(E.ALL_KINDS)
    try:
        with sqlite3.connect(f"file:{events_db}?mode=ro", uri=True) as db:
            kinds.update(row[0] for row in db.execute("SELECT DISTINCT kind FROM events"))
    except sqlite3.Error:
        pass
    return sorted(kinds | {E.family(k) for k in kinds})


def local_text(utc_iso: str, tz: tzinfo) -> str:
    """A stored UTC timestamp as the site's wall clock, with its offset."""
    stamp = datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(tz).isoformat(sep=" ", timespec="milliseconds")
