"""One serial line through pymodbus: open/reopen, and single transactions with our own timeouts.

pymodbus's retries are off (retries=0) and its reconnect loop is off (reconnect_delay=0): the
scheduler decides what to retry and when to reopen, so nothing inside pymodbus can hold the bus.
"""

from __future__ import annotations

import asyncio
import logging
import time

from pymodbus.client import AsyncModbusSerialClient
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException
from pymodbus.pdu import DecodePDU

from controller.bus.errors import BusUnavailable, DeviceRefused, DeviceTimeout
from controller.bus.rtu_hunt import HuntingFramerRTU
from controller.bus.timing import (
    READ_REQUEST_BYTES,
    WRITE_SINGLE_BYTES,
    BusTiming,
    read_response_bytes,
    write_multiple_request_bytes,
)

_LOG = logging.getLogger(__name__)
_OUTER_MARGIN_S = 0.25  # our deadline beyond pymodbus's own per-request timeout

logging.getLogger("pymodbus").setLevel(logging.CRITICAL)  # its timeouts are our normal offline path

BROADCAST_UNIT = 0
QUIET_MARGIN_S = 0.0005  # scheduling slack on top of t3.5


class BusLink:
    """A Modbus RTU master on one port (serial device path or socket:// URL)."""

    def __init__(self, name: str, port: str, baud: int, parity: str = "N", stopbits: int = 1,
                 timing: BusTiming | None = None):
        self.name = name
        self.port = port
        self.baud = baud
        self.parity = parity
        self.stopbits = stopbits
        self.timing = timing or BusTiming(baud)
        self._client: AsyncModbusSerialClient | None = None
        self._quiet_at = 0.0  # monotonic time from which the line has been silent for t3.5

    async def _wait_quiet(self) -> None:
        """Modbus RTU: a frame may start only after t3.5 of silence (modbus.org V1.02 §2.5.1.1).
        pymodbus hands us a response as soon as it is parsed, so the gap is ours to keep."""
        delay = self._quiet_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def _line_busy_until(self, extra_s: float = 0.0) -> None:
        self._quiet_at = time.monotonic() + self.timing.t35_s + QUIET_MARGIN_S + extra_s

    @property
    def is_open(self) -> bool:
        return self._client is not None and self._client.connected

    async def open(self) -> None:
        """Open (or reopen) the port; BusUnavailable when it is not there."""
        self.close()
        client = AsyncModbusSerialClient(
            self.port,
            baudrate=self.baud,
            parity=self.parity,
            stopbits=self.stopbits,
            timeout=1.0,  # replaced per request by a timeout computed from the baud rate
            retries=0,
            reconnect_delay=0,
            name=f"bus-{self.name}",
        )
        try:
            ok = await asyncio.wait_for(client.connect(), timeout=2.0)
        except (OSError, asyncio.TimeoutError, ModbusException) as exc:
            client.close()
            raise BusUnavailable(f"bus {self.name!r}: cannot open {self.port}: {exc}. "
                                 "Fix: check the adapter is plugged in and the port name") from exc
        if not ok:
            client.close()
            raise BusUnavailable(f"bus {self.name!r}: cannot open {self.port}. "
                                 "Fix: check the adapter is plugged in and the port name")
        if not self.port.startswith("tcp://"):
            client.ctx.framer = HuntingFramerRTU(DecodePDU(False))  # replies inside noise
        self._client = client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _ready(self) -> AsyncModbusSerialClient:
        if not self.is_open:
            raise BusUnavailable(f"bus {self.name!r}: port {self.port} is not open")
        assert self._client is not None
        return self._client

    async def _execute(self, call, timeout_s: float, what: str, expect: str | None = None):
        """expect: the attribute the reply must have ("registers", "bits")."""
        client = self._ready()
        client.ctx.comm_params.timeout_connect = timeout_s  # pymodbus reads it per attempt
        await self._wait_quiet()
        try:
            # pymodbus applies timeout_s itself; this outer deadline is ours, so a transaction that
            # pymodbus never ends (the peer vanished mid-frame) cannot hold the bus either.
            response = await asyncio.wait_for(call(client), timeout_s + _OUTER_MARGIN_S)
        except (ModbusIOException, asyncio.TimeoutError) as exc:
            self._line_busy_until()
            if not self.is_open:
                raise BusUnavailable(f"bus {self.name!r}: port {self.port} vanished") from exc
            raise DeviceTimeout(f"bus {self.name!r}: {what}: no response in {timeout_s * 1000:.0f} ms") from exc
        except ConnectionException as exc:
            raise BusUnavailable(f"bus {self.name!r}: port {self.port} lost: {exc}") from exc
        except ModbusException as exc:
            raise DeviceTimeout(f"bus {self.name!r}: {what}: {exc}") from exc
        self._line_busy_until()
        if response.isError():
            code = getattr(response, "exception_code", 0)
            raise DeviceRefused(f"bus {self.name!r}: {what}: exception {code}", code)
        if expect is not None and not hasattr(response, expect):
            raise DeviceTimeout(f"bus {self.name!r}: {what}: garbled reply "
                                f"({type(response).__name__})")
        return response

    async def read(self, unit: int, function: int, address: int, count: int) -> list[int]:
        """Read count registers (fc 3/4) or bits (fc 1/2); bits are trimmed to count."""
        timeout = self.timing.timeout_s(READ_REQUEST_BYTES, read_response_bytes(function, count))
        what = f"unit {unit} fc {function} read {address}+{count}"
        if function == 3:
            response = await self._execute(
                lambda c: c.read_holding_registers(address, count=count, device_id=unit), timeout, what,
                "registers")
            return list(response.registers)
        if function == 4:
            response = await self._execute(
                lambda c: c.read_input_registers(address, count=count, device_id=unit), timeout, what,
                "registers")
            return list(response.registers)
        if function == 2:
            response = await self._execute(
                lambda c: c.read_discrete_inputs(address, count=count, device_id=unit), timeout, what, "bits")
            return [int(b) for b in response.bits[:count]]
        if function == 1:
            response = await self._execute(
                lambda c: c.read_coils(address, count=count, device_id=unit), timeout, what, "bits")
            return [int(b) for b in response.bits[:count]]
        raise ValueError(f"function {function} is not a read")

    async def write(self, unit: int, address: int, values: tuple[int, ...]) -> None:
        """FC 06 for one register, FC 16 for several; waits for the echo."""
        if len(values) == 1:
            timeout = self.timing.timeout_s(WRITE_SINGLE_BYTES, WRITE_SINGLE_BYTES)
            await self._execute(
                lambda c: c.write_register(address, values[0], device_id=unit), timeout,
                f"unit {unit} write {address}={values[0]}")
        else:
            timeout = self.timing.timeout_s(write_multiple_request_bytes(len(values)), 8)
            await self._execute(
                lambda c: c.write_registers(address, list(values), device_id=unit), timeout,
                f"unit {unit} write {address}+{len(values)}")

    async def broadcast(self, address: int, value: int) -> None:
        """One FC 06 frame to unit 0: every device acts, none answers. Returns once the frame has
        had its wire time, t3.5 and the settle time, so the next frame cannot run into it."""
        client = self._ready()
        await self._wait_quiet()
        try:
            await asyncio.wait_for(
                client.write_register(address, value, device_id=BROADCAST_UNIT,
                                      no_response_expected=True),
                self.timing.frame_s(WRITE_SINGLE_BYTES) + _OUTER_MARGIN_S)
        except ConnectionException as exc:
            raise BusUnavailable(f"bus {self.name!r}: port {self.port} lost: {exc}") from exc
        except asyncio.TimeoutError as exc:
            raise BusUnavailable(f"bus {self.name!r}: broadcast could not be written to "
                                 f"{self.port}") from exc
        # the frame's own wire time, then t3.5, then the settle time every device gets
        self._line_busy_until(self.timing.frame_s(WRITE_SINGLE_BYTES) + self.timing.broadcast_settle_s)
        await self._wait_quiet()
