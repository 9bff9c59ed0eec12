"""The parts of a site file the simulator needs, read through THE site validator.

A campus is only started from a site file the host would accept: the host's loader
(controller/site, `campusguard site check`) checks it, every problem at once with file:line and a
fix, and this module keeps only what the simulator uses (buses, devices with role or profile,
params, plant, inputs, the policy's comm-loss timeout). One validator, so a key typo or an unknown
zone stops `sim up` exactly as it stops `run` (issue 14). This is the one place sim/ reaches into
controller/: the site model is data, read-only, and a second checker drifted from the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from protocols import registers
from sim.errors import SiteFileError


@dataclass(frozen=True)
class SimBus:
    name: str  # [[buses]] name
    baud: int  # bits per second; one of 9600 19200 38400 57600 115200
    parity: str  # "N", "O" or "E"
    stopbits: int  # 1 or 2


@dataclass(frozen=True)
class SimDevice:
    name: str  # unique device name
    bus: str  # name of its bus
    unit: int  # Modbus unit address 1..247
    role: str  # "gate", "bollard", "panic", "smoke", or "" for a third-party profile
    profile: str  # third-party profile name, or "" for our own firmware
    evacuation_route: bool  # GB 50116 §4.10.3: opens on fire
    fire_lane: bool  # bollard lowers on fire
    fail_secure: bool = False  # door: the lock is a fail-secure strike (else a fail-safe maglock)
    params: dict[str, int] = field(default_factory=dict)  # firmware parameters by register name
    plant: dict[str, float] = field(default_factory=dict)  # simulator physics (travel_s, ...)
    inputs: tuple[dict[str, Any], ...] = ()  # [[devices.inputs]] of an input module

    @property
    def kind(self) -> str:
        """The role, or the profile name for third-party equipment (sim.json "role")."""
        return self.role or self.profile

    @property
    def site_flags(self) -> int:
        flags = 0
        if self.evacuation_route:
            flags |= registers.FLAG_EVACUATION_ROUTE
        if self.fire_lane:
            flags |= registers.FLAG_FIRE_LANE
        if self.fail_secure:
            flags |= registers.FLAG_FAIL_SECURE
        return flags


@dataclass(frozen=True)
class SimSite:
    path: Path  # the site file read
    name: str  # [site] name
    buses: tuple[SimBus, ...]
    devices: tuple[SimDevice, ...]
    comm_loss_timeout_s: int  # [policy] comm_loss_timeout_s, provisioned into every device

    def device(self, name: str) -> SimDevice:
        for device in self.devices:
            if device.name == name:
                return device
        raise KeyError(name)


def read_site(path: str | Path) -> SimSite:
    """Read and validate a site file; SiteFileError lists every problem (file:line, fix)."""
    from controller.site import SiteError, load_site

    path = Path(path)
    try:
        site = load_site(path)
    except SiteError as exc:
        raise SiteFileError(str(exc)) from None
    devices = tuple(
        SimDevice(
            name=d.name,
            bus=d.bus,
            unit=d.unit,
            role=d.role or "",
            profile=d.profile or "",
            evacuation_route=d.evacuation_route,
            fire_lane=d.fire_lane,
            fail_secure=d.fail_secure,
            params={k: int(v) for k, v in d.params.items()},
            plant={k: float(v) for k, v in d.plant.items()},
            inputs=tuple(
                {"channel": i.channel, "name": i.name, "kind": i.kind, "zone": i.zone}
                for i in d.inputs
            ),
        )
        for d in site.devices
    )
    serial_buses = {b.name for b in site.buses}
    for device in devices:
        if device.bus not in serial_buses:
            raise SiteFileError(
                f"{path}: device {device.name!r} is behind gateway {device.bus!r}: the simulator "
                "runs serial buses only. Fix: put it on a [[buses]] line to simulate it"
            )
    return SimSite(
        path=path,
        name=site.name,
        buses=tuple(SimBus(b.name, b.baud, b.parity, b.stopbits) for b in site.buses),
        devices=devices,
        comm_loss_timeout_s=int(site.policy.comm_loss_timeout_s),
    )
