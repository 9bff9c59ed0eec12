"""A stand-in RS-485 bus for the diag and proof tests: pymodbus's own ModbusSerialServer (a real,
independent Modbus implementation) serving CampusGuard-shaped register banks behind a pty, with a
relay in between that behaves like a real line at one baud: when the host's port is set to another
speed the bytes arrive garbled both ways, as a UART at the wrong speed would see them."""

from __future__ import annotations

import asyncio
import os
import select
import termios
import threading
import tty

from pymodbus import FramerType, ModbusDeviceIdentification
from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext
from pymodbus.server import ModbusSerialServer

from protocols import registers as R
from protocols.rtu import build_adu

SPEEDS = {getattr(termios, "B%d" % b): b for b in (9600, 19200, 38400, 57600, 115200)}


def cg_bank(role: int, unit: int, baud: int, serial: int = 4242) -> list[int]:
    """Holding registers 0..199 of one of our devices as the firmware would show them."""
    bank = [0] * 200
    for reg in R.COMMON:
        bank[reg[R.ADDRESS]] = reg[R.DEFAULT]
    for reg in R.ROLE_BLOCKS[role]:
        bank[reg[R.ADDRESS]] = reg[R.DEFAULT]
    values = {"role": role, "fw_version": 0x0100, "fw_patch": 0, "serial_hi": serial >> 16,
              "serial_lo": serial & 0xFFFF, "uptime_lo": 3725, "reset_cause": 1,
              "active_unit": unit, "active_baud": baud // 100, "config_unit": unit,
              "config_baud": baud // 100, "heap_free": 4000, "comm_loss_timeout_s": 30}
    for name, value in values.items():
        bank[R.address(R.COMMON, name)] = value
    return bank


class StandinBus:
    """host_port: the pty path a master opens. units: {unit: registers list or ("profile", ...)}"""

    def __init__(self, baud: int, banks: dict[int, list[int]], third_party: tuple[int, ...] = (),
                 product: str = "CG-GATE") -> None:
        self.baud = baud
        self.third_party = third_party
        self.units = set(banks)
        host_master, host_slave = os.openpty()
        dev_master, dev_slave = os.openpty()
        for fd in (host_master, host_slave, dev_master, dev_slave):
            tty.setraw(fd)
        self.host_port = os.ttyname(host_slave)
        self._fds = [host_master, host_slave, dev_master, dev_slave]
        self._host, self._dev = host_master, dev_master
        self._dev_path = os.ttyname(dev_slave)
        devices = {unit: ModbusDeviceContext(hr=ModbusSequentialDataBlock(1, bank))
                   for unit, bank in banks.items()}
        self.context = ModbusServerContext(devices=devices, single=False)
        self.identity = ModbusDeviceIdentification(info_name={
            "VendorName": "CampusGuard", "ProductCode": product, "MajorMinorRevision": "1.0.0"})
        self._stop = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._threads = [threading.Thread(target=self._relay, daemon=True),
                         threading.Thread(target=self._serve, daemon=True)]
        self._ready = threading.Event()

    def _trace_packet(self, sending: bool, data: bytes) -> bytes:
        # third-party devices have no FC 2B/0E: they answer "illegal function", as the spec says
        if sending and data and data[0] not in self.units:
            return b""  # pymodbus answers for absent units by default; a real bus stays silent
        if sending and len(data) > 2 and data[0] in self.third_party and data[1] == 0x2B:
            return build_adu(data[0], bytes([0xAB, 0x01]))
        return data

    async def _main(self) -> None:
        self.server = ModbusSerialServer(self.context, framer=FramerType.RTU,
                                         identity=self.identity, port=self._dev_path,
                                         baudrate=self.baud, trace_packet=self._trace_packet,
                                         ignore_missing_devices=True)
        self._ready.set()
        await self.server.serve_forever()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        except Exception:  # noqa: BLE001 - shut down by stop()
            pass

    def _host_baud(self) -> int:
        return SPEEDS.get(termios.tcgetattr(self._host)[4], 0)

    def _relay(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._host, self._dev], [], [], 0.05)
            for fd in ready:
                try:
                    data = os.read(fd, 512)
                except OSError:
                    continue
                if self._host_baud() != self.baud:
                    # a UART at the wrong speed: framing garbage, never the bytes sent
                    data = bytes((b ^ 0x5A) | 0x80 for b in data)
                os.write(self._dev if fd == self._host else self._host, data)

    def start(self) -> StandinBus:
        for t in self._threads:
            t.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        self._stop.set()
        try:
            asyncio.run_coroutine_threadsafe(self.server.shutdown(), self._loop).result(5)
        except Exception:  # noqa: BLE001
            pass
        for t in self._threads:
            t.join(5)
        for fd in self._fds:
            os.close(fd)
