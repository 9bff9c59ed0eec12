"""The drops of a simulated bus: the host's pty and the device UART sockets."""

from __future__ import annotations

import asyncio
import os
import socket
import tty

from sim.bus import TimedBus

_READ_CHUNK = 4096


class PtyHostTap:
    """The host end of the line: a pty whose slave path (/dev/pts/N) the host opens as a serial port.

    The simulator keeps the slave side open itself, so the master never sees a hang-up when a host
    closes and reopens the port.
    """

    name = "host"
    is_host = True

    def __init__(self, bus: TimedBus) -> None:
        self.connected = True
        self._bus = bus
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)

    def start(self) -> None:
        asyncio.get_running_loop().add_reader(self._master, self._on_readable)

    def close(self) -> None:
        try:
            asyncio.get_running_loop().remove_reader(self._master)
        except RuntimeError:
            pass
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def _on_readable(self) -> None:
        try:
            data = os.read(self._master, _READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        if data:
            self._bus.transmit(self, data)

    def deliver(self, data: bytes) -> None:
        try:
            written = os.write(self._master, data)
        except BlockingIOError:
            written = 0
        except OSError:
            return
        if written < len(data):
            self._bus.note_host_overrun(len(data) - written)


class StreamTap:
    """A device's UART: the firmware process connects to a TCP port we listen on (sim board)."""

    def __init__(self, bus: TimedBus, name: str, paced: bool = False) -> None:
        self.name = name
        self.connected = True  # False while the drop is cut
        self.paced = paced  # False: fed whole bursts at the wire time of their last character
        self.link_up = asyncio.Event()  # the device's UART socket is connected
        self._bus = bus
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.base_events.Server | None = None
        self._handlers: set[asyncio.Task] = set()
        self.port = 0

    async def listen(self) -> int:
        self._server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self._drop_writer()
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=1.0)
        if self._server is not None:
            await self._server.wait_closed()

    def _drop_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.link_up.clear()

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._drop_writer()  # a rebooted device replaces its old connection
        self._writer = writer
        self.link_up.set()
        try:
            while True:
                data = await reader.read(_READ_CHUNK)
                if not data:
                    break
                self._bus.transmit(self, data)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if self._writer is writer:
                self._drop_writer()
            else:
                writer.close()
            self._handlers.discard(task)

    def deliver(self, data: bytes) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(data)
