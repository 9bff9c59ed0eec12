"""One stored event, as read back from the event store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class EventRecord:
    id: int  # increasing in the order events were appended
    ts: datetime  # real-time clock, UTC, millisecond resolution
    kind: str  # protocols/events.py kind, e.g. "panic.alarm"
    message: str  # the explanation a guard reads
    device: str | None = None
    zone: str | None = None
    user: str | None = None  # operator actions: who
    role: str | None = None  # ... in which role
    reason: str | None = None  # ... and why
    drill: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (for `campusguard events --json`)."""
        return {
            "id": self.id, "ts": format_ts(self.ts), "kind": self.kind, "message": self.message,
            "device": self.device, "zone": self.zone, "user": self.user, "role": self.role,
            "reason": self.reason, "drill": self.drill, "data": dict(self.data),
        }


def format_ts(ts: datetime) -> str:
    """UTC ISO 8601 with milliseconds: 2026-11-22T16:20:05.123Z. Sorts as text in time order."""
    if ts.tzinfo is None:
        raise ValueError(f"timestamp {ts!r} has no timezone; pass an aware datetime (UTC)")
    utc = ts.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_ts(text: str) -> datetime:
    """Inverse of format_ts; also accepts any ISO 8601 form (naive means UTC)."""
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
