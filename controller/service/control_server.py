"""The control socket: a unix socket in the state dir, JSON lines, one request per connection.

Who may act is decided by the socket file's permissions (0660: the host's user and group; add
guards' accounts to that group). The user named in a request must be in the site's [[users]];
their role comes from the site, never from the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
from typing import TYPE_CHECKING, Any

from controller.policy.inputs import (
    AlarmAcknowledged,
    DrillEnd,
    DrillStart,
    GuardClear,
    GuardFireConfirm,
    GuardLockdown,
    PanicReset,
)
from controller.service.registry import device_names

if TYPE_CHECKING:
    from controller.service.host import Host

SOCKET_MODE = 0o660
MAX_REQUEST = 64 * 1024


class ControlError(Exception):
    """A request the host refuses; the message says why and the fix."""


class ControlServer:
    def __init__(self, host: Host):
        self.host = host
        self.path = host.paths.control_socket
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        if self.path.exists():
            if _answers(str(self.path)):
                raise ControlError(f"another host is running on {self.path}. Fix: stop it, or use "
                                   "another --state-dir")
            self.path.unlink()
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path),
                                                       limit=MAX_REQUEST)
        os.chmod(self.path, SOCKET_MODE)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), timeout=10)
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ControlError("a request is a JSON object")
                reply = {"ok": True, **await self.handle(request)}
            except ControlError as exc:
                reply = {"ok": False, "error": str(exc)}
            except ValueError as exc:
                reply = {"ok": False, "error": f"malformed request: {exc}"}
            writer.write((json.dumps(reply) + "\n").encode())
            await writer.drain()
        except (asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    async def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        verb = request.get("verb")
        host = self.host
        if verb == "status":
            return {"status": host.status()}
        user, role = self._user(request)
        reason = str(request.get("reason") or "")
        zone = request.get("zone")
        if zone is not None and zone not in host.site.zone_names():
            raise ControlError(f"no zone {zone!r} in {host.site.path}. Fix: use one of "
                               f"{', '.join(host.site.zone_names())}")
        device = request.get("device")
        if device is not None and host.site.zone_of(str(device)) is None:
            raise ControlError(f"no device {device!r} in {host.site.path}. Fix: use one of "
                               f"{', '.join(device_names(host.site))}")
        if verb in ("lockdown", "clear", "drill", "fire-confirm") and not reason:
            raise ControlError(f"{verb} needs --reason: every operator action is logged with why")
        if verb == "lockdown":
            event: Any = GuardLockdown(user, role, zone, reason)
        elif verb == "clear":
            event = GuardClear(user, role, zone, reason)
        elif verb == "ack":
            event = AlarmAcknowledged(user, role, request.get("device"), reason)
        elif verb == "reset":
            event = PanicReset(str(request.get("device")), by="host", user=user, role=role)
        elif verb == "fire-confirm":
            event = GuardFireConfirm(user, role, reason)
        elif verb == "drill":
            kind = request.get("kind")
            if kind == "end":
                event = DrillEnd(user, role, reason)
            elif kind in ("fire", "lockdown"):
                event = DrillStart(kind, user, role, reason)
            else:
                raise ControlError("drill kind must be fire, lockdown or end")
        else:
            raise ControlError(f"unknown verb {verb!r}")
        from controller.service.host import trigger_now

        decision = host.decide(event, trigger_now(f"guard.{verb}"))
        await host.flush()  # the operator action is durable before the guard sees the answer
        if decision is None:
            raise ControlError("the policy could not decide; see `campusguard events`")
        return {"mode": host.state.mode,
                "log": [{"kind": e.kind, "message": e.message} for e in decision.log],
                "commands": [c.action for c in decision.commands],
                "refused": any(e.kind.endswith("refused") or e.data.get("refused")
                               for e in decision.log)}

    def _user(self, request: dict[str, Any]) -> tuple[str, str]:
        name = str(request.get("user") or "")
        user = self.host.site.user(name)
        if user is None:
            known = ", ".join(u.name for u in self.host.site.users)
            raise ControlError(f"user {name!r} is not in [[users]] of {self.host.site.path}. "
                               f"Fix: pass --user with one of: {known}")
        return user.name, user.role


def _answers(path: str) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(path)
        except OSError:
            return False
    return True
