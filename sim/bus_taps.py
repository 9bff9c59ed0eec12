"""The drops of a simulated bus: the host's pty and the device UART sockets."""

from __future__ import annotations

import asyncio
import os
import termios
import tty

from sim.bus import TimedBus
from sim.device_socket import DeviceSocket

_READ_CHUNK = 4096
_SPEEDS = {
    getattr(termios, f"B{baud}"): baud
    for baud in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)
}


def wrong_speed_garbage(data: bytes) -> bytes:
    """What a UART at another speed makes of characters: framing garbage, never the bytes sent
    (a start bit sampled at the wrong rate reads other bits, and usually a framing error)."""
    return bytes((b ^ 0x5A) | 0x80 for b in data)


class PtyHostTap:
    """The host end of the line: a pty whose slave path (/dev/pts/N) the host opens as a serial port.

    The simulator keeps the slave side open itself, so the master never sees a hang-up when a host
    closes and reopens the port.

    A pty carries bytes at any speed, so the line speed the host set on its port (termios, read
    through the slave we hold) is compared with the bus's baud: when they differ, every character
    either way is garbled, as between two UARTs at different speeds.
    """

    name = "host"
    is_host = True

    def __init__(self, bus: TimedBus) -> None:
        self.connected = True
        self._bus = bus
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self._set_speed(bus.baud)  # until a host sets its own, the port runs at the bus's speed
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
            self._bus.transmit(self, self._at_line_speed(data))

    def _set_speed(self, baud: int) -> None:
        code = next((c for c, b in _SPEEDS.items() if b == baud), None)
        if code is None:
            return
        attrs = termios.tcgetattr(self._slave)
        attrs[4] = attrs[5] = code
        termios.tcsetattr(self._slave, termios.TCSANOW, attrs)

    def host_baud(self) -> int | None:
        """The speed the host's port is set to; None when it cannot be read."""
        try:
            return _SPEEDS.get(termios.tcgetattr(self._slave)[5])
        except (termios.error, OSError):
            return None

    def _at_line_speed(self, data: bytes) -> bytes:
        speed = self.host_baud()
        if speed is None or speed == self._bus.baud:
            return data
        self._bus.note_host_baud_mismatch(len(data))
        return wrong_speed_garbage(data)

    def deliver(self, data: bytes) -> None:
        data = self._at_line_speed(data)
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
