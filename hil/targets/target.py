"""The one interface scenarios and benchmarks use to act on devices and read their physical state.

A Target owns the devices' side: their buses (serial ports the host opens) and their field I/O
(plant inputs the scenario drives, outputs and physical state it reads). It never talks Modbus
itself: the host under test does that.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path


class TargetUnavailable(RuntimeError):
    """The target cannot run here (no ports, no rig, no simulator); the message says what is
    missing and how to provide it. Scenarios turn it into a pytest skip."""


class TargetActionUnsupported(RuntimeError):
    """This target cannot perform the action (e.g. bus noise on a real line without an injector)."""


@dataclass(frozen=True)
class BusPort:
    name: str  # bus name from the site file
    port: str  # serial device path the host opens (a pty on the simulator)
    baud: int
    parity: str = "N"
    stopbits: int = 1


@dataclass(frozen=True)
class DeviceInfo:
    name: str
    bus: str
    unit: int
    role: str  # gate|bollard|panic|smoke or a third-party profile name
    zone: str = ""
    evacuation_route: bool = False
    fire_lane: bool = False


class Target(abc.ABC):
    """Devices plus their field I/O. Use as `async with target:`."""

    kind: str = "?"  # "sim" or "hardware"
    site_path: Path

    @property
    @abc.abstractmethod
    def buses(self) -> dict[str, BusPort]: ...

    @property
    @abc.abstractmethod
    def devices(self) -> dict[str, DeviceInfo]: ...

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    # ---------------------------------------------------------------- acting on the plant
    @abc.abstractmethod
    async def press_panic(self, device: str) -> float:
        """Press (and release) a panic button; returns time.monotonic() when it went down."""

    @abc.abstractmethod
    async def reset_panic(self, device: str) -> None:
        """Turn the reset key at the station."""

    @abc.abstractmethod
    async def smoke(self, device: str, level_pct_per_m: float) -> float:
        """Set the smoke obscuration at a detector (0 clears); returns the time it changed."""

    @abc.abstractmethod
    async def obstruct(self, device: str, on: bool) -> float:
        """Interrupt (or clear) a gate's photo-eye beam; returns the time it changed."""

    @abc.abstractmethod
    async def load(self, device: str, on: bool) -> float:
        """Put (or take) a load over 40 kg on top of a bollard."""

    @abc.abstractmethod
    async def power(self, device: str, on: bool) -> float:
        """Cut or restore a device's power."""

    @abc.abstractmethod
    async def place(self, device: str, position: float) -> None:
        """Move a gate leaf (0 closed .. 1 open) or a bollard (0 down .. 1 up) by hand: the
        starting position of a scenario, as a technician would crank it."""

    @abc.abstractmethod
    async def noise(self, bus: str, rate: float) -> None:
        """Corrupt this fraction of the bytes on a bus (0 clears)."""

    # ---------------------------------------------------------------- reading the plant
    @abc.abstractmethod
    async def physical_state(self, device: str) -> str:
        """What a person standing there sees: a gate "open"|"closed"|"N% open", a bollard
        "up"|"down"|"N% up", a panic station "alarm"|"idle", a detector's obscuration."""

    @abc.abstractmethod
    async def outputs(self, device: str) -> dict[str, int]:
        """The device's output terminals (protocols/io_points.py names) as last driven."""

    @abc.abstractmethod
    async def wait_output(self, device: str, terminal: str, value: int, after: float, timeout_s: float) -> float | None:
        """time.monotonic() at which the device drove `terminal` to `value` after `after` (e.g. a
        detector's alarm relay: the moment it confirmed); None if it did not within timeout_s."""

    async def __aenter__(self) -> Target:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def devices_with_role(self, *roles: str) -> list[DeviceInfo]:
        return [d for d in self.devices.values() if d.role in roles]
