"""The host's diagnostics lane for technicians: `campusguard diag` through a running host.

Stopping the host to diagnose a bus leaves the campus unsupervised (issue 14: 30 s later the
firmware's comm-loss action stopped a gate mid-travel). So when a host owns a bus, `diag` sends
its raw Modbus requests here (DIR/diag.sock, unix socket, JSON lines, one client connection per
diag command) and the host puts them on the line in its scheduler's DIAGNOSTICS lane, between its
own polls: life-safety commands and alarm polls keep their priority, heartbeats keep flowing.

A request is the raw ADU the technician's tool built; the answer is every byte the line gave back
before the deadline the tool computed from the baud, untouched, so the tool judges answer,
exception, timeout, CRC error or framing error exactly as on a free port and prints the same.
The bytes go through a raw window on the host's own port: the scheduler's job closes pymodbus's
client, opens the port raw (pyserial), serves the requests queued by then (and those that follow
within a few milliseconds, up to a small line-time budget), and reopens pymodbus's client before
the next poll. One window holds the bus for at most WINDOW_BUDGET_S.

The same socket takes `maintenance` requests (controller/service/maintenance.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import struct
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import serial

from controller.bus.errors import BusUnavailable
from controller.bus.lanes import Lane
from protocols import rtu

if TYPE_CHECKING:
    from controller.bus.link import BusLink
    from controller.bus.scheduler import BusScheduler
    from controller.service.host import Host

SOCKET_NAME = "diag.sock"
SOCKET_MODE = 0o660
WINDOW_BUDGET_S = 0.25  # longest the line is lent to a technician in one diagnostics slot
FOLLOW_UP_S = 0.02  # a request arriving this soon after the last one rides the same window
MAX_LINE = 64 * 1024
_PARITY = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


@dataclass
class _Exchange:
    adu: bytes  # the request frame as the tool built it (unit, PDU, CRC)
    expect_bytes: int  # longest answer the tool expects (for the wire-time deadline)
    turnaround_s: float  # the device's think time the tool allows
    future: asyncio.Future


def _raw_exchange(port: serial.Serial, baud: int, item: _Exchange) -> dict[str, Any]:
    """In a worker thread: one request on the raw port; every byte back until the deadline (or
    until the line goes quiet after something arrived)."""
    stray = port.in_waiting
    if stray:
        port.reset_input_buffer()
    port.write(item.adu)
    port.flush()
    sent = time.monotonic()
    if item.adu[0] == rtu.BROADCAST:
        time.sleep((rtu.frame_time_us(len(item.adu), baud) + rtu.t35_us(baud)) / 1e6)
        return {"bytes": "", "stray": stray}
    deadline = sent + (rtu.frame_time_us(len(item.adu) + item.expect_bytes, baud)
                       + rtu.t35_us(baud)) / 1e6 + item.turnaround_s
    gap_s = max(rtu.t35_us(baud) / 1e6, 0.004)
    buf = bytearray()
    while True:
        now = time.monotonic()
        limit = deadline if not buf else min(deadline + 0.5, now + gap_s * 4)
        if now >= limit:
            break
        port.timeout = limit - now
        chunk = port.read(max(1, port.in_waiting))
        if not chunk:
            break
        buf += chunk
        if len(buf) >= 5 and _complete(buf, item.adu[0]):
            break
    time.sleep(rtu.t35_us(baud) / 1e6)  # silence before anyone's next frame
    return {"bytes": buf.hex(), "stray": stray}


def _complete(buf: bytearray, unit: int) -> bool:
    from protocols.crc import crc_ok
    from protocols.errors import ModbusError

    if buf[0] != unit:
        return False
    try:
        need = rtu.response_length(memoryview(buf), len(buf))
    except ModbusError:
        return False
    return bool(need) and len(buf) >= need and crc_ok(buf, need)


class _BusLane:
    """The technician's queue on one bus and the window job that drains it."""

    def __init__(self, scheduler: BusScheduler) -> None:
        self.scheduler = scheduler
        self.queue: asyncio.Queue[_Exchange] = asyncio.Queue()
        self._job_pending = False

    def submit(self, item: _Exchange) -> None:
        self.queue.put_nowait(item)
        if not self._job_pending:
            self._job_pending = True
            self.scheduler.submit(self._window, Lane.DIAGNOSTICS)

    async def _window(self, link: BusLink) -> None:
        self._job_pending = False
        started = time.monotonic()
        link.close()  # pymodbus lets go of the port; we hold the bus (we are the scheduler's job)
        try:
            port = await asyncio.to_thread(
                serial.serial_for_url, link.port, baudrate=link.baud,
                parity=_PARITY.get(link.parity, serial.PARITY_NONE), stopbits=link.stopbits,
                bytesize=8, timeout=0, exclusive=True)
        except (serial.SerialException, OSError) as exc:
            self._fail_all(f"cannot open {link.port} for diagnostics: {exc}")
            await self._reopen(link)
            return
        try:
            while time.monotonic() - started < WINDOW_BUDGET_S:
                try:
                    item = await asyncio.wait_for(self.queue.get(), FOLLOW_UP_S)
                except asyncio.TimeoutError:
                    break
                if item.future.done():
                    continue
                try:
                    result = await asyncio.to_thread(_raw_exchange, port, link.baud, item)
                except (serial.SerialException, OSError) as exc:
                    item.future.set_exception(BusUnavailable(str(exc)))
                    continue
                if not item.future.done():
                    item.future.set_result(result)
        finally:
            await asyncio.to_thread(port.close)
            await self._reopen(link)
            if not self.queue.empty() and not self._job_pending:
                self._job_pending = True  # the rest waits for the next diagnostics slot
                self.scheduler.submit(self._window, Lane.DIAGNOSTICS)

    async def _reopen(self, link: BusLink) -> None:
        with contextlib.suppress(BusUnavailable):
            await link.open()  # when it fails, the scheduler reopens it as for any lost port

    def _fail_all(self, message: str) -> None:
        while not self.queue.empty():
            item = self.queue.get_nowait()
            if not item.future.done():
                item.future.set_exception(BusUnavailable(message))


def peer_uid(writer: asyncio.StreamWriter) -> int | None:
    sock = writer.get_extra_info("socket")
    if sock is None:
        return None
    try:
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


class DiagRelay:
    def __init__(self, host: Host) -> None:
        self.host = host
        self.path = host.paths.root / SOCKET_NAME
        self._lanes = {s.link.port: _BusLane(s) for s in host.schedulers.values()}
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # ours: the state-dir lock says no other host is here
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path),
                                                       limit=MAX_LINE)
        os.chmod(self.path, SOCKET_MODE)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        uid = peer_uid(writer)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                try:
                    request = json.loads(line)
                    if not isinstance(request, dict):
                        raise ValueError("a request is a JSON object")
                    reply = await self.handle(request, uid)
                except (ValueError, KeyError, TypeError) as exc:
                    reply = {"ok": False, "error": f"malformed request: {exc}"}
                writer.write((json.dumps(reply) + "\n").encode())
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def handle(self, request: dict[str, Any], uid: int | None) -> dict[str, Any]:
        op = request.get("op")
        if op == "hello":
            return self._hello(str(request.get("port", "")))
        if op == "exchange":
            return await self._exchange(request)
        if op == "maintenance":
            return await self.host.maintenance.request(request, uid)
        return {"ok": False, "error": f"unknown op {op!r}: use hello, exchange or maintenance"}

    def _hello(self, port: str) -> dict[str, Any]:
        lane = self._lane(port)
        if lane is None:
            return {"ok": False, "error": f"this host does not run a bus on {port}; its buses: "
                    + ", ".join(f"{s.name}={s.link.port}" for s in self.host.schedulers.values())}
        link = lane.scheduler.link
        return {"ok": True, "bus": lane.scheduler.name, "port": link.port, "baud": link.baud,
                "parity": link.parity, "stopbits": link.stopbits, "host_pid": os.getpid(),
                "devices": [{"name": d.name, "unit": d.unit} for d in lane.scheduler.devices]}

    def _lane(self, port: str) -> _BusLane | None:
        if port in self._lanes:
            return self._lanes[port]
        real = os.path.realpath(port)
        for known, lane in self._lanes.items():
            if os.path.realpath(known) == real:
                return lane
        return None

    async def _exchange(self, request: dict[str, Any]) -> dict[str, Any]:
        lane = self._lane(str(request["port"]))
        if lane is None:
            return self._hello(str(request["port"]))
        adu = bytes.fromhex(str(request["adu"]))
        if not 4 <= len(adu) <= 256:
            raise ValueError("adu must be a whole Modbus RTU frame (4..256 bytes)")
        future = asyncio.get_running_loop().create_future()
        lane.submit(_Exchange(adu, int(request.get("expect_bytes", 256)),
                              min(float(request.get("turnaround_s", 0.15)), 2.0), future))
        try:
            result = await asyncio.wait_for(future, 30)
        except BusUnavailable as exc:
            return {"ok": False, "error": str(exc)}
        except asyncio.TimeoutError:
            future.cancel()
            return {"ok": False, "error": "the host's bus did not give the request a slot in "
                    "30 s (the port is down?)"}
        return {"ok": True, **result}
