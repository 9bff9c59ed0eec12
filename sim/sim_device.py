"""Everything the simulator holds for one device: its plant, its drop on the bus, its process."""

from __future__ import annotations

from dataclasses import dataclass

from sim.bus_taps import StreamTap
from sim.device_process import DeviceProcess
from sim.io_link import IoLink
from sim.plant import Plant
from sim.profile_slave import ProfileSlave
from sim.site_reader import SimDevice


@dataclass
class SimulatedDevice:
    spec: SimDevice  # as the site file declares it
    plant: Plant
    uart: StreamTap | None = None  # our firmware: UART socket on the bus
    io: IoLink | None = None  # our firmware: field I/O channel
    process: DeviceProcess | None = None  # our firmware: the micropython process
    slave: ProfileSlave | None = None  # third-party: emulated in-process

    @property
    def tap(self) -> StreamTap | ProfileSlave:
        tap = self.uart if self.uart is not None else self.slave
        assert tap is not None
        return tap

    @property
    def powered(self) -> bool:
        if self.process is not None:
            return self.process.powered
        assert self.slave is not None
        return self.slave.powered

    @property
    def booted(self) -> bool:
        """Our firmware: both sockets connected. Third-party slaves are up at once."""
        if self.uart is None or self.io is None:
            return True
        return self.uart.link_up.is_set() and self.io.link_up.is_set()

    def status(self) -> dict:
        out = {
            "name": self.spec.name,
            "bus": self.spec.bus,
            "unit": self.spec.unit,
            "role": self.spec.kind,
            "powered": self.powered,
            "booted": self.booted,
            "cut": not self.tap.connected,
            "plant": self.plant.snapshot(),
        }
        if self.process is not None:
            out.update(
                pid=self.process.pid,
                boots=self.process.boots,
                reboots=self.process.reboots,
                watchdog_resets=self.process.watchdog_resets,
                crashes=self.process.crashes,
                last_exit=self.process.last_exit,
            )
        return out
