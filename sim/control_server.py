"""The running simulator's control socket: DIR/sim.sock, a unix socket speaking JSON lines.

Requests:  {"op": "inject", "action": "panic", "target": "guard-room-panic", "value": null}
           {"op": "status"}   {"op": "describe"}   {"op": "down"}
Replies:   {"ok": true, "result": ...}  or  {"ok": false, "error": "what is wrong and the fix"}
"""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import SimError

if TYPE_CHECKING:
    from sim.campus import Campus

_MAX_PATH = 107  # sockaddr_un.sun_path holds 108 bytes with the terminating NUL
_MAX_REQUEST = 64 * 1024


class ControlServer:
    def __init__(self, campus: Campus, path: Path) -> None:
        self._campus = campus
        self.path = path
        self._server: asyncio.base_events.Server | None = None
        self._clients: dict[asyncio.Task, asyncio.StreamWriter] = {}

    async def open(self) -> None:
        if len(str(self.path).encode()) > _MAX_PATH:
            raise SimError(
                f"control socket path {self.path} is longer than {_MAX_PATH} bytes: use a shorter --state-dir"
            )
        if self.path.exists():
            if _answers(self.path):
                raise SimError(
                    f"a simulator already runs in {self.path.parent}: stop it with "
                    f"`campusguard sim down --state-dir {self.path.parent}` or use another --state-dir"
                )
            self.path.unlink()  # left behind by a simulator that was killed
        self._server = await asyncio.start_unix_server(
            self._on_client, str(self.path), limit=_MAX_REQUEST
        )

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in self._clients.values():
                writer.close()
            if self._clients:
                await asyncio.wait(list(self._clients), timeout=1.0)
            await self._server.wait_closed()
            self._server = None
            self.path.unlink(missing_ok=True)

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients[task] = writer
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                reply = await self._handle(line)
                writer.write((json.dumps(reply) + "\n").encode())
                await writer.drain()
        except (ConnectionError, ValueError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            self._clients.pop(task, None)

    async def _handle(self, line: bytes) -> dict[str, Any]:
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("a request is a JSON object")
        except ValueError as exc:
            return {
                "ok": False,
                "error": f"malformed request ({exc}): send one JSON object per line",
            }
        op = request.get("op")
        try:
            if op == "inject":
                result = await self._campus.inject(
                    str(request.get("action")), str(request.get("target")), request.get("value")
                )
            elif op == "status":
                result = self._campus.status()
            elif op == "describe":
                result = self._campus.describe()
            elif op == "down":
                self._campus.stop_requested.set()
                result = {"stopping": True}
            else:
                return {
                    "ok": False,
                    "error": f"unknown op {op!r}: use inject, status, describe or down",
                }
        except SimError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": True, "result": result}


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
        return True
