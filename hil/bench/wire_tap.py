"""A wire tap: a pty the host opens instead of the bus port, forwarding every byte both ways.

The host sees an ordinary serial port (the tap's pty); the tap holds the real bus port (the
simulator's pty, or a USB RS-485 adapter). Every frame the host writes and every reply it gets is
split with protocols/rtu.py, time-stamped with time.monotonic() when its last byte passes the tap,
and decoded far enough for the benchmarks: which unit, which function, which registers and values.
Forwarding happens in the same callback that reads the bytes, so the tap adds one pty hop (tens
of microseconds), not a scheduling delay.
"""

from __future__ import annotations

import asyncio
import os
import termios
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field

from protocols import rtu
from protocols.errors import ModbusError

_FC_READ_HOLDING = 3
_FC_READ_INPUT = 4
_FC_WRITE_SINGLE = 6
_FC_WRITE_MULTIPLE = 16
# A silence this long inside what should be one frame means we lost sync: start over. The host
# writes each frame in one go, so any gap over a few ms is between frames.
_RESYNC_GAP_S = 0.005


class WireTapError(OSError):
    """The tap cannot open or hold the bus port."""


@dataclass(frozen=True)
class Frame:
    t: float  # time.monotonic() when the frame's last byte passed the tap
    to_bus: bool  # True: written by the host; False: a reply coming back to it
    unit: int
    fc: int
    pdu: bytes  # function code onwards, without unit and CRC


@dataclass(frozen=True)
class RegisterWrite:
    t: float
    unit: int  # 0 = broadcast
    address: int
    values: tuple[int, ...]


@dataclass(frozen=True)
class RegisterRead:
    t: float  # when the reply's last byte passed the tap
    unit: int
    address: int
    values: tuple[int, ...]

    def value(self, address: int) -> int | None:
        offset = address - self.address
        return self.values[offset] if 0 <= offset < len(self.values) else None


@dataclass
class _Splitter:
    """Cuts a byte stream into RTU frames by their expected length."""

    length_of: Callable[[bytes | bytearray, int], int]
    buf: bytearray = field(default_factory=bytearray)
    last_t: float = 0.0

    def feed(self, data: bytes, t: float) -> list[bytes]:
        if self.buf and t - self.last_t > _RESYNC_GAP_S:
            self.buf.clear()
        self.last_t = t
        self.buf += data
        frames = []
        while len(self.buf) >= 2:
            try:
                need = self.length_of(self.buf, len(self.buf))
            except ModbusError:
                self.buf.clear()  # garbage (noise, collision): resync at the next silence
                break
            if not need or len(self.buf) < need:
                break
            frames.append(bytes(self.buf[:need]))
            del self.buf[:need]
        return frames


def _raw(fd: int) -> None:
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


class WireTap:
    """One bus: `path` is what the host opens; `upstream` is the real bus port."""

    def __init__(self, bus: str, upstream: str):
        self.bus = bus
        self.upstream = upstream
        self.frames: list[Frame] = []
        self.writes: list[RegisterWrite] = []
        self.reads: list[RegisterRead] = []
        self.bad_frames = 0  # CRC errors and unknown frames seen (noise, collisions)
        self.last_bad: list[tuple[float, bool, bytes]] = []  # the last few, for diagnosis
        self._to_bus = _Splitter(rtu.request_length)
        self._to_host = _Splitter(rtu.response_length)
        self._pending: Frame | None = None  # last host request, paired with its reply
        self._changed = asyncio.Event()
        self._master = self._slave = self._up = -1
        self.path = ""

    async def start(self) -> WireTap:
        try:
            self._up = os.open(self.upstream, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            raise WireTapError(
                "cannot open bus port %s for bus %r: %s. Fix: check the simulator is up (sim.json) "
                "or the adapter is plugged in and you may open it." % (self.upstream, self.bus, exc.strerror)
            ) from None
        _raw(self._up)
        self._master, self._slave = os.openpty()
        _raw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        loop = asyncio.get_running_loop()
        loop.add_reader(self._master, self._host_readable)
        loop.add_reader(self._up, self._bus_readable)
        return self

    def close(self) -> None:
        loop = asyncio.get_event_loop()
        for fd in (self._master, self._up):
            if fd >= 0:
                loop.remove_reader(fd)
        for fd in (self._master, self._slave, self._up):
            if fd >= 0:
                os.close(fd)
        self._master = self._slave = self._up = -1

    # ------------------------------------------------------------ forwarding
    def _host_readable(self) -> None:
        try:
            data = os.read(self._master, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return  # host closed its side (EIO on a pty); it may reopen the path
        t = time.monotonic()
        _write_all(self._up, data)
        for raw in self._to_bus.feed(data, t):
            self._record(raw, t, to_bus=True)

    def _bus_readable(self) -> None:
        try:
            data = os.read(self._up, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        t = time.monotonic()
        try:
            os.write(self._master, data)
        except OSError:
            pass  # the host is not reading (buffer full) or not there: lost, as on a real line
        for raw in self._to_host.feed(data, t):
            self._record(raw, t, to_bus=False)

    # ------------------------------------------------------------ decoding
    def _record(self, raw: bytes, t: float, to_bus: bool) -> None:
        try:
            unit, pdu = rtu.split_adu(raw)
        except ModbusError:
            self.bad_frames += 1
            self.last_bad = (self.last_bad + [(t, to_bus, raw)])[-8:]
            return
        pdu = bytes(pdu)
        frame = Frame(t, to_bus, unit, pdu[0], pdu)
        self.frames.append(frame)
        if to_bus:
            self._pending = frame
            self._record_write(frame)
        else:
            self._record_reply(frame)
        self._changed.set()

    def _record_write(self, frame: Frame) -> None:
        pdu = frame.pdu
        if frame.fc == _FC_WRITE_SINGLE and len(pdu) >= 5:
            self.writes.append(
                RegisterWrite(frame.t, frame.unit, int.from_bytes(pdu[1:3], "big"), (int.from_bytes(pdu[3:5], "big"),))
            )
        elif frame.fc == _FC_WRITE_MULTIPLE and len(pdu) >= 6:
            address = int.from_bytes(pdu[1:3], "big")
            count = int.from_bytes(pdu[3:5], "big")
            data = pdu[6 : 6 + 2 * count]
            values = tuple(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
            self.writes.append(RegisterWrite(frame.t, frame.unit, address, values))

    def _record_reply(self, frame: Frame) -> None:
        request, self._pending = self._pending, None
        if request is None or request.unit != frame.unit or request.fc != frame.fc:
            return
        if frame.fc in (_FC_READ_HOLDING, _FC_READ_INPUT) and len(request.pdu) >= 5:
            address = int.from_bytes(request.pdu[1:3], "big")
            data = frame.pdu[2 : 2 + frame.pdu[1]]
            values = tuple(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2))
            self.reads.append(RegisterRead(frame.t, frame.unit, address, values))

    # ------------------------------------------------------------ waiting
    async def wait_until(self, check: Callable[[], float | None], timeout_s: float) -> float | None:
        """Wait until check() returns a time (not None); None after timeout_s."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = check()
            if found is not None:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))
            except TimeoutError:
                pass

    def first_write(self, after: float, address: int, value: int, units: set[int]) -> float | None:
        """When `address` had been written with `value` for every unit in `units` (a broadcast
        counts for all) since `after`; None if not yet."""
        return self.commanded_at(after, {unit: {(address, value)} for unit in units})

    def commanded_at(self, after: float, accept: dict[int, set[tuple[int, int]]]) -> float | None:
        """When every unit in `accept` had received one of its accepted (address, value) writes
        since `after` (a broadcast write accepted by a unit counts for it); None if not yet."""
        missing = set(accept)
        for write in self.writes:
            if write.t < after:
                continue
            key = (write.address, write.values[0])
            if write.unit == rtu.BROADCAST:
                missing = {u for u in missing if key not in accept[u]}
            elif write.unit in missing and key in accept[write.unit]:
                missing.discard(write.unit)
            if not missing:
                return write.t
        return None

    def latest_reads(self, after: float) -> dict[int, list[RegisterRead]]:
        by_unit: dict[int, list[RegisterRead]] = {}
        for read in self.reads:
            if read.t >= after:
                by_unit.setdefault(read.unit, []).append(read)
        return by_unit

    def forget_before(self, t: float) -> None:
        """Drop records older than t (long benchmark runs)."""
        self.frames = [f for f in self.frames if f.t >= t]
        self.writes = [w for w in self.writes if w.t >= t]
        self.reads = [r for r in self.reads if r.t >= t]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    deadline = time.monotonic() + 0.05
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            if time.monotonic() > deadline:
                return  # the bus side is not draining: drop, as a jammed line would
            time.sleep(0.0001)  # pty buffer full (4 KiB); frames are <= 256 B so this is rare
            continue
        view = view[n:]
