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

    def __init__(self, names: list[str], log: Log, group: str | None = None) -> None:
        self.paths = [PathStatus(name) for name in names]
        self._log = log
        self.group = group  # receiver group ("police", "education"); None: the only group

    @property
    def _label(self) -> str:
        return f" ({self.group} group)" if self.group else ""

    @property
    def _data(self) -> dict[str, Any]:
        return {"group": self.group} if self.group else {}

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
                f"alarm path restored{self._label}: {path.name} acknowledges again",
                {"receiver": path.name, **self._data},
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
            centre = f"the {self.group} receiving centre" if self.group else "the receiving centre"
            extent = (f"NO alarm path to {centre} is working; alarms stay queued in the "
                      "outbox and are sent when a path returns")
        self._log(
            events.ALARM_PATH_LOST,
            f"alarm path lost{self._label}: {path.name}: {error} ({extent})",
            {"receiver": path.name, "error": error, "all_paths_down": all_down, **self._data},
        )
