"""AsyncEventStore: the event store for asyncio code, each call run in a worker thread so an
fsync never stalls the bus scheduler's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from controller.store.event_store import EventStore
from controller.store.record import EventRecord


class AsyncEventStore:
    def __init__(self, path: str | Path | None = None, *, store: EventStore | None = None):
        if (path is None) == (store is None):
            raise TypeError("AsyncEventStore needs exactly one of path or store")
        self.store = store if store is not None else EventStore(path)  # type: ignore[arg-type]

    async def append(self, kind: str, message: str = "", *, device: str | None = None,
                     zone: str | None = None, user: str | None = None, role: str | None = None,
                     reason: str | None = None, drill: bool = False,
                     data: Mapping[str, Any] | None = None, ts: datetime | None = None) -> int:
        return await asyncio.to_thread(
            self.store.append, kind, message, device=device, zone=zone, user=user, role=role,
            reason=reason, drill=drill, data=data, ts=ts)

    async def query(self, **filters: Any) -> list[EventRecord]:
        return await asyncio.to_thread(lambda: self.store.query(**filters))

    async def save_policy_state(self, json_text: str) -> None:
        await asyncio.to_thread(self.store.save_policy_state, json_text)

    async def load_policy_state(self) -> str | None:
        return await asyncio.to_thread(self.store.load_policy_state)

    async def close(self) -> None:
        await asyncio.to_thread(self.store.close)
