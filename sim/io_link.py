"""The sim board's I/O channel: a device's field terminals wired to its plant over TCP.

Line protocol (protocols/io_points.py): the device sends "<output> <int>" on every output change and
all outputs when it connects; we send "<input> <int>" for every input when it connects and on every
change. When the connection drops (power off, reboot) every output falls to its idle value: a
de-energised controller drives nothing.
"""

from __future__ import annotations

import asyncio

from sim.device_socket import DeviceSocket
from sim.plant import Plant

_MAX_LINE = 128


class IoLink(DeviceSocket):
    _LINK_ENDED = (ConnectionError, asyncio.LimitOverrunError, ValueError)

    def __init__(self, plant: Plant) -> None:
        super().__init__(limit=_MAX_LINE * 4)
        self.plant = plant
        self.bad_lines = 0  # malformed lines from the device
        self._sent: dict[str, int] = {}

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

    def _on_link(self) -> None:
        self._sent = {}
        self.push_inputs()

    def _on_drop(self) -> None:
        self.plant.outputs = self.plant.idle_outputs()  # a de-energised controller drives nothing

    async def _serve(self, reader: asyncio.StreamReader) -> None:
        while True:
            line = await reader.readline()
            if not line:
                return
            self._on_line(line)

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
