"""Where a host keeps its files: one state dir for the control socket, the event store and the
alarm outbox, shared by `run` and every verb that talks to it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

STATE_ENV = "CAMPUSGUARD_STATE"


def default_state_dir() -> Path:
    """$CAMPUSGUARD_STATE, else ./state."""
    return Path(os.environ.get(STATE_ENV) or "state")


@dataclass(frozen=True)
class StatePaths:
    root: Path  # the state dir

    @classmethod
    def of(cls, state_dir: str | Path | None) -> StatePaths:
        return cls(Path(state_dir) if state_dir else default_state_dir())

    @property
    def control_socket(self) -> Path:
        return self.root / "control.sock"

    @property
    def events_db(self) -> Path:
        return self.root / "events.db"

    @property
    def alarm_outbox(self) -> Path:
        return self.root / "alarm-outbox.db"

    @property
    def pid_file(self) -> Path:
        return self.root / "host.pid"
