"""Runs the console inside the host's asyncio loop: uvicorn on a socket we bind ourselves (so
listen port 0 works and a busy port is reported before anything starts), TLS from the site's
cert and key, and DIR/console.json {"url": ...} for scripts and tests.

A console that cannot start never stops the host: the campus is guarded with or without a page.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sys
from typing import TYPE_CHECKING

import uvicorn

from controller.console.live import LiveHub
from controller.site.console_section import is_local, split_listen
from protocols import events as E

if TYPE_CHECKING:
    from controller.service.host import Host

_LOG = logging.getLogger(__name__)
STOP_TIMEOUT_S = 3.0


class ConsoleStartError(Exception):
    """The console cannot listen where the site says; the message names the fix."""


class _HostedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the host's loop owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


class ConsoleServer:
    def __init__(self, host: Host) -> None:
        self.host = host
        self.settings = host.site.console
        self.url: str | None = None
        self.hub = LiveHub(host)
        self._server: _HostedServer | None = None
        self._task: asyncio.Task | None = None

    @property
    def info_path(self):
        return self.host.paths.root / "console.json"

    @property
    def _port_memo(self):
        """With listen port 0, the port of the last run: pages left open reconnect after a
        restart of the host instead of knocking on a port nobody serves."""
        return self.host.paths.root / ".console-port"

    def _last_port(self) -> int:
        try:
            return int(self._port_memo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0

    def _bind(self) -> socket.socket:
        host, port = split_listen(self.settings.listen)
        tls = bool(self.settings.cert)
        if not is_local(host) and not tls and not self.settings.allow_insecure_remote:
            raise ConsoleStartError(f"console listen {self.settings.listen} reaches beyond this "
                                    f"machine without TLS. Fix: give [console] cert and key in "
                                    f"{self.host.site.path}, or listen on 127.0.0.1")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        candidates = [port] if port else list(dict.fromkeys((self._last_port(), 0)))
        for index, candidate in enumerate(candidates):
            try:
                sock = _bound_socket(family, host, candidate)
                break
            except OSError as exc:
                if index == len(candidates) - 1:
                    raise ConsoleStartError(
                        f"console cannot listen on {self.settings.listen}: "
                        f"{exc.strerror or exc}. Fix: stop what uses that port, or set "
                        f"[console] listen in {self.host.site.path}") from exc
        sock.listen(128)
        self._port_memo.write_text(str(sock.getsockname()[1]), encoding="utf-8")
        sock.setblocking(False)
        return sock

    async def start(self) -> None:
        """Serve the console; raises ConsoleStartError (the host goes on without a console)."""
        sock = self._bind()
        bound_host, bound_port = sock.getsockname()[:2]
        tls = bool(self.settings.cert)
        shown = "127.0.0.1" if bound_host in ("0.0.0.0", "::") else bound_host
        shown = f"[{shown}]" if ":" in shown else shown
        self.url = f"{'https' if tls else 'http'}://{shown}:{bound_port}"
        from controller.console.app import create_app
        from controller.console.context import ConsoleContext
        from controller.console.identity_port import ConsoleIdentity

        ctx = ConsoleContext(self.host, ConsoleIdentity(self.host), self.hub, secure_cookie=tls)
        config = uvicorn.Config(create_app(ctx), lifespan="off", log_config=None,
                                access_log=False, timeout_graceful_shutdown=1,
                                ssl_certfile=self.settings.cert or None,
                                ssl_keyfile=self.settings.key or None)
        self._server = _HostedServer(config)
        await self.hub.start()
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="console")
        while not self._server.started:
            if self._task.done():
                await self._task  # raises what stopped it
                raise ConsoleStartError("the console stopped while starting")
            await asyncio.sleep(0.02)
        self.info_path.write_text(json.dumps({"url": self.url}) + "\n", encoding="utf-8")

    async def stop(self) -> None:
        await self.hub.close()  # ends every live stream, so uvicorn has no open response to wait for
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, STOP_TIMEOUT_S)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()
        with contextlib.suppress(FileNotFoundError):
            self.info_path.unlink()


def _bound_socket(family: int, host: str, port: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


async def start_console(host: Host) -> ConsoleServer | None:
    """The host's console, running; None (said on stderr and in the event log) when it cannot."""
    if not hasattr(host, "actions") or not hasattr(host, "operators"):
        print("campusguard: guard console not started: this host has no operator identity "
              "(host.actions, host.operators)", file=sys.stderr, flush=True)
        return None
    console = ConsoleServer(host)
    try:
        await console.start()
    except (ConsoleStartError, OSError) as exc:
        print(f"campusguard: guard console not started: {exc}", file=sys.stderr, flush=True)
        host.log(E.TROUBLE_FAULT, f"guard console not started: {exc}", device="console",
                 data={"error": str(exc)})
        await console.stop()
        return None
    print(f"campusguard guard console: {console.url}", flush=True)
    return console
