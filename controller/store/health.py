"""What the host says about its event store: `status --json` "store" section."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StoreHealth:
    """Mutable: the event writer updates it after every attempt."""

    path: str  # events.db
    ok: bool = True
    since: str | None = None  # UTC ISO 8601 of the first failure of this episode
    error: str = ""  # what failed (StoreUnavailable's message, with the fix)
    pending: int = 0  # events held in memory, not yet durable
    dropped: int = 0  # events dropped at the memory bound while failing (counted, then logged)
    dropped_kinds: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # found at start (damaged file moved aside)

    def as_status(self) -> dict:
        fix = self.error.split("Fix: ", 1)[1] if "Fix: " in self.error else ""
        return {"state": "ok" if self.ok else "failing", "since": self.since,
                "error": self.error.split(" Fix: ", 1)[0] if self.error else "", "fix": fix,
                "pending": self.pending, "dropped": self.dropped, "path": self.path,
                "problems": list(self.problems)}
