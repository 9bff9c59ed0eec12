"""Up/down state of each alarm path, and the trouble events its changes produce."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from protocols import events

Log = Callable[[str, str, dict[str, Any]], None]


@dataclass
class PathStatus:
    """What is known about one receiver path (mutable: updated by each exchange)."""

    name: str  # "primary host:port/tcp#acct"
    up: bool | None = None  # None until the first exchange
    last_error: str = ""
    last_ack: str | None = None  # UTC ISO 8601 of the last ACK (event or NULL)


class PathTracker:
    """Turns exchange outcomes into ALARM_PATH_LOST / ALARM_PATH_RESTORED events, once per change."""

    def __init__(self, names: list[str], log: Log) -> None:
        self.paths = [PathStatus(name) for name in names]
        self._log = log

    @property
    def any_up(self) -> bool:
        return any(p.up for p in self.paths)

    @property
    def summary(self) -> str:
        if any(p.up for p in self.paths):
            return "up"
        if all(p.up is None for p in self.paths):
            return "unknown"
        return "down"

    def acked(self, index: int, when: str) -> None:
        self.paths[index].last_ack = when
        self.answered(index)

    def answered(self, index: int) -> None:
        """The receiver replied (ACK, or a DUH about one message): the path works."""
        path = self.paths[index]
        path.last_error = ""
        if path.up is False:
            path.up = True
            self._log(
                events.ALARM_PATH_RESTORED,
                f"alarm path restored: {path.name} acknowledges again",
                {"receiver": path.name},
            )
        path.up = True

    def failed(self, index: int, error: str) -> None:
        path = self.paths[index]
        path.last_error = error
        if path.up is False:
            return
        path.up = False
        others_up = [p.name for p in self.paths if p.up]
        untried = [p.name for p in self.paths if p.up is None]
        all_down = all(p.up is False for p in self.paths)
        if others_up:
            extent = f"alarms go through {', '.join(others_up)}"
        elif untried:
            extent = f"trying {', '.join(untried)}"
        else:
            extent = ("NO alarm path to the receiving centre is working; alarms stay queued in the "
                      "outbox and are sent when a path returns")
        self._log(
            events.ALARM_PATH_LOST,
            f"alarm path lost: {path.name}: {error} ({extent})",
            {"receiver": path.name, "error": error, "all_paths_down": all_down},
        )
