"""The district centre: subscriber (broker -> store), store, console; `campusguard district run`.

    centre = DistrictCentre(config, state_dir)
    await centre.start()      # writes state_dir/district.json {"url": "http://HOST:PORT"}
    ...
    await centre.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
import uuid
from pathlib import Path
from typing import Any

import uvicorn

from district.config import DistrictConfig, DistrictConfigError
from district.store import DistrictStore, now_iso, open_store
from district.subscriber import DistrictSubscriber

_LOG = logging.getLogger(__name__)


class _ApiBackend:
    """What the console reads: its own database connection, used from one thread at a time."""

    def __init__(self, store: DistrictStore, loop: asyncio.AbstractEventLoop) -> None:
        self.subscriber: DistrictSubscriber | None = None
        self._store = store
        self._lock = threading.Lock()
        self._loop = loop
        self._listeners: set[asyncio.Queue[list[dict[str, Any]]]] = set()

    def campuses(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._store.campuses()

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        with self._lock:
            return self._store.events(**filters)

    def inspection(self, since: str) -> list[dict[str, Any]]:
        with self._lock:
            return self._store.inspection(since)

    def advise(self, action: str, campuses: list[str] | None, zone: str | None, reason: str,
               by: str, role: str) -> dict[str, Any]:
        """A district-wide advisory: to each campus (all known when None), logged here as a
        district.advisory event per campus; each campus's own policy decides (uplink/advisory)."""
        assert self.subscriber is not None
        ident = uuid.uuid4().hex
        with self._lock:
            known = [c["campus_id"] for c in self._store.campuses()]
            targets = known if campuses is None else [c for c in campuses if c in known]
            advisory = {"id": ident, "action": action, "zone": zone, "reason": reason, "by": by,
                        "role": role, "issued_at": now_iso()}
            for campus in targets:
                self.subscriber.publish_advisory(campus, advisory)
            self._store.add_events([
                {"id": f"advisory-{ident}-{campus}", "campus_id": campus,
                 "kind": "district.advisory", "ts": advisory["issued_at"], "user": by,
                 "role": role, "reason": reason, "zone": zone,
                 "message": f"district advisory from {by}: {action} ({reason!r}); the campus's "
                            "policy decides", "data": advisory} for campus in targets])
        return {"advisory": ident, "action": action, "sent_to": targets,
                "unknown": [c for c in (campuses or []) if c not in known]}

    def listen(self) -> asyncio.Queue[list[dict[str, Any]]]:
        queue: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue(maxsize=1000)
        self._listeners.add(queue)
        return queue

    def unlisten(self, queue: asyncio.Queue[list[dict[str, Any]]]) -> None:
        self._listeners.discard(queue)

    def stored(self, events: list[dict[str, Any]]) -> None:
        """From the writer thread: push newly stored events to every open stream."""
        from controller.uplink.topics import is_alarm

        marked = [{**e, "alarm": is_alarm(str(e.get("kind", "")))} for e in events]
        self._loop.call_soon_threadsafe(self._push, marked)

    def _push(self, events: list[dict[str, Any]]) -> None:
        for queue in list(self._listeners):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(events)


class DistrictCentre:
    def __init__(self, config: DistrictConfig, state_dir: Path) -> None:
        self.config = config
        self.state_dir = Path(state_dir)
        self.url = ""
        self.subscriber: DistrictSubscriber | None = None
        self._stores: list[DistrictStore] = []
        self._server: uvicorn.Server | None = None
        self._serve: asyncio.Task[None] | None = None

    async def start(self) -> None:
        from controller.identity.sessions import Sessions
        from controller.identity.store import OperatorStore
        from district.console.app import create_app

        self.state_dir.mkdir(parents=True, exist_ok=True)
        host, port = self.config.host_port
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            sock.close()
            raise DistrictConfigError(
                f"the district console cannot listen on {host}:{port}: "
                f"{error.strerror or error}. Fix: choose a free address in `listen`, or stop "
                "the other program (another district centre?) using it.") from None
        writer_store = await asyncio.to_thread(open_store, self.config.database)
        api_store = await asyncio.to_thread(open_store, self.config.database)
        self._stores = [writer_store, api_store]
        self.backend = _ApiBackend(api_store, asyncio.get_running_loop())
        self.subscriber = DistrictSubscriber(
            self.config.broker, writer_store, client_id=self.config.client_id,
            username=self.config.username, password=self.config.password(), ca=self.config.ca,
            on_stored=self.backend.stored)
        self.backend.subscriber = self.subscriber
        self.subscriber.start()
        app = create_app(self.backend, OperatorStore(self.state_dir), Sessions())
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._serve = asyncio.create_task(self._server.serve(sockets=[sock]),
                                          name="district-console")
        while not self._server.started:
            if self._serve.done():
                raise DistrictConfigError(f"the district console did not start on {host}:{port}")
            await asyncio.sleep(0.02)
        bound = sock.getsockname()
        self.url = f"http://{bound[0]}:{bound[1]}"
        (self.state_dir / "district.json").write_text(json.dumps({"url": self.url}) + "\n")

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            if self._serve is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await self._serve
        if self.subscriber is not None:
            await asyncio.to_thread(self.subscriber.stop)
        for store in self._stores:
            store.close()

    async def run_forever(self) -> None:
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()
