"""The control socket: a unix socket in the state dir, JSON lines, one request per connection.
A thin skin over controller.service.actions: it learns who is calling from the socket itself
(SO_PEERCRED: uid -> OS account -> the operator mapped to it), or from the PIN of the operator
the request names, and hands the action to Actions.perform. No rule lives here.

Who may connect at all is the socket file's mode (0660: the host's user and the site's
[control] group). A lockdown is never refused: an unmapped account, a wrong PIN, an unknown zone
or no reason all still lock down, and the anomaly is logged.

Flood: one peer holding hundreds of idle connections must not stop a lockdown. The listen
backlog is large, a connection that sends no complete request within REQUEST_TIMEOUT_S is
closed, and each peer uid keeps at most MAX_PER_PEER connections waiting for a request: the
next one evicts that peer's oldest idle connection, so a new request is always read."""

from __future__ import annotations

import asyncio
import contextlib
import grp
import json
import os
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from controller.identity.errors import IdentityError, RateLimited
from controller.service.peer_identity import Peer, actor_for, peer_of
from protocols import events as E

if TYPE_CHECKING:
    from controller.service.host import Host

SOCKET_MODE = 0o660
MAX_REQUEST = 64 * 1024
BACKLOG = 4096  # Linux caps it at net.core.somaxconn (4096 on current kernels)
REQUEST_TIMEOUT_S = 3.0  # the CLI writes its request at once; an idle connection is dropped
MAX_PER_PEER = 32  # connections per uid waiting for their request line
MAX_CONNECTIONS = 512  # in all; the oldest idle one goes first


class ControlError(Exception):
    """A request the host refuses; the message says why and the fix."""


@dataclass
class _Conn:
    uid: int
    writer: asyncio.StreamWriter
    since: float
    idle: bool = True  # no complete request read yet


class ControlServer:
    def __init__(self, host: Host, group: str | None = None):
        self.host = host
        self.path = host.paths.control_socket
        self.group = group  # the site's [control] group: its members may act
        self._server: asyncio.AbstractServer | None = None
        self._conns: list[_Conn] = []
        self.evicted = 0  # idle connections closed to make room (flood evidence in status)

    async def start(self) -> None:
        if self.path.exists():
            if _answers(str(self.path)):
                raise ControlError(f"another host is running on {self.path}. Fix: stop it, or use "
                                   "another --state-dir")
            self.path.unlink()
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path),
                                                       limit=MAX_REQUEST, backlog=BACKLOG)
        os.chmod(self.path, SOCKET_MODE)
        if self.group:
            try:
                os.chown(self.path, -1, grp.getgrnam(self.group).gr_gid)
            except (KeyError, PermissionError) as exc:
                raise ControlError(f"cannot give the control socket to group {self.group!r} "
                                   f"({exc}). Fix: create the group (groupadd {self.group}) and "
                                   f"run the host as a member of it, or change [control] group "
                                   f"in {self.host.site.path}") from None

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for conn in list(self._conns):
                conn.writer.transport.abort()
            await self._server.wait_closed()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    # ------------------------------------------------------------ connections
    def _admit(self, conn: _Conn) -> None:
        """Room for conn: evict the oldest idle connection of the same peer over MAX_PER_PEER,
        and the oldest idle one overall over MAX_CONNECTIONS."""
        mine = [c for c in self._conns if c.idle and c.uid == conn.uid]
        if len(mine) >= MAX_PER_PEER:
            self._evict(mine[0])
        idle = [c for c in self._conns if c.idle]
        if len(self._conns) >= MAX_CONNECTIONS and idle:
            self._evict(idle[0])
        self._conns.append(conn)

    def _evict(self, conn: _Conn) -> None:
        with contextlib.suppress(ValueError):
            self._conns.remove(conn)
        self.evicted += 1
        conn.writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            peer = peer_of(writer.get_extra_info("socket"))
        except OSError:
            peer = Peer(0, -1, -1, None)
        conn = _Conn(peer.uid, writer, time.monotonic())
        self._admit(conn)
        try:
            line = await asyncio.wait_for(reader.readline(), timeout=REQUEST_TIMEOUT_S)
            conn.idle = False
            if not line:
                return
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ControlError("a request is a JSON object")
                reply = await self.handle(request, peer)
            except ControlError as exc:
                reply = {"ok": False, "error": str(exc)}
            except ValueError as exc:
                reply = {"ok": False, "error": f"malformed request: {exc}"}
            writer.write((json.dumps(reply) + "\n").encode())
            await writer.drain()
        except (asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError):
            pass
        finally:
            with contextlib.suppress(ValueError):
                self._conns.remove(conn)
            writer.close()

    # ------------------------------------------------------------ requests
    async def handle(self, request: dict[str, Any], peer: Peer) -> dict[str, Any]:
        verb = request.get("verb")
        host = self.host
        if verb == "status":
            return {"ok": True, "status": host.status()}
        lockdown = verb == "lockdown"
        try:
            actor, note = await actor_for(host.operators, peer, request, lockdown)
        except RateLimited as exc:
            await host.flush()  # the auth.rate_limited record is durable before the reply
            return {"ok": False, "error": str(exc), "retry_after_s": round(exc.retry_after_s, 1),
                    "result": "refused"}
        except IdentityError as exc:
            host.log(E.OPERATOR_ACTION, f"{verb} from {peer.origin} refused: {exc}",
                     user=request.get("user"), data={"action": verb, "origin": peer.origin,
                                                     "refused": True})
            await host.flush()
            return {"ok": False, "error": str(exc), "result": "refused"}
        if note:
            host.log(E.POLICY_DECISION, f"Lockdown from {peer.origin}: {note}; a lockdown is "
                     f"never refused.", user=actor.name, data={"origin": peer.origin,
                                                              "rule": "lockdown_never_refused"})
        result = await host.actions.perform(
            str(verb), actor, zone=request.get("zone"), reason=str(request.get("reason") or ""),
            device=request.get("device"), kind=request.get("kind"))
        reply = {**result.as_dict(), "refused": result.result == "refused",
                 "actor": {"name": actor.name, "role": actor.role, "method": actor.method}}
        if not result.ok:
            reply["error"] = result.message
        return reply


def _answers(path: str) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(path)
        except OSError:
            return False
    return True
