"""The hazard register (隐患登记): every hazard with an owner, a deadline and a closing note.

Entries come from guards (`campusguard hazard add`) and from the host itself: every trouble
(a device offline, a fault, a failed self-test) opens an entry for the site's hazard owner unless
one is already open for the same device and kind. Overdue open entries are trouble. The
programme's figures: >= 95 % closed by their deadline, 100 % of the major ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from controller.operations.ledger import (
    MAX_NAME,
    MAX_NOTE,
    MAX_TITLE,
    Ledger,
    LedgerError,
    stamp,
    text_field,
    unstamp,
    utc_now,
)

SEVERITIES = ("major", "minor")


class HazardError(LedgerError):
    """A hazard request the register refuses; the message names the fix."""


@dataclass(frozen=True)
class Hazard:
    id: int
    title: str
    severity: str  # major | minor
    owner: str
    deadline: datetime  # UTC
    source: str  # "guard", or the trouble kind that raised it
    device: str | None
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str | None
    note: str | None

    def overdue_at(self, now: datetime) -> bool:
        """Open past its deadline at `now`, or closed after it."""
        end = self.closed_at or now
        return end > self.deadline

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "severity": self.severity,
                "owner": self.owner, "deadline": stamp(self.deadline), "source": self.source,
                "device": self.device, "opened_at": stamp(self.opened_at),
                "opened_by": self.opened_by,
                "closed_at": stamp(self.closed_at) if self.closed_at else None,
                "closed_by": self.closed_by, "note": self.note}


def _hazard(row: dict) -> Hazard:
    return Hazard(row["id"], row["title"], row["severity"], row["owner"],
                  unstamp(row["deadline"]), row["source"], row["device"],
                  unstamp(row["opened_at"]), row["opened_by"], unstamp(row["closed_at"]),
                  row["closed_by"], row["note"])


class HazardRegister:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def add(self, title: str, owner: str, deadline: datetime, by: str, *,
            severity: str = "minor", source: str = "guard", device: str | None = None,
            now: datetime | None = None) -> Hazard:
        try:
            title, owner = text_field(title, "the title", MAX_TITLE), \
                text_field(owner, "the owner", MAX_NAME)
        except ValueError as exc:
            raise HazardError(str(exc)) from None
        if not title:
            raise HazardError("a hazard needs a title: say what is wrong and where")
        if severity not in SEVERITIES:
            raise HazardError(f"severity {severity!r} unknown: use major or minor")
        if not owner.strip():
            raise HazardError("a hazard needs an owner: pass --owner NAME (who fixes it)")
        opened = now or utc_now()
        cursor = self.ledger.execute(
            "INSERT INTO hazards (title, severity, owner, deadline, source, device, opened_at, "
            "opened_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (title.strip(), severity, owner.strip(), stamp(deadline), source, device,
             stamp(opened), by))
        return self.get(cursor.lastrowid)

    def get(self, hazard_id: int) -> Hazard:
        rows = self.ledger.rows("SELECT * FROM hazards WHERE id = ?", (hazard_id,))
        if not rows:
            raise HazardError(f"no hazard #{hazard_id}: `campusguard hazard list` shows them")
        return _hazard(rows[0])

    def close(self, hazard_id: int, note: str, by: str, *, now: datetime | None = None) -> Hazard:
        hazard = self.get(hazard_id)
        if hazard.closed_at is not None:
            raise HazardError(f"hazard #{hazard_id} was already closed by {hazard.closed_by}")
        try:
            note = text_field(note, "the closing note", MAX_NOTE)
        except ValueError as exc:
            raise HazardError(str(exc)) from None
        if not note:
            raise HazardError("closing a hazard needs a note: what was done (--note TEXT)")
        self.ledger.execute("UPDATE hazards SET closed_at = ?, closed_by = ?, note = ? "
                            "WHERE id = ?", (stamp(now or utc_now()), by, note.strip(), hazard_id))
        return self.get(hazard_id)

    def all(self) -> list[Hazard]:
        return [_hazard(r) for r in self.ledger.rows("SELECT * FROM hazards ORDER BY id")]

    def open_for(self, source: str, device: str | None) -> Hazard | None:
        rows = self.ledger.rows("SELECT * FROM hazards WHERE closed_at IS NULL AND source = ? "
                                "AND device IS ?", (source, device))
        return _hazard(rows[0]) if rows else None

    def from_trouble(self, kind: str, device: str | None, message: str, owner: str, days: int,
                     at: datetime) -> Hazard | None:
        """Register a trouble as a hazard, once per open (kind, device). None if one is open."""
        if self.open_for(kind, device) is not None:
            return None
        title = " ".join("".join(c if c.isprintable() else " " for c in message).split())
        return self.add(title[:MAX_TITLE] or kind, owner or "unassigned", at + timedelta(days=days),
                        "host", severity="minor", source=kind, device=device, now=at)

    def newly_overdue(self, now: datetime) -> list[Hazard]:
        """Open entries past their deadline not reported yet; marks them reported."""
        rows = self.ledger.rows("SELECT * FROM hazards WHERE closed_at IS NULL AND deadline < ? "
                                "AND overdue_reported = 0", (stamp(now),))
        for row in rows:
            self.ledger.execute("UPDATE hazards SET overdue_reported = 1 WHERE id = ?",
                                (row["id"],))
        return [_hazard(r) for r in rows]


def closure_figures(hazards: list[Hazard], start: datetime, end: datetime,
                    now: datetime | None = None) -> dict:
    """The register's figures for hazards opened in [start, end), as seen at min(end, now)."""
    seen_at = min(end, now or utc_now())
    mine = [h for h in hazards if start <= h.opened_at < end]
    closed = [h for h in mine if h.closed_at is not None and h.closed_at <= seen_at]
    open_ = [h for h in mine if h not in closed]
    in_time = [h for h in closed if h.closed_at <= h.deadline]
    overdue = [h for h in mine if h.overdue_at(seen_at)]
    due = [h for h in mine if h.deadline <= seen_at or h in closed]
    major = [h for h in mine if h.severity == "major"]
    major_closed = [h for h in major if h in closed]
    return {
        "total": len(mine), "open": len(open_), "closed": len(closed),
        "closed_in_time": len(in_time), "overdue": len(overdue),
        # Of the entries whose deadline has come (or that are closed): closed by the deadline.
        "closed_in_time_pct": round(100 * len(in_time) / len(due), 1) if due else None,
        "closed_in_time_target_pct": 95,
        "major": len(major), "major_closed": len(major_closed),
        "major_closed_pct": round(100 * len(major_closed) / len(major), 1) if major else None,
        "major_closed_target_pct": 100,
        "entries": [h.to_dict() for h in mine],
    }
