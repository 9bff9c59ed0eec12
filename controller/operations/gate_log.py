"""The gate log (外来人员和车辆登记): visitors and vehicles registered by the guard at the gate.

Personal data is kept to the minimum the programme asks for and for a set time: a visitor's name
and a vehicle's number plate are the only personal fields; whom they visit, why, the gate and the
times are kept for the report. After `gate_log_retention_days` (site [operations], 90 by default)
the name and plate are erased (the entry stays, anonymous, so the counts in old reports still
add up). No ID-card numbers, photos or phone numbers are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from controller.operations.ledger import (
    MAX_NAME,
    MAX_PLATE,
    MAX_PURPOSE,
    MAX_VISITING,
    Ledger,
    LedgerError,
    stamp,
    text_field,
    unstamp,
    utc_now,
)

KINDS = ("person", "vehicle")


class GateLogError(LedgerError):
    """A gate-log request that cannot be recorded; the message names the fix."""


@dataclass(frozen=True)
class Visit:
    id: int
    kind: str  # person | vehicle
    name: str | None  # erased after the retention period
    visiting: str
    purpose: str
    plate: str | None  # erased after the retention period
    gate: str | None
    time_in: datetime
    time_out: datetime | None
    registered_by: str

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "name": self.name, "visiting": self.visiting,
                "purpose": self.purpose, "plate": self.plate, "gate": self.gate,
                "time_in": stamp(self.time_in),
                "time_out": stamp(self.time_out) if self.time_out else None,
                "registered_by": self.registered_by}


def _visit(row: dict) -> Visit:
    return Visit(row["id"], row["kind"], row["name"], row["visiting"], row["purpose"],
                 row["plate"], row["gate"], unstamp(row["time_in"]), unstamp(row["time_out"]),
                 row["registered_by"])


class GateLog:
    def __init__(self, ledger: Ledger, retention_days: int = 90):
        self.ledger = ledger
        self.retention_days = retention_days

    def check_in(self, kind: str, visiting: str, purpose: str, by: str, *,
                 name: str | None = None, plate: str | None = None, gate: str | None = None,
                 now: datetime | None = None) -> Visit:
        if kind not in KINDS:
            raise GateLogError(f"kind {kind!r} unknown: use person or vehicle")
        try:
            visiting = text_field(visiting, "whom they visit", MAX_VISITING)
            purpose = text_field(purpose, "the purpose", MAX_PURPOSE)
            name = text_field(name, "the name", MAX_NAME)
            plate = text_field(plate, "the plate", MAX_PLATE)
        except ValueError as exc:
            raise GateLogError(str(exc)) from None
        if not visiting or not purpose:
            raise GateLogError("a visit needs whom they visit (--visiting) and why (--purpose)")
        if kind == "vehicle" and not (plate or "").strip():
            raise GateLogError("a vehicle needs its number plate (--plate)")
        cursor = self.ledger.execute(
            "INSERT INTO visitors (kind, name, visiting, purpose, plate, gate, time_in, "
            "registered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, (name or "").strip() or None, visiting.strip(), purpose.strip(),
             (plate or "").strip().upper() or None, gate, stamp(now or utc_now()), by))
        return self.get(cursor.lastrowid)

    def check_out(self, visit_id: int, *, now: datetime | None = None) -> Visit:
        visit = self.get(visit_id)
        if visit.time_out is not None:
            raise GateLogError(f"visit #{visit_id} already left at {stamp(visit.time_out)}")
        self.ledger.execute("UPDATE visitors SET time_out = ? WHERE id = ?",
                            (stamp(now or utc_now()), visit_id))
        return self.get(visit_id)

    def get(self, visit_id: int) -> Visit:
        rows = self.ledger.rows("SELECT * FROM visitors WHERE id = ?", (visit_id,))
        if not rows:
            raise GateLogError(f"no visit #{visit_id}: `campusguard visitor list` shows them")
        return _visit(rows[0])

    def all(self) -> list[Visit]:
        return [_visit(r) for r in self.ledger.rows("SELECT * FROM visitors ORDER BY id")]

    def inside(self) -> list[Visit]:
        return [_visit(r) for r in self.ledger.rows(
            "SELECT * FROM visitors WHERE time_out IS NULL ORDER BY id")]

    def purge(self, now: datetime | None = None) -> int:
        """Erase names and plates older than the retention period; the number of entries."""
        cutoff = stamp((now or utc_now()) - timedelta(days=self.retention_days))
        cursor = self.ledger.execute(
            "UPDATE visitors SET name = NULL, plate = NULL, purged = 1 "
            "WHERE purged = 0 AND time_in < ?", (cutoff,))
        return cursor.rowcount


def gate_log_figures(visits: list[Visit], start: datetime, end: datetime,
                     retention_days: int) -> dict:
    mine = [v for v in visits if start <= v.time_in < end]
    stays = [(v.time_out - v.time_in).total_seconds() / 60 for v in mine if v.time_out]
    return {"visits": len(mine), "people": sum(v.kind == "person" for v in mine),
            "vehicles": sum(v.kind == "vehicle" for v in mine),
            "not_signed_out": sum(v.time_out is None for v in mine),
            "median_stay_min": round(sorted(stays)[len(stays) // 2], 1) if stays else None,
            "retention_days": retention_days,
            "kept": "kind, whom visited, purpose, gate, times; name and plate erased after "
                    f"{retention_days} days"}


def check_gate(gates: list[str], gate: str | None) -> str | None:
    """gate if it is one of the site's gates (or None: not said); GateLogError with the fix."""
    if gate is None or gate in gates:
        return gate
    raise GateLogError(f"no gate {gate!r} in the site. Fix: use one of "
                       f"{', '.join(gates) or '(none: the site has no gate devices)'}, or leave "
                       f"the gate out")
