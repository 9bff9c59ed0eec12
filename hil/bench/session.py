"""A benchmark session: a target, a wire tap on each of its buses, and the host under test.

The host opens the taps' ptys (named in a generated sim.json), so every frame it writes and every
reply it reads is time-stamped on the way (wire_tap.py).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from hil.bench.wire_tap import WireTap
from hil.host_process import HostProcess, write_ports_file
from hil.targets.target import DeviceInfo, Target

BARRIER_ROLES = ("gate", "bollard")


class BenchSession:
    def __init__(self, target: Target, work_dir: Path):
        self.target = target
        self.work_dir = work_dir
        self.taps: dict[str, WireTap] = {}
        self.host: HostProcess | None = None

    async def open(self, host_ready_timeout_s: float = 90.0) -> BenchSession:
        for name, bus in self.target.buses.items():
            self.taps[name] = await WireTap(name, bus.port).start()
        ports_dir = self.work_dir / "ports"
        write_ports_file(ports_dir, self.target.buses, self.target.devices,
                         {name: tap.path for name, tap in self.taps.items()})
        self.host = HostProcess(self.target.site_path, ports_dir, self.work_dir / "host")
        # Every barrier must be online and most of the rest: on a loaded machine a few alarm
        # devices may flap (the host's own offline detection); a trial on one that is offline
        # fails and is counted, never dropped.
        barriers = tuple(d.name for d in self.barriers())
        self.ready_status = await self.host.start(host_ready_timeout_s, must_be_online=barriers,
                                                  want_online=int(0.8 * len(self.target.devices)))
        return self

    async def bus_stats(self) -> dict:
        """The host's own view of each bus (cycle time, failures): goes into the notes."""
        return (await self.host.status()).get("buses", {})

    async def close(self) -> None:
        if self.host is not None:
            await self.host.stop()
        for tap in self.taps.values():
            with contextlib.suppress(OSError):
                tap.close()
        self.taps.clear()

    def barriers(self) -> list[DeviceInfo]:
        return [d for d in self.target.devices.values() if d.role in BARRIER_ROLES]

    def barrier_buses(self) -> dict[str, list[DeviceInfo]]:
        out: dict[str, list[DeviceInfo]] = {}
        for device in self.barriers():
            out.setdefault(device.bus, []).append(device)
        return out
