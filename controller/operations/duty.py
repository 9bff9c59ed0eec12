"""Duty (带班值班): operators sign on and off; the site's staffed windows say when someone must be.

Coverage of a window occurrence = the time during which at least `min_staff` operators were signed
on, over its length. A window that is open with fewer than `min_staff` signed on for longer than
`duty_grace_s` is a trouble (the host's operations watcher raises it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from controller.operations.ledger import Ledger, LedgerError, stamp, unstamp, utc_now
from controller.site.operations import DutyWindow, OffDays


class DutyError(LedgerError):
    """A sign-on or sign-off that cannot be recorded; the message names the fix."""


@dataclass(frozen=True)
class Shift:
    id: int
    operator: str
    post: str
    signed_on: datetime
    signed_off: datetime | None


def _shift(row: dict) -> Shift:
    return Shift(row["id"], row["operator"], row["post"], unstamp(row["signed_on"]),
                 unstamp(row["signed_off"]))


class DutyRoster:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def sign_on(self, operator: str, post: str = "any", *, now: datetime | None = None) -> Shift:
        if self.on_duty(operator) is not None:
            raise DutyError(f"{operator} is already signed on: sign off first")
        cursor = self.ledger.execute("INSERT INTO duty (operator, post, signed_on) "
                                     "VALUES (?, ?, ?)", (operator, post, stamp(now or utc_now())))
        return self.get(cursor.lastrowid)

    def sign_off(self, operator: str, *, now: datetime | None = None) -> Shift:
        shift = self.on_duty(operator)
        if shift is None:
            raise DutyError(f"{operator} is not signed on")
        self.ledger.execute("UPDATE duty SET signed_off = ? WHERE id = ?",
                            (stamp(now or utc_now()), shift.id))
        return self.get(shift.id)

    def get(self, shift_id: int) -> Shift:
        return _shift(self.ledger.rows("SELECT * FROM duty WHERE id = ?", (shift_id,))[0])

    def on_duty(self, operator: str) -> Shift | None:
        rows = self.ledger.rows("SELECT * FROM duty WHERE operator = ? AND signed_off IS NULL",
                                (operator,))
        return _shift(rows[0]) if rows else None

    def signed_on(self) -> list[Shift]:
        return [_shift(r) for r in self.ledger.rows(
            "SELECT * FROM duty WHERE signed_off IS NULL ORDER BY id")]

    def all(self) -> list[Shift]:
        return [_shift(r) for r in self.ledger.rows("SELECT * FROM duty ORDER BY id")]


def _staffed(shifts: list[Shift], begin: datetime, finish: datetime, need: int,
             now: datetime) -> tuple[float, list[tuple[datetime, datetime]]]:
    """Seconds of [begin, finish) with >= need operators on, and the gaps (UTC)."""
    edges = {begin, finish}
    spans = []
    for s in shifts:
        on, off = max(s.signed_on, begin), min(s.signed_off or now, finish)
        if on < off:
            spans.append((on, off))
            edges.update((on, off))
    points = sorted(edges)
    covered = 0.0
    gaps: list[tuple[datetime, datetime]] = []
    for a, b in zip(points, points[1:], strict=False):
        count = sum(on <= a and b <= off for on, off in spans)
        if count >= need:
            covered += (b - a).total_seconds()
        elif gaps and gaps[-1][1] == a:
            gaps[-1] = (gaps[-1][0], b)
        else:
            gaps.append((a, b))
    return covered, gaps


def coverage(windows: tuple[DutyWindow, ...], shifts: list[Shift], start: datetime,
             end: datetime, tz: ZoneInfo, off: OffDays, now: datetime | None = None) -> dict:
    """Duty coverage of every window occurrence in [start, end) (UTC), up to `now`."""
    now = now or utc_now()
    stop = min(end, now)
    required = covered = 0.0
    gaps = []
    per_window = {}
    for window in windows:
        w_required = w_covered = 0.0
        first = start.astimezone(tz).date() - timedelta(days=1)
        last = stop.astimezone(tz).date()
        for local_begin, local_end in window.occurrences(first, last, off):
            begin = max(local_begin.replace(tzinfo=tz).astimezone(start.tzinfo), start)
            finish = min(local_end.replace(tzinfo=tz).astimezone(start.tzinfo), stop)
            if finish <= begin:
                continue
            posted = [s for s in shifts if s.post in (window.name, "any")]
            got, holes = _staffed(posted, begin, finish, window.min_staff, now)
            w_required += (finish - begin).total_seconds()
            w_covered += got
            gaps += [{"window": window.name, "from": stamp(a), "to": stamp(b),
                      "minutes": round((b - a).total_seconds() / 60, 1)} for a, b in holes]
        per_window[window.name] = {
            "required_h": round(w_required / 3600, 2), "covered_h": round(w_covered / 3600, 2),
            "coverage_pct": round(100 * w_covered / w_required, 1) if w_required else None}
        required += w_required
        covered += w_covered
    return {"required_h": round(required / 3600, 2), "covered_h": round(covered / 3600, 2),
            "coverage_pct": round(100 * covered / required, 1) if required else None,
            "windows": per_window, "gaps": gaps}


def open_windows(windows: tuple[DutyWindow, ...], now: datetime, tz: ZoneInfo,
                 off: OffDays) -> list[tuple[DutyWindow, datetime]]:
    """Windows staffed at `now`, each with its occurrence's start (UTC)."""
    local = now.astimezone(tz).replace(tzinfo=None)
    out = []
    for window in windows:
        for begin, finish in window.occurrences(local.date() - timedelta(days=1), local.date(),
                                                off):
            if begin <= local < finish:
                out.append((window, begin.replace(tzinfo=tz).astimezone(now.tzinfo)))
    return out
