"""A third-party Modbus RTU slave on a simulated bus, emulated from its profile data.

It frames requests by their expected length (protocols.rtu.request_length), their CRC and silence, answers
only reads of the points its profile lists (anything else: exception 01 or 02, like the cheap
sensors it stands for), and replies t3.5 after the request's last character.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable

from protocols import errors, pdu, rtu
from protocols.crc import crc_ok
from sim.bus import TimedBus
from sim.profile_reader import Profile

# Bytes arrive in paced chunks over a socket-free in-process call, but the event loop can stall for
# milliseconds on a loaded host: a long silence clears the buffer, shorter ones are left to the hunt
# for a frame with a good CRC (see _hunt), so a stall never cuts a request in two.
_STALE_AFTER_S = 0.05


class ProfileSlave:
    def __init__(
        self,
        bus: TimedBus,
        name: str,
        unit: int,
        profile: Profile,
        point_values: Callable[[str], list[int]],
    ) -> None:
        self.name = name
        self.unit = unit
        self.profile = profile
        self.connected = True  # False while the drop is cut
        self.powered = True
        self.requests = 0  # requests addressed to this unit and answered
        self._bus = bus
        self._values = point_values
        self._buffer = bytearray()
        self._last_rx = float("-inf")

    def deliver(self, data: bytes) -> None:
        if not self.powered:
            return
        now = time.monotonic()
        if now - self._last_rx > _STALE_AFTER_S:
            self._buffer.clear()
        self._last_rx = now
        self._buffer.extend(data)
        frame = self._hunt()
        if frame is None:
            return
        unit, request = rtu.split_adu(frame)
        if unit not in (self.unit, rtu.BROADCAST):
            return
        reply = self._answer(bytes(request))
        if unit == rtu.BROADCAST or reply is None:
            return
        self.requests += 1
        adu = rtu.build_adu(self.unit, reply)
        asyncio.get_running_loop().call_later(self._bus.t35_s, self._send, adu)

    def _hunt(self) -> bytes | None:
        """The first complete request with a good CRC in the buffer, consumed with what precedes it.

        A master that does not keep t3.5 of silence after another slave's reply makes that reply
        run into its next request: hunting for a frame at every offset, as robust slaves do,
        recovers the request instead of losing it.
        """
        buf = self._buffer
        for offset in range(len(buf)):
            try:
                length = rtu.request_length(buf[offset:], len(buf) - offset)
            except errors.ModbusError:
                continue
            if not length or offset + length > len(buf):
                continue
            if crc_ok(buf[offset : offset + length]):
                frame = bytes(buf[offset : offset + length])
                del buf[: offset + length]
                return frame
        if len(buf) > rtu.MAX_ADU:
            del buf[: len(buf) - rtu.MAX_ADU]
        return None

    def _send(self, adu: bytes) -> None:
        if self.powered:
            self._bus.transmit(self, adu)

    def _answer(self, request: bytes) -> bytes | None:
        fc = request[0]
        try:
            fc, address, count, _ = pdu.decode_request(request)
        except errors.ModbusError as exc:
            code = exc.exception_code or errors.EXC_ILLEGAL_FUNCTION
            return pdu.encode_exception(fc, code)
        if fc not in (1, 2, 3, 4):
            return pdu.encode_exception(fc, errors.EXC_ILLEGAL_FUNCTION)
        values = self._read(fc, address, count)
        if values is None:
            return pdu.encode_exception(fc, errors.EXC_ILLEGAL_ADDRESS)
        if fc in (1, 2):
            return pdu.encode_read_bits_response(fc, values)
        return pdu.encode_read_registers_response(fc, values)

    def _read(self, fc: int, address: int, count: int) -> list[int] | None:
        bank: dict[int, int] = {}
        for point in self.profile.points:
            if point.function == fc:
                for offset, value in enumerate(self._values(point.name)[: point.count]):
                    bank[point.address + offset] = value
        wanted = range(address, address + count)
        if not all(a in bank for a in wanted):
            return None
        return [bank[a] for a in wanted]
