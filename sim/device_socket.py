"""A loopback TCP port that one simulated device process connects to (its UART or its I/O channel).

One link at a time: a device that reboots or is powered back on connects again and replaces its old
link. The listener owns the connection handler tasks and waits for them on close(). Subclasses say
what a link does: _on_link() when it comes up, _serve(reader) while it lasts, _on_drop() when it goes.
"""

from __future__ import annotations

import asyncio
import socket


class DeviceSocket:
    # read errors that only mean the link ended (a killed process, a reset connection)
    _LINK_ENDED: tuple[type[BaseException], ...] = (ConnectionError,)

    def __init__(self, limit: int = 2**16) -> None:
        self.link_up = asyncio.Event()  # the device is connected
        self.port = 0
        self._limit = limit  # asyncio StreamReader buffer limit
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.base_events.Server | None = None
        self._handlers: set[asyncio.Task] = set()

    async def listen(self) -> int:
        self._server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0, limit=self._limit)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self._drop_link()
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=1.0)
        if self._server is not None:
            await self._server.wait_closed()

    def _drop_link(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._on_drop()
        self.link_up.clear()

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._drop_link()  # a rebooted device replaces its old connection
        self._writer = writer
        self._on_link()
        self.link_up.set()
        try:
            await self._serve(reader)
        except self._LINK_ENDED:
            pass
        finally:
            if self._writer is writer:
                self._drop_link()
            else:
                writer.close()
            self._handlers.discard(task)

    # ---------------------------------------------------------------- what a link does
    def _on_link(self) -> None:
        """The device has just connected (self._writer is its link)."""

    def _on_drop(self) -> None:
        """The device's link has just gone (power off, reboot, simulator stopping)."""

    async def _serve(self, reader: asyncio.StreamReader) -> None:
        """Read from the device until it closes the link."""
        raise NotImplementedError
