"""The live feed behind /api/stream. One hub per host, however many consoles are open: it builds
the console status when the policy decides something (checked every TICK_S) and every BUILD_S,
sends each subscriber the top-level keys that changed, tails the event store for new events, and
sends a heartbeat every HEARTBEAT_S so a page can tell a quiet host from a lost one. A new
subscriber first gets the whole state (Home Assistant's subscribe pattern)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from controller.console.event_view import event_dict
from controller.console.status_view import console_status, local_iso
from controller.store import EventRecord, EventStore

if TYPE_CHECKING:
    from controller.service.host import Host

_LOG = logging.getLogger(__name__)
TICK_S = 0.01  # how often the policy state's identity is checked (immutable: replaced on change)
BUILD_S = 0.25  # the whole console state is rebuilt at least this often (device states, buses)
EVENTS_S = 0.1  # the event store is tailed this often (in a worker thread)
HEARTBEAT_S = 0.5  # the page calls the host lost after 2.5 s (five beats) without a message
VOLATILE = ("now", "buses", "last_contact")  # change every poll cycle: with the heartbeat only
QUEUE_LIMIT = 200  # a console this far behind is dropped (it reconnects and resyncs)
ALARM_KINDS = {"panic": ("panic.alarm",), "smoke": ("smoke.alarm",),
               "trouble": ("trouble.offline", "trouble.fault", "trouble.tamper",
                           "trouble.monitoring", "trouble.bus")}


class LiveHub:
    def __init__(self, host: Host) -> None:
        self.host = host
        self.first_seen: dict[str, datetime] = {}
        self._subscribers: set[asyncio.Queue] = set()
        self._last: dict[str, Any] = {}
        self._last_steady: dict[str, Any] = {}
        self._last_event_id = 0
        self._task: asyncio.Task | None = None
        self._closed = False
        # A connection of our own, used only from worker threads: the host's connection shares
        # one lock with the writer, whose fsync must never stall the event loop (the bus path).
        self.reader: EventStore | None = None

    async def start(self) -> None:
        self.reader = await asyncio.to_thread(EventStore, self.host.paths.events_db)
        self._last_event_id = await asyncio.to_thread(self.reader.last_id)
        self._task = asyncio.create_task(self._run(), name="console-live")

    async def query(self, **filters: Any) -> list[EventRecord]:
        """The event store, read in a worker thread (never on the host's loop)."""
        assert self.reader is not None, "LiveHub.start() first"
        return await asyncio.to_thread(self.reader.query, **filters)

    async def close(self) -> None:
        self._closed = True
        for queue in list(self._subscribers):
            _offer(queue, None)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    # ------------------------------------------------------------------ subscribers
    def subscribe(self) -> tuple[asyncio.Queue, str]:
        """A queue of SSE frames (None = the hub closed) and the first frame: the whole state."""
        queue: asyncio.Queue = asyncio.Queue()
        self._subscribers.add(queue)
        return queue, frame("state", self.snapshot())

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._subscribers.discard(queue)

    @property
    def consoles(self) -> int:
        return len(self._subscribers)

    def snapshot(self) -> dict[str, Any]:
        self._track_alarms()
        return console_status(self.host, self.first_seen)

    # ------------------------------------------------------------------ the loop
    async def _run(self) -> None:
        """A policy decision (a panic, a lockdown, an ack) reaches the consoles within TICK_S;
        device states within BUILD_S; events within EVENTS_S. One build serves every console."""
        loop = asyncio.get_running_loop()
        next_beat = next_build = next_events = loop.time()
        seen_state = None
        while not self._closed:
            await asyncio.sleep(TICK_S)
            try:
                now = loop.time()
                decided = self.host.state is not seen_state
                if decided:
                    seen_state = self.host.state
                    self._track_alarms()
                if not self._subscribers:
                    self._last, self._last_steady = {}, {}
                    continue
                if decided or now >= next_build:
                    next_build = now + BUILD_S
                    self._send_changes()
                if now >= next_events:
                    next_events = now + EVENTS_S
                    await self._send_events()
                if now >= next_beat:
                    next_beat = now + HEARTBEAT_S
                    status = self._last
                    self._broadcast(frame("heartbeat", {k: status.get(k) for k in VOLATILE}))
            except Exception:  # the feed must outlive one bad build; the page shows staleness
                _LOG.exception("console live feed")

    def _send_changes(self) -> None:
        status = console_status(self.host, self.first_seen)
        steady = _steady(status)
        changes = {k: status[k] for k, v in steady.items()
                   if k not in VOLATILE and self._last_steady.get(k) != v}
        self._last = status
        self._last_steady = steady
        if changes:
            self._broadcast(frame("patch", changes))

    async def _send_events(self) -> None:
        records = await self.query(after_id=self._last_event_id, limit=500)
        if not records:
            return
        self._last_event_id = records[-1].id
        for record in records:
            for family, kinds in ALARM_KINDS.items():
                if record.kind in kinds and record.device:
                    self.first_seen[f"{family}:{record.device}"] = record.ts
        tz = self.host.site.tz
        self._broadcast(frame("events", [event_dict(r, tz) for r in records]))

    def _track_alarms(self) -> None:
        """Remember when each alarm appeared (from its event when stored, else now)."""
        state = self.host.state
        present = {f"panic:{p.device}" for p in state.panics}
        present |= {f"smoke:{p.device}" for p in state.smoke}
        present |= {f"trouble:{t.device}" for t in state.troubles}
        present |= {f"{k}:{d}" for d in state.unacknowledged for k in ("panic", "alarm")}
        now = datetime.now(timezone.utc)
        for key in present - set(self.first_seen):
            self.first_seen[key] = now
        for key in set(self.first_seen) - present:
            del self.first_seen[key]

    def _broadcast(self, text: str) -> None:
        for queue in list(self._subscribers):
            if not _offer(queue, text):
                self._subscribers.discard(queue)
                _offer(queue, None, force=True)


def _steady(status: dict[str, Any]) -> dict[str, Any]:
    """status without what changes on every poll (each device's last contact)."""
    devices = [{k: v for k, v in d.items() if k != "last_contact"} for d in status["devices"]]
    return {**status, "devices": devices}


def _offer(queue: asyncio.Queue, item: str | None, force: bool = False) -> bool:
    if queue.qsize() >= QUEUE_LIMIT and not force:
        return False
    queue.put_nowait(item)
    return True


def frame(event: str, data: Any) -> str:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'), default=str)}\n\n"


__all__ = ["LiveHub", "frame", "local_iso"]
