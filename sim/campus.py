"""The simulated campus: every device of a site file on its timed bus, wired to its plant.

async with Campus.start(site_path, state_dir) as campus:
    campus.ports                       # {bus: "/dev/pts/N"}
    await campus.inject("panic", "guard-room-panic")
    campus.plant("main-gate-slider").state
    campus.bus("gate-bus").counters
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any, AsyncIterator

from sim.bus import TimedBus
from sim.bus_taps import PtyHostTap, StreamTap
from sim.control_server import ControlServer
from sim.device_process import FIRMWARE_DIR, DeviceProcess
from sim.errors import DeviceStartError, InjectError, SimError
from sim.flash_provision import device_config, provision
from sim.injections import BY_NAME
from sim.io_link import IoLink
from sim.plant import Plant
from sim.plants.on_off import on_off
from sim.profile_points import point_values
from sim.profile_reader import load_profile
from sim.profile_slave import ProfileSlave
from sim.readiness import Expected, describe_failures, probe_bus
from sim.sim_device import SimulatedDevice
from sim.site_reader import SimSite, read_site

SIM_JSON = "sim.json"
CONTROL_SOCKET = "sim.sock"
# MicroPython heap per device. A 32-bit board gives the firmware 96 KB; the 64-bit unix port needs
# about twice that for the same objects and bytecode (firmware/README.md), so the sim gives 192 KB.
DEFAULT_HEAPSIZE = "192k"
PLANT_TICK_S = 0.01  # plant physics and input updates every 10 ms
_PROFILE_ALARM_PCT = 3.0
_CRASHES_BEFORE_GIVING_UP = 2  # a firmware that dies twice before booting will not boot: say so  # third-party smoke sensor's own alarm threshold, %/m


class Campus:
    def __init__(
        self,
        site: SimSite,
        state_dir: Path,
        heapsize: str | None = None,
        paced_devices: bool = False,
    ) -> None:
        self.site = site
        self.paced_devices = paced_devices  # True: devices hear paced chunks too (see sim/bus.py)
        self.state_dir = state_dir
        self.heapsize = heapsize or os.environ.get("CAMPUSGUARD_SIM_HEAPSIZE") or DEFAULT_HEAPSIZE
        self.buses: dict[str, TimedBus] = {}
        self.hosts: dict[str, PtyHostTap] = {}
        self.devices: dict[str, SimulatedDevice] = {}
        self.boot_s: float | None = None  # start() to every device booted
        self._ticker: asyncio.Task | None = None
        self._control: ControlServer | None = None
        self.stop_requested = asyncio.Event()  # set by `sim down` (the control socket's "down")
        self._wrote_sim_json = False

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    @contextlib.asynccontextmanager
    async def start(
        cls,
        site_path: str | Path,
        state_dir: str | Path,
        *,
        heapsize: str | None = None,
        boot_timeout_s: float = 60.0,
        control: bool = True,
        paced_devices: bool = False,
    ) -> AsyncIterator[Campus]:
        # paths are resolved once, here: device processes run with their flash dir as cwd
        campus = cls(read_site(Path(site_path).resolve()), Path(state_dir).resolve(), heapsize,
                     paced_devices)
        try:
            await campus.open(boot_timeout_s, control)
            yield campus
        finally:
            await campus.close()

    async def open(self, boot_timeout_s: float = 60.0, control: bool = True) -> None:
        """Start every bus and device; write sim.json once all have booted. control: serve sim.sock."""
        started = time.monotonic()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if control:
            self._control = ControlServer(self, self.state_dir / CONTROL_SOCKET)
            await self._control.open()  # refuses when another simulator serves this directory
        (self.state_dir / SIM_JSON).unlink(missing_ok=True)
        if any(d.role for d in self.site.devices) and not (FIRMWARE_DIR / "main.py").exists():
            raise DeviceStartError(
                f"{FIRMWARE_DIR / 'main.py'} is missing: the simulator runs the real firmware"
            )
        for spec in self.site.buses:
            bus = TimedBus(spec.name, spec.baud, spec.parity, spec.stopbits)
            host = PtyHostTap(bus)
            bus.attach(host)
            bus.start()
            host.start()
            self.buses[spec.name] = bus
            self.hosts[spec.name] = host
        for spec in self.site.devices:
            self.devices[spec.name] = await self._build(spec)
        await asyncio.gather(*(d.process.power_on() for d in self.devices.values() if d.process))
        self._ticker = asyncio.get_running_loop().create_task(self._tick_plants())
        await self._wait_booted(boot_timeout_s)
        await self._wait_answering(started + boot_timeout_s)
        self.boot_s = time.monotonic() - started
        self._write_sim_json()

    async def close(self) -> None:
        if self._wrote_sim_json:
            (self.state_dir / SIM_JSON).unlink(missing_ok=True)
        await asyncio.gather(*(d.process.stop() for d in self.devices.values() if d.process))
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        for device in self.devices.values():
            if device.uart is not None:
                await device.uart.close()
            if device.io is not None:
                await device.io.close()
        for bus in self.buses.values():
            await bus.close()
        for host in self.hosts.values():
            host.close()
        if self._control is not None:
            await self._control.close()
            self._control = None

    async def _build(self, spec: Any) -> SimulatedDevice:
        bus = self.buses[spec.bus]
        if spec.profile:
            profile = load_profile(spec.profile)
            plant = Plant(spec, "smoke" if profile.kind == "smoke" else "inputs")
            alarm_pct = float(spec.plant.get("alarm_pct", _PROFILE_ALARM_PCT))
            slave = ProfileSlave(
                bus,
                spec.name,
                spec.unit,
                profile,
                lambda name: point_values(profile, plant.state, alarm_pct, name),
            )
            bus.attach(slave)
            return SimulatedDevice(spec=spec, plant=plant, slave=slave)
        plant = Plant(spec, spec.role)
        uart = StreamTap(bus, spec.name, paced=self.paced_devices)
        io = IoLink(plant)
        uart_port = await uart.listen()
        io_port = await io.listen()
        bus.attach(uart)
        flash_dir = self.state_dir / "devices" / spec.name
        bus_spec = next(b for b in self.site.buses if b.name == spec.bus)
        provision(
            flash_dir, device_config(self.site.name, spec, bus_spec, self.site.comm_loss_timeout_s)
        )
        process = DeviceProcess(spec.name, uart_port, io_port, flash_dir, self.heapsize)
        return SimulatedDevice(spec=spec, plant=plant, uart=uart, io=io, process=process)

    async def _wait_booted(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        reason = f"did not connect within {timeout_s:.0f} s"
        while time.monotonic() < deadline:
            if all(d.booted for d in self.devices.values()):
                return
            if any(
                d.process and d.process.crashes >= _CRASHES_BEFORE_GIVING_UP
                for d in self.devices.values()
            ):
                reason = f"crashed {_CRASHES_BEFORE_GIVING_UP} times while booting"
                break
            await asyncio.sleep(0.05)
        late = [
            d
            for d in self.devices.values()
            if not d.booted and (reason.startswith("did not") or d.process and d.process.crashes)
        ]
        details = []
        for device in late[:5]:
            log = device.process.console_log if device.process else None
            tail = log.read_text(errors="replace")[-400:].strip() if log and log.exists() else ""
            details.append(f"  {device.spec.name}: {tail or 'no console output'}")
        raise DeviceStartError(
            f"{len(late)} device(s) {reason} "
            f"({', '.join(d.spec.name for d in late[:10])}); console logs in {self.state_dir / 'devices'}:\n"
            + "\n".join(details)
        )

    async def _wait_answering(self, deadline: float) -> None:
        """Every device answers at its own unit with its own role, or DeviceStartError names it."""
        by_bus: dict[str, list[Expected]] = {}
        for d in self.devices.values():
            by_bus.setdefault(d.spec.bus, []).append(
                Expected(d.spec.name, d.spec.bus, d.spec.unit, d.spec.role))
        deadline = max(deadline, time.monotonic() + 5.0)  # at least a few tries per device
        results = await asyncio.gather(
            *(probe_bus(self.buses[bus], devices, deadline) for bus, devices in by_bus.items()))
        failed = [a for answers in results for a in answers if not a.ok]
        if failed:
            raise DeviceStartError(
                f"{len(failed)} device(s) did not answer at their own unit with their own role; "
                f"the simulated campus is NOT ready (console logs in "
                f"{self.state_dir / 'devices'}):\n" + describe_failures(failed))

    async def _tick_plants(self) -> None:
        last = time.monotonic()
        next_tick = last
        while True:
            next_tick += PLANT_TICK_S
            await asyncio.sleep(max(next_tick - time.monotonic(), 0))
            now = time.monotonic()
            dt, last = now - last, now
            if next_tick < now - 1.0:
                next_tick = now  # we were suspended: do not try to catch up tick by tick
            for device in self.devices.values():
                device.plant.step(dt)
                if device.io is not None:
                    device.io.push_inputs()

    # ------------------------------------------------------------------ views
    @property
    def ports(self) -> dict[str, str]:
        return {name: host.path for name, host in self.hosts.items()}

    def bus(self, name: str) -> TimedBus:
        try:
            return self.buses[name]
        except KeyError:
            raise InjectError(f"no bus {name!r}: use one of {', '.join(self.buses)}") from None

    def device(self, name: str) -> SimulatedDevice:
        try:
            return self.devices[name]
        except KeyError:
            raise InjectError(f"no device {name!r} in {self.site.path}") from None

    def plant(self, name: str) -> Plant:
        return self.device(name).plant

    def describe(self) -> dict[str, Any]:
        """The sim.json document (DESIGN.md schema, plus ready, pid and the control socket)."""
        return {
            "site": str(self.site.path),
            "ready": True,
            "pid": os.getpid(),
            "control_socket": str(self.state_dir / CONTROL_SOCKET) if self._control else None,
            "boot_s": round(self.boot_s or 0.0, 3),
            "buses": {
                name: {
                    "port": self.hosts[name].path,
                    "baud": bus.baud,
                    "parity": bus.parity,
                    "stopbits": bus.stopbits,
                }
                for name, bus in self.buses.items()
            },
            "devices": [
                {"name": d.spec.name, "bus": d.spec.bus, "unit": d.spec.unit, "role": d.spec.kind}
                for d in self.devices.values()
            ],
        }

    def status(self) -> dict[str, Any]:
        return {
            "buses": {
                name: {
                    "port": self.hosts[name].path,
                    "baud": bus.baud,
                    "faults": dict(bus.faults.__dict__),
                    "counters": bus.counters.as_dict(),
                }
                for name, bus in self.buses.items()
            },
            "devices": [d.status() for d in self.devices.values()],
        }

    def _write_sim_json(self) -> None:
        path = self.state_dir / SIM_JSON
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.describe(), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        self._wrote_sim_json = True

    # ------------------------------------------------------------------ injections
    async def inject(self, action: str, target: str, value: object = None) -> dict[str, Any]:
        """Act on a plant, a device or a bus; returns what was done. InjectError when it cannot."""
        spec = BY_NAME.get(action)
        if spec is None:
            raise InjectError(f"unknown injection {action!r}: use one of {', '.join(BY_NAME)}")
        if spec.value and value is None:
            raise InjectError(f"{action} {target} needs a value ({spec.value})")
        if spec.target == "bus":
            return self._inject_bus(action, self.bus(target), value)
        device, channel = self._resolve(target)
        if action == "power":
            await self._power(device, value)
        elif action == "cut":
            device.tap.connected = not on_off(action, value)
        else:
            device.plant.inject(action, value, channel)
            if device.io is not None:
                device.io.push_inputs()  # the board hears it now, not at the next plant tick
        return {"action": action, "target": target, "value": value, "device": device.status()}

    def _resolve(self, target: str) -> tuple[SimulatedDevice, str | None]:
        """A device name, or an input of a third-party input module by its name or module:channel."""
        if target in self.devices:
            return self.devices[target], None
        module, _, channel = target.partition(":")
        if channel and module in self.devices:
            return self.devices[module], channel
        for device in self.devices.values():
            for entry in device.spec.inputs:
                if entry.get("name") == target:
                    return device, target
        raise InjectError(f"no device or input named {target!r} in {self.site.path}")

    async def _power(self, device: SimulatedDevice, value: object) -> None:
        on = on_off("power", value)
        if device.process is not None:
            if on:
                await device.process.power_on()
            else:
                await device.process.power_off()
        elif device.slave is not None:
            device.slave.powered = on

    def _inject_bus(self, action: str, bus: TimedBus, value: object) -> dict[str, Any]:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InjectError(f"{action} {bus.name} {value!r}: give a number") from None
        if action in ("noise", "corrupt", "drop") and not 0.0 <= number <= 1.0:
            raise InjectError(f"{action} --rate {number}: give a fraction 0..1 (0 clears)")
        if number < 0:
            raise InjectError(f"{action} {number}: give a number >= 0")
        if action == "noise":
            bus.set_faults(noise_rate=number)
        elif action == "corrupt":
            bus.set_faults(corrupt_rate=number)
        elif action == "drop":
            bus.set_faults(drop_rate=number)
        elif action == "latency":
            bus.set_faults(latency_s=number / 1000.0)
        elif action == "burst":
            bus.burst(int(number))
        return {
            "action": action,
            "target": bus.name,
            "value": number,
            "faults": dict(bus.faults.__dict__),
        }


__all__ = ["Campus", "SimError"]
