"""The host's operator store and sessions, with failed checks written to the event log.

Credential checks run in a worker thread (argon2id takes tens of milliseconds and the event loop
carries the life-safety path), so the audit hook hands each record back to the host's loop."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from controller.identity.sessions import Sessions
from controller.identity.store import OperatorStore

if TYPE_CHECKING:
    from controller.service.host import Host


class LogFromAnyThread:
    """audit(kind, message, data) -> host.log, from the loop's thread or a worker thread."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.loop = _running_loop()  # the host is built inside its loop (asyncio.run)

    def __call__(self, kind: str, message: str, data: dict[str, Any]) -> None:
        running = _running_loop()
        if running is not None:
            self.loop = running
        if running is None and self.loop is not None:
            self.loop.call_soon_threadsafe(self._write, kind, message, data)
        else:
            self._write(kind, message, data)

    def _write(self, kind: str, message: str, data: dict[str, Any]) -> None:
        self.host.log(kind, message, data=data, user=data.get("user"))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def operator_store(host: Host) -> OperatorStore:
    return OperatorStore(host.paths.root, audit=LogFromAnyThread(host))


def sessions() -> Sessions:
    return Sessions()
