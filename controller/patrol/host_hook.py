"""The host's side of guard patrol: tag reads from checkpoints and the clock into the tracker, its
findings into the event log (missed checkpoints are trouble)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from controller.devices.model import Change
from controller.patrol.config import load_patrol
from controller.patrol.tracker import PatrolLog, PatrolTracker
from controller.site.model import Site
from protocols import events as E

Log = Callable[..., None]


class PatrolHook:
    def __init__(self, site: Site, clock: Callable[[], datetime], log: Log) -> None:
        self._clock = clock
        self._log = log
        config = load_patrol(site)
        self.tracker = PatrolTracker(config, site.tz, clock()) if config.routes or \
            config.operators else None

    def on_change(self, change: Change) -> bool:
        """True when the change was a tag read (logged here)."""
        if change.kind != E.PATROL_READ:
            return False
        if self.tracker is None:
            self._log(E.PATROL_READ, change.message, device=change.device, zone=change.zone,
                      data={k: v for k, v in change.data.items() if k != "t0_mono"})
            return True
        at = self._clock() - timedelta(seconds=float(change.data.get("age_s", 0.0)))
        self._emit(self.tracker.on_read(change.device, int(change.data["uid"]), at), change.zone)
        return True

    def tick(self) -> None:
        if self.tracker is not None:
            self._emit(self.tracker.on_tick(self._clock()), None)

    def _emit(self, logs: list[PatrolLog], zone: str | None) -> None:
        for item in logs:
            self._log(item.kind, item.message, device=item.device, zone=zone, data=item.data)
