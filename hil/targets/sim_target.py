"""The simulator as a target: the real firmware under the MicroPython unix port on timed buses,
launched from a site file through the sim/ Python API, in this process's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from hil.targets.target import BusPort, DeviceInfo, Target, TargetUnavailable


class SimTarget(Target):
    kind = "sim"

    def __init__(self, site_path: str | Path, state_dir: str | Path, *, boot_timeout_s: float = 60.0,
                 heapsize: str | None = None):
        self.site_path = Path(site_path)
        self.state_dir = Path(state_dir)
        self._boot_timeout_s = boot_timeout_s
        self._heapsize = heapsize  # None: the simulator's default (the boards' RAM)
        self._stack = contextlib.AsyncExitStack()
        self.campus = None  # sim.campus.Campus once started
        self._output_log: dict[str, list[tuple[float, str, int]]] = {}

    async def start(self) -> None:
        try:
            from sim.campus import Campus
        except ImportError as exc:
            raise TargetUnavailable("the simulator (sim/campus.py) is not in this tree: %s" % exc) from None
        from sim.errors import DeviceStartError

        try:
            self.campus = await self._stack.enter_async_context(
                Campus.start(self.site_path, self.state_dir, boot_timeout_s=self._boot_timeout_s,
                             **({"heapsize": self._heapsize} if self._heapsize else {}))
            )
        except DeviceStartError as exc:
            await self._stack.aclose()
            raise TargetUnavailable("the simulated campus did not boot: %s" % exc) from None
        for name in self.campus.devices:
            self._watch_outputs(name)  # from the start: wait_output looks back in time

    async def close(self) -> None:
        await self._stack.aclose()
        self.campus = None

    @property
    def buses(self) -> dict[str, BusPort]:
        ports = self.campus.ports
        return {
            b.name: BusPort(b.name, ports[b.name], b.baud, b.parity, b.stopbits) for b in self.campus.site.buses
        }

    @property
    def devices(self) -> dict[str, DeviceInfo]:
        return {
            d.name: DeviceInfo(d.name, d.bus, d.unit, d.kind, "", d.evacuation_route, d.fire_lane)
            for d in self.campus.site.devices
        }

    async def _inject(self, action: str, target: str, value: object = None) -> float:
        await self.campus.inject(action, target, value)
        t = time.monotonic()
        device = self.campus.devices.get(target)
        if device is not None and device.io is not None:
            device.io.push_inputs()  # now, not at the next 10 ms plant tick: t is when the board hears it
        return t

    async def press_panic(self, device: str) -> float:
        return await self._inject("panic", device)

    async def reset_panic(self, device: str) -> None:
        await self._inject("panic-reset", device)

    async def smoke(self, device: str, level_pct_per_m: float) -> float:
        return await self._inject("smoke", device, level_pct_per_m)

    async def obstruct(self, device: str, on: bool) -> float:
        return await self._inject("obstruct", device, "on" if on else "off")

    async def load(self, device: str, on: bool) -> float:
        return await self._inject("load", device, "on" if on else "off")

    async def power(self, device: str, on: bool) -> float:
        return await self._inject("power", device, "on" if on else "off")

    async def place(self, device: str, position: float) -> None:
        # `position` is a plant action (sim/plants) but not a `sim inject` verb: act on the plant
        self.campus.plant(device).inject("position", position)
        sim_device = self.campus.devices[device]
        if sim_device.io is not None:
            sim_device.io.push_inputs()

    async def noise(self, bus: str, rate: float) -> None:
        # "corrupt": each character has this probability of a flipped bit (the "1 % corruption"
        # scenario); the sim's "noise" verb adds bursts of line noise instead.
        await self.campus.inject("corrupt", bus, rate)

    def _watch_outputs(self, device: str) -> list[tuple[float, str, int]]:
        """Record (time, terminal, value) of every output change the board sends its plant."""
        log = self._output_log.get(device)
        if log is None:
            log = self._output_log[device] = []
            plant = self.campus.plant(device)
            original = plant.set_output

            def recording_set_output(name: str, value: int) -> None:
                if plant.outputs.get(name) != value:
                    log.append((time.monotonic(), name, value))
                original(name, value)

            plant.set_output = recording_set_output  # instance attribute: sim.io_link calls it
        return log

    async def wait_output(self, device: str, terminal: str, value: int, after: float, timeout_s: float) -> float | None:
        log = self._watch_outputs(device)
        deadline = time.monotonic() + timeout_s
        while True:
            for t, name, got in log:
                if t >= after and name == terminal and got == value:
                    return t
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(0.005)

    async def physical_state(self, device: str) -> str:
        return self.campus.plant(device).snapshot()["summary"]

    async def outputs(self, device: str) -> dict[str, int]:
        return dict(self.campus.plant(device).outputs)

    def plant_state(self, device: str) -> dict:
        """The simulator's full plant state (position, load, ...): sim only."""
        return dict(self.campus.plant(device).state.__dict__)
