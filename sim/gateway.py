"""An RS-485-to-Ethernet gateway in front of a simulated RTU bus, in both usual flavours.

  framing "rtu"  RTU over TCP (transparent): every byte a TCP client sends goes on the line as is,
                 every byte heard on the line goes back to the client. The master keeps the RTU
                 framing (CRC, t3.5) itself.
  framing "tcp"  Modbus TCP: the client sends MBAP + PDU; the gateway turns it into an RTU frame
                 (unit + PDU + CRC), puts it on the line after t3.5 of silence, waits for the
                 reply, and answers MBAP + PDU. No reply within `response_timeout_s`: exception
                 0x0B (gateway target device failed to respond), as real gateways do. A frame to
                 unit 0 (broadcast) is put on the line and not answered.

The gateway is one more drop (tap) on the TimedBus, so its frames take their wire time, collide,
and suffer the bus's noise like the host's. One request at a time per gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from protocols import rtu
from sim.bus import TimedBus

MBAP_BYTES = 7
GATEWAY_NO_RESPONSE = 0x0B  # Modbus exception: gateway target device failed to respond


class TcpGateway:
    """Serve `bus` on host:port (port 0 picks a free one; see .port after start())."""

    def __init__(self, bus: TimedBus, framing: str = "tcp", host: str = "127.0.0.1", port: int = 0,
                 response_timeout_s: float = 0.1):
        if framing not in ("tcp", "rtu"):
            raise ValueError(f"framing must be 'tcp' or 'rtu', not {framing!r}")
        self.bus = bus
        self.framing = framing
        self.host = host
        self.port = port
        self.response_timeout_s = response_timeout_s
        self.name = f"gateway-{framing}"
        self.connected = True
        self.paced = False  # fed whole bursts: the RTU reply arrives in one piece
        self.requests = 0
        self.no_response = 0
        self._server: asyncio.base_events.Server | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._heard = bytearray()
        self._heard_event = asyncio.Event()
        self._lock = asyncio.Lock()
        self._last_heard = 0.0
        self._handlers: set[asyncio.Task] = set()

    # ------------------------------------------------------------------ Tap
    def deliver(self, data: bytes) -> None:
        self._last_heard = time.monotonic()
        if self.framing == "rtu":
            if self._writer is not None and not self._writer.is_closing():
                self._writer.write(data)
            return
        self._heard += data
        self._heard_event.set()

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self.bus.attach(self)
        self._server = await asyncio.start_server(self._client, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.bus.detach(self)
        if self._writer is not None:
            self._writer.close()
        for task in list(self._handlers):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            self._server = None

    @property
    def url(self) -> str:
        """What the host's site file names: socket://h:p (RTU over TCP) or tcp://h:p (Modbus TCP)."""
        return f"{'socket' if self.framing == 'rtu' else 'tcp'}://{self.host}:{self.port}"

    # ------------------------------------------------------------------ serving
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.close()  # one master at a time, like a gateway in single-master mode
        self._writer = writer
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            if self.framing == "rtu":
                while data := await reader.read(512):
                    await self._quiet()
                    self.bus.transmit(self, data)
            else:
                while True:
                    header = await reader.readexactly(MBAP_BYTES)
                    length = int.from_bytes(header[4:6], "big")
                    pdu = await reader.readexactly(max(length - 1, 0))
                    async with self._lock:
                        reply = await self._transact(header[6], bytes(pdu))
                    if reply is not None:
                        writer.write(header[:4] + (len(reply) + 1).to_bytes(2, "big")
                                     + header[6:7] + reply)
                        await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._handlers.discard(task)  # type: ignore[arg-type]
            writer.close()
            if self._writer is writer:
                self._writer = None

    async def _quiet(self) -> None:
        """An RTU master keeps t3.5 of silence after the last character it heard."""
        wait = self._last_heard + self.bus.t35_s - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _transact(self, unit: int, pdu: bytes) -> bytes | None:
        """One RTU transaction for a Modbus TCP request: the reply PDU, or None (broadcast)."""
        self.requests += 1
        await self._quiet()
        self._heard.clear()
        frame = rtu.build_adu(unit, pdu)
        self.bus.transmit(self, frame)
        if unit == 0:
            await asyncio.sleep(self.bus.wire_time_s(len(frame)) + self.bus.t35_s)
            return None
        deadline = time.monotonic() + self.bus.wire_time_s(len(frame)) + self.response_timeout_s
        while time.monotonic() < deadline:
            reply = self._reply(unit)
            if reply is not None:
                return reply
            self._heard_event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._heard_event.wait(), max(deadline - time.monotonic(), 0.001))
        self.no_response += 1
        return bytes([pdu[0] | 0x80, GATEWAY_NO_RESPONSE])

    def _reply(self, unit: int) -> bytes | None:
        """The reply PDU once a whole, valid RTU frame from `unit` is heard (garbage is dropped)."""
        buf = self._heard
        while len(buf) >= 2:
            try:
                need = rtu.response_length(buf, len(buf))
            except (rtu.UnknownFunction, rtu.OversizeFrame):
                del buf[0]
                continue
            if need == 0 or len(buf) < need:
                return None
            try:
                got_unit, pdu = rtu.split_adu(bytes(buf[:need]))
            except (rtu.CrcError, rtu.TruncatedFrame, rtu.OversizeFrame):
                del buf[0]  # resynchronise on the next byte: noise, or a reply garbled by it
                continue
            del buf[:need]
            if got_unit == unit:
                return bytes(pdu)
        return None
