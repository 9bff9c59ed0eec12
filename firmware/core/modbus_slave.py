# Modbus RTU slave on a board byte channel (Modbus over serial line V1.02 §2.5.1).
# A frame ends when the bytes the function code implies have arrived (protocols.rtu.request_length)
# or, for a function whose length is unknown, at t3.5 of silence. A CRC error or a frame too long
# for the buffer discards everything up to the next t3.5 silence (the spec's resynchronisation).
# Replies go out no earlier than t3.5 after the request's last byte. Broadcasts (unit 0) are acted
# on and never answered. Receive and transmit buffers are allocated once.
import asyncio
from array import array

from core.ticks import ticks_diff, ticks_us
from protocols import pdu_codes as P
from protocols import rtu
from protocols.crc import crc_ok
from protocols.errors import BadCount, FrameError, OversizeFrame, UnknownFunction
from protocols.pdu_reply_encode import (
    encode_diagnostics_into,
    encode_exception_into,
    encode_read_registers_into,
    encode_write_multiple_into,
    encode_write_single_into,
)
from protocols.pdu_request_decode import decode_request

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


_IDLE_WAIT_MS = const(500)  # longest wait for a first byte: the supervisor hears from us this often
_RX_SIZE = const(320)  # an ADU is <= 256 bytes; slack for bytes of the next frame

# diagnostics counters, FC 08 sub-functions 0x0B..0x12 in order
_BUS_MESSAGES = const(0)
_BUS_COMM_ERRORS = const(1)
_BUS_EXCEPTIONS = const(2)
_SERVER_MESSAGES = const(3)
_SERVER_NO_RESPONSE = const(4)
_SERVER_NAK = const(5)
_SERVER_BUSY = const(6)
_CHAR_OVERRUN = const(7)


class ModbusSlave:
    def __init__(self, uart, device, baud, identity, alive=None, reboot=None):
        self.uart = uart
        self.device = device
        self.identity = identity  # ((object_id, bytes), ...) for FC 2B/0E
        self.alive = alive or (lambda: None)
        self.reboot = reboot  # reboot(cause): the board's reset, after a config commit/reboot
        self.rx = bytearray(_RX_SIZE)
        self.tx = bytearray(rtu.MAX_ADU)
        self.counters = array("H", (0 for _ in range(8)))
        self.t35_us = rtu.t35_us(baud)
        # Silence that ends a frame: t3.5 from the baud rate, but never shorter than what the board's
        # channel can resolve (a TCP byte channel on a busy host jitters by milliseconds).
        gap_us = max(self.t35_us, uart.min_gap_us)
        self.gap_ms = (gap_us + 999) // 1000
        self.last_rx_us = 0
        self._n = 0  # bytes in rx after the last receive
        self.turnaround_us = 0  # last request end -> reply start, for the report

    def _count(self, which):
        self.counters[which] = (self.counters[which] + 1) & 0xFFFF

    async def _recv(self, start, timeout_ms):
        n = await self.uart.recv(memoryview(self.rx)[start:], timeout_ms)
        if n:
            self.last_rx_us = ticks_us()
        return n

    async def _skip_to_silence(self):
        while await self._recv(0, self.gap_ms):
            self.alive()

    def _expected(self, length_of, n):
        """Frame length the request (or response) table expects: > 0, 0 = need more bytes,
        -1 = function unknown to the table, -2 = impossible (oversize)."""
        try:
            return length_of(self.rx, n)
        except UnknownFunction:
            return -1
        except OversizeFrame:
            return -2

    async def run(self):
        n = 0
        while True:
            if n == 0:
                n = await self._recv(0, _IDLE_WAIT_MS)
                self.alive()
                if n == 0:
                    continue
            consumed = await self._next_frame(n)
            if consumed < 0:  # garbage: everything up to the next silence is discarded
                self._count(_BUS_COMM_ERRORS)
                await self._skip_to_silence()
                n = 0
                continue
            n = self._n
            rest = n - consumed
            if rest > 0:
                self.rx[0:rest] = self.rx[consumed:n]
            n = rest

    async def _next_frame(self, n):
        """Collect and act on the frame at rx[0:]: a request (answered if it is ours), or another
        slave's reply on the shared bus (skipped without waiting for a silence, so a request that
        follows it closely is not lost). Returns the bytes used, or -1 for garbage."""
        rx = self.rx
        while True:
            self._n = n
            req = self._expected(rtu.request_length, n)
            if 0 < req <= n and crc_ok(rx, req):
                await self._handle(req)
                return req
            resp = self._expected(rtu.response_length, n)
            if 0 < resp <= n and crc_ok(rx, resp):
                self._count(_BUS_MESSAGES)  # another slave's reply
                return resp
            req_done = req < 0 or req <= n and req > 0
            resp_done = resp < 0 or resp <= n and resp > 0
            if req_done and resp_done and req != -1:
                return -1  # complete by both tables and neither checks out: corrupt
            if n >= _RX_SIZE:
                self._count(_CHAR_OVERRUN)
                return -1
            got = await self._recv(n, self.gap_ms)
            if not got:  # t3.5 silence ends the frame
                self._n = n
                if req == -1 and n >= rtu.MIN_ADU and crc_ok(rx, n):
                    await self._handle(n)  # a function this table does not know: exception 01
                    return n
                if req == -1 and n < rtu.MIN_ADU:
                    return -1
                self._count(_BUS_COMM_ERRORS)  # frame cut short by the silence
                return n
            n += got

    async def _handle(self, length):
        """Process one frame; False when it was corrupt (then resynchronise on silence)."""
        try:
            unit, pdu = rtu.split_adu(self.rx, length)
        except FrameError:
            self._count(_BUS_COMM_ERRORS)
            return False
        self._count(_BUS_MESSAGES)
        if unit != self.device.unit and unit != rtu.BROADCAST:
            return True
        self._count(_SERVER_MESSAGES)
        end = self._dispatch(pdu, unit == rtu.BROADCAST)
        # Only the master sends requests on a Modbus serial line, so a frame with a good CRC for
        # this unit, or a broadcast (also the master's), proves the host is alive and reaches us.
        # Counted after the reply is built: the first reply after a silence still shows comm_loss.
        self.device.host_contact()
        if unit == rtu.BROADCAST:
            self._count(_SERVER_NO_RESPONSE)
        elif end:
            self.tx[0] = unit
            end = rtu.finish_adu(self.tx, end)
            # Answer no earlier than t3.5 after the request's last byte: sleep the whole
            # milliseconds, then spin out the rest (ticks_ms sleeps may end up to 1 ms early).
            wait_us = self.t35_us - ticks_diff(ticks_us(), self.last_rx_us)
            if wait_us >= 1000:
                await asyncio.sleep_ms(wait_us // 1000)
            while ticks_diff(ticks_us(), self.last_rx_us) < self.t35_us:
                pass
            self.turnaround_us = ticks_diff(ticks_us(), self.last_rx_us)
            await self.uart.send(self.tx, end)
        if self.device.reboot_cause:
            await asyncio.sleep_ms(20)  # let the reply leave the transmitter
            self.reboot(self.device.reboot_cause)
        return True

    def _exception(self, fc, code):
        self._count(_BUS_EXCEPTIONS)
        return encode_exception_into(self.tx, 1, fc, code)

    def _dispatch(self, pdu, broadcast):
        """Reply PDU written at tx[1:]; returns its end, or 0 for no reply."""
        fc = pdu[0] if len(pdu) else 0
        try:
            fc, a, b, payload = decode_request(pdu)
        except UnknownFunction:
            return 0 if broadcast else self._exception(fc, 1)
        except BadCount:
            return 0 if broadcast else self._exception(fc, 3)
        except FrameError:
            return 0 if broadcast else self._exception(fc, 3)
        dev = self.device
        bank = dev.bank
        tx = self.tx
        if fc == P.FC_READ_HOLDING_REGISTERS or fc == P.FC_READ_INPUT_REGISTERS:
            if broadcast:
                return 0
            if not bank.span_ok(a, b):
                return self._exception(fc, 2)
            return encode_read_registers_into(tx, 1, fc, bank.values, bank.index(a), b)
        if fc == P.FC_WRITE_SINGLE_REGISTER:
            exc = dev.write(a, b)
            if exc:
                return 0 if broadcast else self._exception(fc, exc)
            return encode_write_single_into(tx, 1, fc, a, b)
        if fc == P.FC_WRITE_MULTIPLE_REGISTERS:
            exc = dev.write_many(a, b, payload)  # all checked first: a refused write changes nothing
            if exc:
                return 0 if broadcast else self._exception(fc, exc)
            return encode_write_multiple_into(tx, 1, fc, a, b)
        if broadcast:
            return 0
        if fc == P.FC_DIAGNOSTICS:
            if a == P.DIAG_RETURN_QUERY:
                return encode_diagnostics_into(tx, 1, a, b)
            if a == P.DIAG_CLEAR_COUNTERS:
                for i in range(8):
                    self.counters[i] = 0
                return encode_diagnostics_into(tx, 1, a, 0)
            return encode_diagnostics_into(tx, 1, a, self.counters[a - P.DIAG_BUS_MESSAGE_COUNT])
        if fc == P.FC_ENCAPSULATED:
            return self._device_id(a, b)
        return self._exception(fc, 1)  # coils and discrete inputs: this device has none

    def _device_id(self, read_code, object_id):
        objects = self.identity
        if read_code == P.READ_DEVICE_ID_SPECIFIC:
            if object_id >= len(objects):
                return self._exception(P.FC_ENCAPSULATED, 2)
            first, last = object_id, object_id + 1
        else:
            first = object_id if object_id < len(objects) else 0
            last = len(objects)
        tx = self.tx
        tx[1] = P.FC_ENCAPSULATED
        tx[2] = P.MEI_READ_DEVICE_ID
        tx[3] = read_code
        tx[4] = P.CONFORMITY_BASIC_STREAM_AND_INDIVIDUAL
        tx[5] = 0  # no more objects follow
        tx[6] = 0
        tx[7] = last - first
        p = 8
        for i in range(first, last):
            value = objects[i][1]
            tx[p] = objects[i][0]
            tx[p + 1] = len(value)
            tx[p + 2 : p + 2 + len(value)] = value
            p += 2 + len(value)
        return p
