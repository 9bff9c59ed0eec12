"""The drops of a simulated bus: the host's pty and the device UART sockets."""

from __future__ import annotations

import asyncio
import os
import tty

from sim.bus import TimedBus
from sim.device_socket import DeviceSocket

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


class StreamTap(DeviceSocket):
    """A device's UART: the firmware process connects to a TCP port we listen on (sim board)."""

    _LINK_ENDED = (ConnectionError, asyncio.IncompleteReadError)

    def __init__(self, bus: TimedBus, name: str, paced: bool = False) -> None:
        super().__init__()
        self.name = name
        self.connected = True  # False while the drop is cut
        self.paced = paced  # False: fed whole bursts at the wire time of their last character
        self._bus = bus

    async def _serve(self, reader: asyncio.StreamReader) -> None:
        while True:
            data = await reader.read(_READ_CHUNK)
            if not data:
                return
            self._bus.transmit(self, data)

    def deliver(self, data: bytes) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(data)
