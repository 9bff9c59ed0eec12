"""EventWriter: the host's one path from log() to disk, which never swallows a store error.

Events wait in memory, in order, until a transaction holding them (and the latest policy state)
commits. A failed write keeps them, marks the store failing (the host raises trouble on every
channel that needs no disk) and is retried every RETRY_S, oldest first, until it succeeds.
flush() returns once what was logged before it is durable, or raises StoreUnavailable.

Memory is bounded (max_pending events). At the bound the oldest ROUTINE event (device state,
command confirmations, online notices...) is dropped; safety records (lockdown, panic, fire,
trouble, operator actions, alarms) are dropped only when nothing else is left. Every drop is
counted by kind, shown in `status` (store.dropped) and written as one policy.decision record
when the store works again: never silently.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from controller.store.errors import StoreUnavailable
from controller.store.event_store import EventStore
from controller.store.failure import RETRY_S
from controller.store.health import StoreHealth
from protocols import events as E

_LOG = logging.getLogger(__name__)
MAX_PENDING = 20_000  # ~10 MB of small dicts: hours of a busy campus with the disk full
_SAFETY_FAMILIES = ("panic", "smoke", "fire", "lockdown", "drill", "trouble", "operator", "alarm",
                    "service")


def _routine(item: dict[str, Any]) -> bool:
    return item["kind"].split(".", 1)[0] not in _SAFETY_FAMILIES


class EventWriter:
    def __init__(self, store: EventStore, on_change: Callable[[StoreHealth], None], *,
                 max_pending: int = MAX_PENDING, retry_s: float = RETRY_S) -> None:
        self.store = store
        self.health = StoreHealth(str(store.path))
        self._on_change = on_change
        self._max = max_pending
        self._retry_s = retry_s
        self._pending: collections.deque[tuple[int, dict[str, Any]]] = collections.deque()
        self._state: str | None = None  # latest policy state not yet durable
        self._seq = 0  # sequence of the last item queued
        self._durable = 0  # every item up to this sequence is durable
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._inflight = 0  # items up to this sequence are being written now: never dropped

    # ------------------------------------------------------------ producers (event loop)
    def event(self, item: dict[str, Any]) -> None:
        """item: EventStore.append's arguments; stamped now (its time is when it happened)."""
        item.setdefault("ts", datetime.now(timezone.utc))
        self._seq += 1
        self._pending.append((self._seq, item))
        if len(self._pending) > self._max:
            self._drop_one()
        self.health.pending = len(self._pending)
        self._wake.set()

    def state(self, json_text: str) -> None:
        """Only the latest policy state matters: it replaces one not yet written."""
        self._seq += 1
        self._state = json_text
        self._wake.set()

    async def flush(self) -> None:
        """Returns when everything queued so far is durable; StoreUnavailable when the next
        attempt to write it fails (it stays queued and retried)."""
        if self._durable >= self._seq:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((self._seq, future))
        self._wake.set()  # a flush does not wait for the retry timer
        await future

    # ------------------------------------------------------------ the writer task
    async def run(self) -> None:
        while True:
            if not self._pending and self._state is None:
                self._wake.clear()
                await self._wake.wait()
            await self._write_once()
            if not self.health.ok:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self._retry_s)
                except asyncio.TimeoutError:
                    pass

    async def _write_once(self) -> None:
        batch = list(self._pending)
        state, upto = self._state, self._seq
        self._inflight = upto
        dropped = self._dropped_note() if self.health.dropped else None
        items = ([dropped] if dropped else []) + [item for _, item in batch]
        try:
            await asyncio.to_thread(self.store.append_batch, items, state)
        except StoreUnavailable as exc:
            self._inflight = 0
            self._failed(exc)
            return
        except Exception as exc:  # a bug: still a failure to make events durable, said loudly
            _LOG.exception("event store write failed")
            self._inflight = 0
            self._failed(StoreUnavailable(f"{self.store.path}: write failed ({exc!r}). Fix: "
                                          f"report this bug; the host retries every "
                                          f"{self._retry_s:g} s"))
            return
        while self._pending and self._pending[0][0] <= upto:
            self._pending.popleft()
        if dropped:
            self.health.dropped, self.health.dropped_kinds = 0, {}
        if self._state is state:
            self._state = None
        self._durable = max(self._durable, upto)
        self.health.pending = len(self._pending)
        for _target, future in [w for w in self._waiters if w[0] <= self._durable]:
            if not future.done():
                future.set_result(None)
        self._waiters = [w for w in self._waiters if w[0] > self._durable]
        if not self.health.ok:
            self.health.ok, self.health.error, self.health.since = True, "", None
            self._on_change(self.health)

    def _failed(self, exc: StoreUnavailable) -> None:
        waiters, self._waiters = self._waiters, []
        for _, future in waiters:
            if not future.done():
                future.set_exception(StoreUnavailable(str(exc)))
        first = self.health.ok
        self.health.error = str(exc)
        self.health.pending = len(self._pending)
        if first:
            self.health.ok = False
            self.health.since = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
            _LOG.error("event store failing: %s (%d events kept in memory)", exc,
                       len(self._pending))
            self._on_change(self.health)

    def _drop_one(self) -> None:
        candidates = [i for i, (seq, _) in enumerate(self._pending) if seq > self._inflight]
        if not candidates:
            return  # everything is being written right now
        index = next((i for i in candidates if _routine(self._pending[i][1])), candidates[0])
        _, item = self._pending[index]
        del self._pending[index]
        self.health.dropped += 1
        kinds = self.health.dropped_kinds
        kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1

    def _dropped_note(self) -> dict[str, Any]:
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(self.health.dropped_kinds.items()))
        return {"kind": E.POLICY_DECISION, "device": "event-store",
                "message": f"{self.health.dropped} events were dropped while the event store was "
                           f"failing (memory bound {self._max} events, oldest routine first): "
                           f"{kinds}.",
                "data": {"rule": "store_memory_bound", "dropped": self.health.dropped,
                         "kinds": dict(self.health.dropped_kinds)}}
