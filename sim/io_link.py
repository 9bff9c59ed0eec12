"""The sim board's I/O channel: a device's field terminals wired to its plant over TCP.

Line protocol (protocols/io_points.py): the device sends "<output> <int>" on every output change and
all outputs when it connects; we send "<input> <int>" for every input when it connects and on every
change. When the connection drops (power off, reboot) every output falls to its idle value: a
de-energised controller drives nothing.
"""

from __future__ import annotations

import asyncio
import socket

from sim.plant import Plant

_MAX_LINE = 128


class IoLink:
    def __init__(self, plant: Plant) -> None:
        self.plant = plant
        self.link_up = asyncio.Event()
        self.bad_lines = 0  # malformed lines from the device
        self.port = 0
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.base_events.Server | None = None
        self._handlers: set[asyncio.Task] = set()
        self._sent: dict[str, int] = {}

    async def listen(self) -> int:
        self._server = await asyncio.start_server(
            self._on_connect, "127.0.0.1", 0, limit=_MAX_LINE * 4
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self._drop()
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=1.0)
        if self._server is not None:
            await self._server.wait_closed()

    def push_inputs(self) -> None:
        """Send the inputs that changed since the last push."""
        if self._writer is None or self._writer.is_closing():
            return
        lines = []
        for name, value in self.plant.inputs().items():
            if self._sent.get(name) != value:
                self._sent[name] = value
                lines.append(f"{name} {value}\n")
        if lines:
            self._writer.write("".join(lines).encode())

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.plant.outputs = self.plant.idle_outputs()
        self.link_up.clear()

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._drop()
        self._writer = writer
        self._sent = {}
        self.push_inputs()
        self.link_up.set()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                self._on_line(line)
        except (ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            if self._writer is writer:
                self._drop()
            else:
                writer.close()
            self._handlers.discard(task)

    def _on_line(self, line: bytes) -> None:
        parts = line.decode("ascii", "replace").split()
        if not parts:
            return
        if parts == ["?"]:
            self._sent = {}
            self.push_inputs()
            return
        if len(parts) != 2 or parts[0] not in self.plant.outputs:
            self.bad_lines += 1
            return
        try:
            self.plant.set_output(parts[0], int(parts[1]))
        except ValueError:
            self.bad_lines += 1
