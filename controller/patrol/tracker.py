"""Patrol rounds from tag reads and the clock (pure: time is passed in).

A round is complete when every checkpoint of its route was read in order inside its window; it is
logged with each checkpoint's time and who read it. When a round's window closes, every checkpoint
of it not read in order inside the window is a missed checkpoint: trouble, reported at the first
tick after the close (the host ticks every second: well within one minute). A read at a route's
checkpoint outside every window is logged as late/unscheduled, never as a visit; a read at a
checkpoint on no route (an assembly point) is logged, neither a visit nor late."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from controller.patrol.config import PatrolConfig, Route
from protocols import events as E


@dataclass(frozen=True)
class PatrolLog:
    kind: str  # protocols.events PATROL_*
    message: str
    device: str | None
    data: dict[str, Any]


@dataclass
class _Round:
    route: Route
    index: int
    start: datetime
    end: datetime
    day: date  # the local date its route's sequence of rounds started on (the report's day)
    visits: dict[str, tuple[datetime, str | None]] = field(default_factory=dict)
    next: int = 0
    closed: bool = False

    @property
    def label(self) -> str:
        return f"{self.route.name} round {self.index + 1} ({self.start:%H:%M}-{self.end:%H:%M})"


def _uid_text(uid: int) -> str:
    return f"0x{uid:X}"


class PatrolTracker:
    def __init__(self, config: PatrolConfig, tz: ZoneInfo, started: datetime) -> None:
        self.config = config
        self.tz = tz
        self.started = started
        self._rounds: dict[tuple[str, str], _Round] = {}

    def _open_rounds(self, at: datetime) -> list[_Round]:
        local = at.astimezone(self.tz).date()
        out = []
        for route in self.config.routes:
            for day in (local - timedelta(days=1), local):
                for index, start, end in route.rounds_of(day, self.tz):
                    if end <= self.started:
                        continue  # over before this host ran: nobody watched it
                    key = (route.name, start.isoformat())
                    if key not in self._rounds:
                        self._rounds[key] = _Round(route, index, start, end, day)
                    out.append(self._rounds[key])
        return out

    def on_read(self, device: str, uid: int, at: datetime) -> list[PatrolLog]:
        operator = self.config.operator(uid)
        who = operator or f"unknown tag {_uid_text(uid)}"
        out = []
        counted = []
        for rnd in self._open_rounds(at):
            if rnd.closed or not rnd.start <= at < rnd.end or device not in rnd.route.checkpoints:
                continue
            j = rnd.route.checkpoints.index(device)
            if j < rnd.next:
                continue  # read again, or out of order backwards: not a new visit
            rnd.visits[device] = (at, operator)
            rnd.next = j + 1
            counted.append(rnd.label)
            if rnd.next == len(rnd.route.checkpoints) and len(rnd.visits) == rnd.next:
                rnd.closed = True
                times = {cp: rnd.visits[cp][0].astimezone(self.tz).strftime("%H:%M:%S")
                         for cp in rnd.route.checkpoints}
                out.append(PatrolLog(
                    E.PATROL_ROUND_COMPLETE,
                    f"Patrol {rnd.label} complete by {who}: "
                    + ", ".join(f"{cp} {t}" for cp, t in times.items()) + ".",
                    device, {"route": rnd.route.name, "round": rnd.index + 1,
                             "day": rnd.day.isoformat(),
                             "start": rnd.start.isoformat(timespec="seconds"),
                             "times": [[cp, t] for cp, t in times.items()],  # route order
                             "operator": operator}))
        patrolled = any(device in route.checkpoints for route in self.config.routes)
        if counted:
            note = f" ({'; '.join(counted)})"
        elif patrolled:
            note = " (outside every open round: late or unscheduled)"
        else:  # an assembly point's checkpoint in a drill, say: no patrol round to be late for
            note = " (on no patrol route)"
        out.insert(0, PatrolLog(E.PATROL_READ, f"tag {_uid_text(uid)} ({who}) read at {device}{note}",
                                device, {"uid": uid, "operator": operator,
                                         "at": at.isoformat(timespec="seconds"),
                                         "rounds": counted, "late": patrolled and not counted}))
        return out

    def on_tick(self, now: datetime) -> list[PatrolLog]:
        self._open_rounds(now)  # creates the rounds of today as their time comes
        out = []
        for key, rnd in list(self._rounds.items()):
            if rnd.closed or now < rnd.end:
                if rnd.closed and now - rnd.end > timedelta(days=2):
                    del self._rounds[key]
                continue
            rnd.closed = True
            for cp in rnd.route.checkpoints:
                if cp in rnd.visits:
                    continue
                out.append(PatrolLog(
                    E.PATROL_MISSED,
                    f"TROUBLE: patrol {rnd.label}: checkpoint {cp} not visited in order in its "
                    f"window (closed {rnd.end.astimezone(self.tz):%H:%M}). Check on the guard.",
                    cp, {"route": rnd.route.name, "round": rnd.index + 1, "checkpoint": cp,
                         "day": rnd.day.isoformat(),
                         "start": rnd.start.isoformat(timespec="seconds"),
                         "window_end": rnd.end.isoformat(timespec="seconds"), "trouble": "patrol"}))
        return out
