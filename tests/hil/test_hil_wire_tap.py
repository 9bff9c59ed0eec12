"""The wire tap forwards bytes both ways over real ptys and time-stamps and decodes the frames."""

import asyncio
import os
import time
import tty

import serial

from hil.bench.wire_tap import WireTap
from protocols import pdu, registers, rtu


def _bus_pty():
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    os.set_blocking(master, False)
    return master, slave


async def _read_exact(fd, n, timeout=2.0):
    deadline = time.monotonic() + timeout
    out = b""
    while len(out) < n and time.monotonic() < deadline:
        try:
            out += os.read(fd, n - len(out))
        except BlockingIOError:
            await asyncio.sleep(0.002)
    return out


async def test_broadcast_mode_write_is_forwarded_and_timestamped():
    bus_master, bus_slave = _bus_pty()
    tap = await WireTap("gate-bus", os.ttyname(bus_slave)).start()
    host = serial.Serial(tap.path, 115200, timeout=0.5)
    try:
        frame = rtu.build_adu(0, pdu.write_single_request(6, 12, registers.MODE_LOCKDOWN))
        before = time.monotonic()
        host.write(frame)
        seen = await tap.wait_until(
            lambda: tap.first_write(before, 12, registers.MODE_LOCKDOWN, {1, 2, 3}), 2.0
        )
        assert seen is not None and before <= seen <= time.monotonic()
        assert await _read_exact(bus_master, len(frame)) == frame
        # a write of another value or before t0 does not count
        assert tap.first_write(before, 12, registers.MODE_FIRE, {1}) is None
        assert tap.first_write(seen + 1, 12, registers.MODE_LOCKDOWN, {1}) is None
    finally:
        host.close()
        tap.close()
        os.close(bus_master)
        os.close(bus_slave)


async def test_reply_is_paired_with_its_request_and_decoded():
    bus_master, bus_slave = _bus_pty()
    tap = await WireTap("b", os.ttyname(bus_slave)).start()
    host = serial.Serial(tap.path, 19200, timeout=1.0)
    try:
        request = rtu.build_adu(5, pdu.read_request(3, 101, 2))
        host.write(request)
        assert await _read_exact(bus_master, len(request)) == request
        reply = rtu.build_adu(5, pdu.encode_read_registers_response(3, [3, 1]))
        os.write(bus_master, reply[:4])  # split across two writes, as a paced bus delivers it
        await asyncio.sleep(0.001)
        os.write(bus_master, reply[4:])
        got = await tap.wait_until(lambda: tap.reads[-1].t if tap.reads else None, 2.0)
        assert got is not None
        read = tap.reads[-1]
        assert (read.unit, read.address, read.values) == (5, 101, (3, 1))
        assert read.value(102) == 1 and read.value(100) is None
        assert host.read(len(reply)) == reply
        # a corrupted reply is counted, never decoded
        bad = bytearray(rtu.build_adu(5, pdu.read_request(3, 101, 2)))
        host.write(bytes(bad))
        await _read_exact(bus_master, len(bad))
        broken = bytearray(reply)
        broken[3] ^= 0xFF
        os.write(bus_master, bytes(broken))
        await tap.wait_until(lambda: 1.0 if tap.bad_frames else None, 2.0)
        assert tap.bad_frames == 1 and len(tap.reads) == 1
    finally:
        host.close()
        tap.close()
        os.close(bus_master)
        os.close(bus_slave)
