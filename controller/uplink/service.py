"""Uplink: the feed (event store -> outbox) and the publisher (outbox -> broker) of one campus.

    uplink = Uplink(config, state_dir, events_db=paths.events_db, status=host.status,
                    name=site.name)
    await uplink.start()
    uplink.status()   # {"broker", "campus_id", "connected", "pending", "published", ...}
    await uplink.stop()

Without events_db the uplink publishes only what is given to submit() (the scale bench feeds
generated events this way; the outbox and the publisher are the same code).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from controller.uplink.config import UplinkConfig
from controller.uplink.feed import EventFeed
from controller.uplink.messages import event_message, state_summary
from controller.uplink.outbox import UplinkOutbox
from controller.uplink.publisher import UplinkPublisher

_LOG = logging.getLogger(__name__)
FEED_POLL_S = 0.1
OUTBOX_FILE = "uplink.db"


class Uplink:
    def __init__(self, config: UplinkConfig, state_dir: Path, *, events_db: Path | None = None,
                 status: Callable[[], dict[str, Any]] | None = None, name: str = "",
                 outbox_path: Path | None = None, client_id: str | None = None,
                 on_advisory: Callable[[dict[str, Any]], Awaitable[None]] | None = None) -> None:
        self.config = config
        self.name = name
        self.outbox = UplinkOutbox(outbox_path or Path(state_dir) / OUTBOX_FILE)
        self.feed = EventFeed(events_db, self.outbox, config.campus_id) if events_db else None
        self._status = status
        self._on_advisory = on_advisory
        self.publisher = UplinkPublisher(config, self.outbox,
                                         self._state if status is not None else None, client_id,
                                         self._advisory if on_advisory is not None else None)
        self._tasks: list[asyncio.Task[None]] = []
        self._next_seq = 0

    def _state(self) -> dict[str, Any] | None:
        try:
            assert self._status is not None
            return state_summary(self.config.campus_id, self.name, self._status())
        except Exception:  # the host's status must never stop the uplink
            _LOG.exception("uplink: host status failed")
            return None

    async def _advisory(self, payload: bytes) -> None:
        """A district advisory: JSON with a unique id; each id is handled once."""
        try:
            advisory = json.loads(payload)
            ident = str(advisory["id"])
        except (ValueError, KeyError, TypeError):
            _LOG.warning("uplink: unreadable district advisory %r", payload[:200])
            return
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        if self._on_advisory is not None and self.outbox.first_time(ident, now):
            await self._on_advisory(advisory)

    async def start(self) -> None:
        if self._tasks:
            return
        self._tasks.append(asyncio.create_task(self.publisher.run(), name="uplink-publish"))
        if self.feed is not None:
            self._tasks.append(asyncio.create_task(self._follow(), name="uplink-feed"))

    async def _follow(self) -> None:
        assert self.feed is not None
        while True:
            try:
                copied = await asyncio.to_thread(self.feed.pump)
            except Exception:  # a locked or damaged store: say so, keep trying
                _LOG.exception("uplink: reading the event store failed")
                copied = 0
            if copied:
                self.publisher.wake.set()
            else:
                await asyncio.sleep(FEED_POLL_S)

    def submit(self, events: list[dict[str, Any]]) -> int:
        """Queue events given directly (each with id, ts, kind, ...); durable when this returns."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        added = self.outbox.enqueue([event_message(self.config.campus_id, e) for e in events], now)
        self.publisher.wake.set()
        return added

    def status(self) -> dict[str, Any]:
        p = self.publisher
        return {"broker": self.config.broker, "campus_id": self.config.campus_id,
                "connected": p.connected, "last_error": p.last_error,
                "last_puback": p.last_puback, "pending": self.outbox.pending(),
                "published": self.outbox.published()}

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.feed is not None:
            self.feed.close()
        self.outbox.close()


async def start_for_host(host: Any) -> Uplink:
    """The host's uplink (host.site.uplink present): follows its event store, publishes its
    status as the retained state. Returns it started."""
    from controller.uplink.advisory import advisory_handler
    from controller.uplink.config import config_from_site

    config = config_from_site(host.site.uplink)
    uplink = Uplink(config, host.paths.root, events_db=host.paths.events_db, status=host.status,
                    name=host.site.name, on_advisory=advisory_handler(host, config))
    await uplink.start()
    return uplink
