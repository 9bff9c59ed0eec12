"""A real Modbus RTU peer for the scheduler tests: pymodbus's server, RTU framing over TCP (the
host opens it as socket://, the same pyserial URL path as a serial port). Units listed in `dead`
never answer (their responses are swallowed on the way out), like a powered-off device."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket

from pymodbus import FramerType
from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext
from pymodbus.server import ModbusTcpServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer:
    def __init__(self, units: tuple[int, ...], dead: tuple[int, ...] = (), port: int = 0,
                 lose: float = 0.0, seed: int = 1):
        """lose: fraction of responses swallowed at random (a noisy line), seeded."""
        self.port = port or free_port()
        self.dead = set(dead)
        self.lose = lose
        self._random = random.Random(seed)
        self.lost = 0
        self.context = ModbusServerContext(
            devices={u: ModbusDeviceContext(hr=ModbusSequentialDataBlock(1, [0] * 200))
                     for u in units}, single=False)
        self.requests: dict[int, int] = {}
        self.written: dict[tuple[int, int], int] = {}  # (unit, address) -> value of the last FC 06
        self._server: ModbusTcpServer | None = None
        self._task: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def _trace(self, sending: bool, data: bytes) -> bytes:
        if data:
            unit = data[0]
            if not sending:
                self.requests[unit] = self.requests.get(unit, 0) + 1
                if len(data) >= 8 and data[1] == 6:
                    self.written[(unit, int.from_bytes(data[2:4], "big"))] = int.from_bytes(data[4:6], "big")
            elif unit in self.dead:
                return b""
            elif unit != 0 and self.lose and self._random.random() < self.lose:
                self.lost += 1
                return b""
        return data

    def register(self, unit: int, address: int) -> int | None:
        """Last value written to (unit, address) with FC 06, as the peer received it."""
        return self.written.get((unit, address))

    async def start(self) -> None:
        self._server = ModbusTcpServer(self.context, framer=FramerType.RTU,
                                       address=("127.0.0.1", self.port), broadcast_enable=True,
                                       trace_packet=self._trace)
        self._task = asyncio.create_task(self._server.serve_forever())
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.1):
                return
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._server is not None:
            # every wait has a deadline, a test peer's shutdown included
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.shutdown(), 5.0)
            self._server = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
