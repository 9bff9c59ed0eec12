"""A polite pymodbus master for the simulator tests: short timeouts, t3.5 kept between frames.

pymodbus 3.16 sends its next request as soon as a reply has arrived; a real RS-485 master must keep
t3.5 of silence first, so these helpers wait it out before every request. Like any field master
they retry a request that got no answer (ATTEMPTS in all): on a loaded 2-core host a device process
can miss a frame, and the tests are about the simulator, not about one lost frame.
"""

from __future__ import annotations

import asyncio

from pymodbus.client import AsyncModbusSerialClient
from pymodbus.exceptions import ModbusException

from protocols import rtu

ATTEMPTS = 3


class PoliteMaster:
    def __init__(self, port: str, baud: int, timeout_s: float = 0.3) -> None:
        self.client = AsyncModbusSerialClient(port, baudrate=baud, timeout=timeout_s, retries=0)
        self.gap_s = 2 * rtu.t35_us(baud) / 1e6

    async def __aenter__(self) -> PoliteMaster:
        assert await self.client.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.client.close()

    async def _call(self, request, attempts: int = ATTEMPTS):
        """The reply to request(), retried when nothing came back; None if never answered."""
        for _ in range(attempts):
            await asyncio.sleep(self.gap_s)
            try:
                return await request()
            except ModbusException:
                await asyncio.sleep(0.02)
        return None

    async def read(
        self, unit: int, address: int, count: int = 1, attempts: int = ATTEMPTS
    ) -> list[int] | None:
        """Holding registers, or None when the device did not answer or answered an exception."""
        reply = await self._call(
            lambda: self.client.read_holding_registers(address, count=count, device_id=unit),
            attempts,
        )
        return None if reply is None or reply.isError() else list(reply.registers)

    async def write(self, unit: int, address: int, value: int) -> bool:
        reply = await self._call(lambda: self.client.write_register(address, value, device_id=unit))
        return reply is not None and not reply.isError()

    async def identify(self, unit: int) -> dict[int, bytes] | None:
        reply = await self._call(
            lambda: self.client.read_device_information(read_code=1, object_id=0, device_id=unit)
        )
        return None if reply is None or reply.isError() else dict(reply.information)

    async def wait_for(
        self, unit: int, address: int, predicate, timeout_s: float
    ) -> list[int] | None:
        """Poll until predicate(registers) holds; the last reading (or None) after timeout_s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        values = None
        while loop.time() < deadline:
            values = await self.read(unit, address, 1)
            if values is not None and predicate(values[0]):
                return values
            await asyncio.sleep(0.05)
        return values
