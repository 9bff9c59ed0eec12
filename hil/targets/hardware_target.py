"""Real devices: serial ports named in a HIL site file, and a Raspberry Pi rig on their terminals."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from hil.targets.hil_site import POWER_TERMINAL, HilSite, load_hil_site
from hil.targets.rig import Rig, RigWiringError
from hil.targets.rig_plants import RigPlants
from hil.targets.target import (
    BusPort,
    DeviceInfo,
    Target,
    TargetActionUnsupported,
    TargetUnavailable,
)


def _pin_factory(name: str):
    if name == "mock":
        from gpiozero.pins.mock import MockFactory, MockPWMPin

        return MockFactory(pin_class=MockPWMPin)
    try:
        module_name, class_name = {
            "lgpio": ("gpiozero.pins.lgpio", "LGPIOFactory"),
            "rpigpio": ("gpiozero.pins.rpigpio", "RPiGPIOFactory"),
            "pigpio": ("gpiozero.pins.pigpio", "PiGPIOFactory"),
        }[name]
    except KeyError:
        raise TargetUnavailable("pin_factory %r is unknown: use lgpio, rpigpio, pigpio or mock" % name) from None
    try:
        module = __import__(module_name, fromlist=[class_name])
        return getattr(module, class_name)()
    except Exception as exc:  # ImportError, no /dev/gpiochip*, not a Pi: all mean "no rig here"
        raise TargetUnavailable(
            "no GPIO rig here (gpiozero %s: %s). Fix: run on the Raspberry Pi wired per hil/wiring/README.md"
            % (name, exc)
        ) from None


class HardwareTarget(Target):
    kind = "hardware"

    def __init__(self, hil_site_path: str | Path):
        self.hil: HilSite = load_hil_site(hil_site_path)
        self.site_path = self.hil.site_path
        from sim.site_reader import read_site

        self._site = read_site(self.site_path)
        self._rig: Rig | None = None
        self._plants: RigPlants | None = None

    @property
    def buses(self) -> dict[str, BusPort]:
        return {
            b.name: BusPort(b.name, self.hil.ports[b.name], b.baud, b.parity, b.stopbits)
            for b in self._site.buses
            if b.name in self.hil.ports
        }

    @property
    def devices(self) -> dict[str, DeviceInfo]:
        return {
            d.name: DeviceInfo(d.name, d.bus, d.unit, d.kind, "", d.evacuation_route, d.fire_lane)
            for d in self._site.devices
            if d.name in self.hil.devices
        }

    async def start(self) -> None:
        for bus, port in self.hil.ports.items():
            if not os.path.exists(port):
                raise TargetUnavailable(
                    "hardware target: bus %r port %s does not exist. Fix: plug in the RS-485 adapter "
                    "or correct [ports] in %s" % (bus, port, self.hil.path)
                )
            if not os.access(port, os.R_OK | os.W_OK):
                raise TargetUnavailable("hardware target: no permission on %s. Fix: add yourself to group dialout" % port)
        factory = _pin_factory(self.hil.pin_factory)
        self._rig = Rig(self.hil.wiring, pin_factory=factory)
        wired = {
            d.name: (d.kind, dict(d.plant), dict(d.params)) for d in self._site.devices if d.name in self.hil.devices
        }
        self._plants = RigPlants(self._rig, wired, self.hil.settle_s)
        self._plants.start()

    async def close(self) -> None:
        if self._plants is not None:
            await self._plants.close()
        if self._rig is not None:
            self._rig.close()

    def _inject(self, device: str, action: str, value: object = None) -> float:
        assert self._plants is not None, "start() the target first"
        return self._plants.inject(device, action, value)

    async def press_panic(self, device: str) -> float:
        return self._inject(device, "panic")

    async def reset_panic(self, device: str) -> None:
        self._inject(device, "panic-reset")

    async def smoke(self, device: str, level_pct_per_m: float) -> float:
        return self._inject(device, "smoke", level_pct_per_m)

    async def obstruct(self, device: str, on: bool) -> float:
        return self._inject(device, "obstruct", "on" if on else "off")

    async def load(self, device: str, on: bool) -> float:
        return self._inject(device, "load", "on" if on else "off")

    async def power(self, device: str, on: bool) -> float:
        assert self._rig is not None, "start() the target first"
        try:
            self._rig.drive(device, POWER_TERMINAL, 1 if on else 0)
        except RigWiringError as exc:
            raise TargetActionUnsupported(str(exc)) from None
        return time.monotonic()

    async def place(self, device: str, position: float) -> None:
        self._inject(device, "position", position)

    async def noise(self, bus: str, rate: float) -> None:
        raise TargetActionUnsupported(
            "bus noise on a real RS-485 line needs a noise injector the rig does not have; "
            "this scenario runs on the simulator only"
        )

    async def wait_output(self, device: str, terminal: str, value: int, after: float, timeout_s: float) -> float | None:
        assert self._rig is not None, "start() the target first"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._rig.read(device, terminal) == value:
                return max(time.monotonic(), after)
            await asyncio.sleep(0.002)  # the rig samples its input pins every 2 ms
        return None

    async def physical_state(self, device: str) -> str:
        assert self._plants is not None, "start() the target first"
        return self._plants.summary(device)

    async def outputs(self, device: str) -> dict[str, int]:
        assert self._rig is not None, "start() the target first"
        return self._rig.outputs(device)
