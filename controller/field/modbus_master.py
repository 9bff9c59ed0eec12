"""A small blocking Modbus RTU master for the field tools: the protocols/ codec over pyserial.

Why not pymodbus here (the guard-room host uses it): a technician's tool must say *what* went wrong
on the line. pymodbus's framer drops a frame with a bad CRC silently and reports a timeout, so
"noise or wrong baud" and "nobody there" look the same; here every request ends in exactly one of:
answer, exception, timeout, CRC error, frame error or wrong unit, and each is counted for
`diag bus`. It also lets `scan` use a deadline computed from the baud (wire time of both frames plus
the device turnaround) instead of a fixed timeout, which is what makes a 247-address scan quick.
One request at a time, no retries: the tool is interactive and the user sees every failure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import serial

from controller.field.bus_stats import SessionStats
from controller.field.errors import DeviceRefused, FieldError, NoDevice, WrongBaud
from controller.field.serial_link import SerialSettings
from protocols import pdu, rtu
from protocols.crc import crc_ok
from protocols.errors import EXCEPTION_NAMES, ExceptionResponse, FrameError, ModbusError

DEFAULT_TURNAROUND_S = 0.15  # device think time allowed after the request's last byte
DEFAULT_RETRIES = 2  # a lost frame is retried (and still counted); the bus view shows them all


@dataclass(frozen=True)
class Outcome:
    """How one request ended (for the bus statistics and the wrong-baud hint)."""

    kind: str  # "answer" | "exception" | "timeout" | "crc_error" | "frame_error" | "wrong_unit"
    received: int  # bytes received for this request


class NoAnswer(FieldError):
    """Internal: one request got no valid frame back (the caller decides how to explain it)."""

    def __init__(self, unit: int, outcome: Outcome) -> None:
        super().__init__("no valid answer from unit %d (%s)" % (unit, outcome.kind))
        self.unit = unit
        self.outcome = outcome


class ModbusMaster:
    relayed = False  # True: the line is a running host's diagnostics lane (host_relay.py)

    def __init__(self, port: serial.SerialBase, settings: SerialSettings, stats: SessionStats,
                 turnaround_s: float = DEFAULT_TURNAROUND_S,
                 retries: int = DEFAULT_RETRIES) -> None:
        self.port = port
        self.settings = settings
        self.stats = stats
        self.turnaround_s = turnaround_s
        self.retries = retries
        self._quiet_from = 0.0  # monotonic time the line last carried a byte we sent or saw

    def _wait_for_silence(self) -> None:
        """Serial line V1.02 §2.5.1.1: frames are separated by at least 3.5 character times.
        Every device hears every frame, answers included; a request sent too soon after the last
        answer merges with it in the receivers' framing and is discarded as garbage."""
        gap_s = rtu.t35_us(self.settings.baud) / 1e6 + 0.001  # +1 ms for adapter/pty jitter
        wait = self._quiet_from + gap_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    # ------------------------------------------------------------ raw exchange
    def exchange(self, unit: int, request_pdu: bytes, expect_bytes: int = 256) -> bytes:
        """Send one request and return the answer PDU (bytes), retrying a lost frame up to
        `retries` times (every attempt is counted). Raises NoAnswer when all attempts fail,
        ExceptionResponse for a Modbus exception. Unit 0 (broadcast) returns b"" at once."""
        for attempt in range(self.retries + 1):
            try:
                return self._exchange_once(unit, request_pdu, expect_bytes)
            except NoAnswer:
                if attempt == self.retries:
                    raise
        raise AssertionError("unreachable")

    def _exchange_once(self, unit: int, request_pdu: bytes, expect_bytes: int) -> bytes:
        adu = rtu.build_adu(unit, request_pdu)
        if unit != rtu.BROADCAST:
            self.stats.count(unit, "requests")
        frame = self._transact(unit, adu, expect_bytes)
        if unit == rtu.BROADCAST:
            return b""
        outcome = self._judge(unit, frame)
        if outcome.kind == "answer":
            self.stats.count(unit, "answers")
            return bytes(frame[1:-2])
        if outcome.kind == "exception":
            self.stats.count(unit, "answers")
            self.stats.count(unit, "exceptions")
            raise ExceptionResponse(frame[1] & 0x7F, frame[2])
        self.stats.count(unit, outcome.kind + ("s" if outcome.kind != "wrong_unit" else ""))
        raise NoAnswer(unit, outcome)

    def _transact(self, unit: int, adu: bytes, expect_bytes: int) -> bytearray:
        """Put adu on the line; the answer frame from unit, or what arrived instead (judged by
        the caller). A relay (controller/field/host_relay.py) replaces only this."""
        stray = self.port.in_waiting
        if stray:
            self.port.reset_input_buffer()
            self.stats.count(unit, "stray_bytes", stray)
        baud = self.settings.baud
        self._wait_for_silence()
        self.port.write(adu)
        self.port.flush()
        sent = time.monotonic()
        self._quiet_from = sent + rtu.frame_time_us(len(adu), baud) / 1e6
        if unit == rtu.BROADCAST:
            return bytearray()
        wire_s = (rtu.frame_time_us(len(adu) + expect_bytes, baud) + rtu.t35_us(baud)) / 1e6
        frame = self._read_frame(unit, sent + wire_s + self.turnaround_s)
        if frame:
            self._quiet_from = max(self._quiet_from, time.monotonic())
        return frame

    def _read_frame(self, unit: int, deadline: float) -> bytearray:
        """The answer from unit: the first valid frame in what arrives, so a noise burst on the
        idle line before the answer does not spoil it (the bytes before it are counted as stray).
        Without a valid frame, everything that arrived until the line went quiet (judged as
        garbage) or nothing (a timeout)."""
        buf = bytearray()
        gap_s = max(rtu.t35_us(self.settings.baud) / 1e6, 0.004)  # OS and pty jitter floor
        while True:
            now = time.monotonic()
            limit = deadline if not buf else min(deadline + 0.5, now + gap_s * 4)
            if now >= limit:
                return buf
            self.port.timeout = limit - now
            chunk = self.port.read(max(1, self.port.in_waiting))
            if not chunk:
                return buf
            buf += chunk
            start, end = _find_frame(buf, unit)
            if end:
                if start:
                    self.stats.count(unit, "stray_bytes", start)
                return buf[start:end]

    def _judge(self, unit: int, frame: bytearray) -> Outcome:
        if not frame:
            return Outcome("timeout", 0)
        try:
            got_unit, body = rtu.split_adu(frame)
        except FrameError as exc:
            kind = "crc_error" if type(exc).__name__ == "CrcError" else "frame_error"
            return Outcome(kind, len(frame))
        if got_unit != unit:
            return Outcome("wrong_unit", len(frame))
        if body[0] & 0x80:
            return Outcome("exception", len(frame))
        return Outcome("answer", len(frame))

    # ------------------------------------------------------------ typed requests
    def read_registers(self, unit: int, address: int, count: int, fc: int = 3) -> list[int]:
        answer = self.exchange(unit, pdu.read_request(fc, address, count), 5 + 2 * count)
        return list(pdu.decode_response(fc, answer))[:count]

    def read_bits(self, unit: int, address: int, count: int, fc: int = 2) -> list[int]:
        answer = self.exchange(unit, pdu.read_request(fc, address, count), 5 + (count + 7) // 8)
        return list(pdu.decode_response(fc, answer))[:count]

    def write_register(self, unit: int, address: int, value: int) -> None:
        answer = self.exchange(unit, pdu.write_single_request(6, address, value), 8)
        if unit != rtu.BROADCAST:
            pdu.decode_response(6, answer)

    def diagnostic(self, unit: int, subfunction: int, data: int = 0) -> int:
        answer = self.exchange(unit, pdu.diagnostics_request(subfunction, data), 8)
        return pdu.decode_response(8, answer)[1]

    def device_id(self, unit: int) -> dict:
        answer = self.exchange(unit, pdu.device_id_request(1, 0), 256)
        return pdu.decode_response(0x2B, answer)


def _find_frame(buf: bytearray, unit: int) -> tuple[int, int]:
    """(start, end) of the first complete frame from unit with a good CRC in buf; (0, 0) if none
    yet."""
    for start in range(len(buf) - 3):
        if buf[start] != unit:
            continue
        view = memoryview(buf)[start:]
        try:
            need = rtu.response_length(view, len(view))
        except ModbusError:
            continue
        if need and len(view) >= need and crc_ok(view, need):
            return start, start + need
    return 0, 0


def explain_exception(exc: ExceptionResponse, what: str) -> DeviceRefused:
    name = EXCEPTION_NAMES.get(exc.code, "exception %d" % exc.code)
    hints = {
        1: "the device does not support this request (a third-party device? try --profile)",
        2: "that register does not exist on this device (or is read-only for writes)",
        3: "the value is outside the register's range: see `campusguard diag read --list`",
        6: "the device is busy: try again in a moment",
    }
    return DeviceRefused("%s refused: exception %d (%s)" % (what, exc.code, name),
                         hints.get(exc.code, ""), exc.code)


def explain_no_answer(master: ModbusMaster, unit: int, outcome: Outcome,
                      probe_other_bauds: bool = True) -> FieldError:
    """Turn a failed request into NoDevice or WrongBaud, trying the other standard speeds so the
    hint can name the one the unit answers at."""
    settings = master.settings
    try:
        master.read_registers(unit, 0, 1)
        return NoDevice(
            "unit %d answers simple reads but this request got no valid answer (%s) in %d tries"
            % (unit, outcome.kind.replace("_", " "), master.retries + 1),
            "a busy or noisy bus, or a slow device: see `campusguard diag bus`; try a longer "
            "--timeout or more --retries")
    except ExceptionResponse:
        pass
    except (NoAnswer, ModbusError):
        pass
    if probe_other_bauds and settings.port and "://" not in settings.port and not master.relayed:
        found = probe_bauds(master, unit)
        if found:
            return WrongBaud(
                "unit %d answers at %d baud, not %d" % (unit, found, settings.baud),
                "try --baud %d" % found,
            )
    other = 19200 if settings.baud != 19200 else 115200
    if outcome.kind in ("crc_error", "frame_error"):
        return WrongBaud(
            "unit %d: bytes came back but not as a valid frame (%s) at %d baud %s%d"
            % (unit, outcome.kind.replace("_", " "), settings.baud, settings.parity,
               settings.stopbits),
            "wrong baud or parity? try --baud %d (or 9600/38400/57600/115200, --parity E)" % other,
        )
    if outcome.kind == "wrong_unit":
        return NoDevice("unit %d: another unit answered in its place" % unit,
                        "two devices share an address? run `campusguard diag scan`")
    return NoDevice(
        "no answer from unit %d on %s" % (unit, settings.describe()),
        "check the unit address (`campusguard diag scan`), A/B wiring and power; if the bus "
        "runs at another speed try --baud %d" % other,
    )


def probe_bauds(master: ModbusMaster, unit: int) -> int:
    """The standard baud (other than the current one) at which unit answers; 0 if none."""
    port = master.port
    original = master.settings.baud
    try:
        for baud in (19200, 9600, 115200, 38400, 57600):
            if baud == original:
                continue
            port.baudrate = baud
            probe = ModbusMaster(port, SerialSettings(master.settings.port, baud,
                                                      master.settings.parity,
                                                      master.settings.stopbits),
                                 SessionStats(port=master.settings.port), master.turnaround_s, 0)
            try:
                probe.read_registers(unit, 0, 1)
                return baud
            except ExceptionResponse:
                return baud
            except (NoAnswer, ModbusError):
                continue
    finally:
        port.baudrate = original
    return 0
