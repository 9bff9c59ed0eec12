"""Policy commands onto the buses, measured.

A campus-wide mode command (ALL_DEVICES) is ONE broadcast frame per bus (all buses at once), then
verified device by device (read common.mode back; rewrite a device that missed it). A bus that also
carries third-party devices gets unicast mode writes instead: a broadcast would write our mode
register's address on equipment whose register map we do not own. Anything else
is a unicast write in the life-safety lane. Each command is timed against its trigger:
  t0  the trigger was detected (the poll that saw the panic, or the guard's request arriving)
  t1  the command frame was handed to the port            -> data "t0_to_t1_ms" (to commanded)
  t2  the device confirmed: mode read back ("mode"), then its physical state ("physical")
                                                         -> data "t0_to_t2_ms"

Frames first, log after: execute() queues every command's first frame in the buses' life-safety
lanes synchronously, in the same call as the policy decision (no task switch in between), so the
worker that just read the press sends the command next, and a busy bus sends it after the one
transaction on the wire. The log entries follow once the frame is out (the event store keeps them
durable; nothing on this path waits for it). A command's `command.sent` is always logged before
any `command.confirmed` of it (causal order in the log).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from controller.bus.errors import BusError, DeviceTimeout
from controller.bus.scheduler import BusScheduler
from controller.devices.profile_device import ProfileDevice
from controller.devices.role_device import ADDR_MODE, RoleDevice
from controller.policy.decision import ALL_DEVICES, Command
from controller.service.command_map import COMMAND_VALUES, MODE_VALUES, commanded_state
from controller.service.registry import Registry
from protocols import events as E

Log = Callable[..., None]  # log(kind, message, device=, zone=, drill=, data=)
ATTEMPTS = 3  # life-safety writes and verifications: our own retries (pymodbus's are off), each
# one short timeout, so a lost frame costs ~0.1 s, never the bus


async def submit_with_retries(scheduler: BusScheduler, job, attempts: int = ATTEMPTS,
                              first: asyncio.Future | None = None):
    """first: the first attempt, already submitted (execute() queues it synchronously)."""
    for attempt in range(attempts):
        try:
            if first is not None and attempt == 0:
                return await first
            return await scheduler.submit(job)
        except DeviceTimeout:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Trigger:
    """What caused a decision, for the latency data of its commands."""

    source: str  # the event kind or verb, e.g. "panic.alarm", "guard.lockdown"
    t0_mono: float  # monotonic time of detection
    t0: str  # the same instant, UTC ISO


def ms(a: float, b: float) -> float:
    return round((b - a) * 1000, 1)


@dataclass
class _Pending:
    target: str
    trigger: Trigger
    t1_mono: float
    action: str
    drill: bool


class Dispatcher:
    def __init__(self, registry: Registry, schedulers: dict[str, BusScheduler], log: Log):
        self.registry = registry
        self.schedulers = schedulers
        self.log = log
        self.desired_mode: dict[str, int] = {}
        self._pending: dict[str, _Pending] = {}
        self._tasks: set[asyncio.Task] = set()

    def execute(self, command: Command, trigger: Trigger) -> asyncio.Task:
        """Queue the command's frames now (synchronously); a task logs and verifies them."""
        steps = self._start(command, trigger)
        task = asyncio.create_task(self._finish(steps))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @staticmethod
    async def _finish(steps: list) -> None:
        if steps:
            await asyncio.gather(*steps)

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Wait for commands in progress (the buses are closed first, so they end quickly)."""
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=timeout_s)
            for task in pending:
                task.cancel()

    # ------------------------------------------------------------------ physical confirmation
    def state_changed(self, name: str, state: str) -> None:
        """Called for every confirmed state change: closes an outstanding command."""
        pending = self._pending.get(name)
        if pending is None or state != pending.target:
            return
        del self._pending[name]
        now = time.monotonic()
        view = self.registry.view(name)
        self.log(E.COMMAND_CONFIRMED, f"{name} confirmed {state} ({pending.action}, "
                 f"{ms(pending.trigger.t0_mono, now):.0f} ms after {pending.trigger.source})",
                 device=name, zone=view.zone if view else None, drill=pending.drill,
                 data={"stage": "physical", "action": pending.action, "state": state,
                       "trigger": pending.trigger.source, "t0": pending.trigger.t0,
                       "t0_to_t1_ms": ms(pending.trigger.t0_mono, pending.t1_mono),
                       "t0_to_t2_ms": ms(pending.trigger.t0_mono, now)})

    def _expect(self, device: RoleDevice | ProfileDevice, action: str, trigger: Trigger,
                t1: float, drill: bool) -> None:
        if not isinstance(device, RoleDevice):
            return
        target = commanded_state(device.setup.role, device.setup.site_flags, action)
        if target is None:
            return
        device.set_commanded(target)
        if not target:
            self._pending.pop(device.name, None)
            return
        self._pending[device.name] = _Pending(target, trigger, t1, action, drill)
        if device.view.state == target:
            self.state_changed(device.name, target)

    # ------------------------------------------------------------------ execution
    def _start(self, command: Command, trigger: Trigger) -> list:
        """Submit every first frame of command; return the coroutines that finish each part."""
        if command.action in MODE_VALUES:
            mode = MODE_VALUES[command.action]
            if command.targets is ALL_DEVICES:
                names = [d.name for d in self.registry.devices.values() if isinstance(d, RoleDevice)]
                for name in names:
                    self.desired_mode[name] = mode
                # A broadcast write reaches every unit on the line. common.mode is our register,
                # not a third-party device's: on a bus shared with one, address ours one by one.
                pure = [bus for bus in self.schedulers if not self._has_third_party(bus)]
                mixed = [d.name for bus in self.schedulers if bus not in pure
                         for d in self.registry.on_bus(bus) if isinstance(d, RoleDevice)]
                return [*(self._broadcast(bus, mode, command, trigger) for bus in pure),
                        *(self._unicast(name, command, trigger) for name in mixed)]
            targets = [n for n in command.targets if n in self.registry.devices]
            for name in targets:
                self.desired_mode[name] = mode
            return [self._unicast(name, command, trigger) for name in targets]
        return [self._unicast(name, command, trigger) for name in command.targets]

    def _has_third_party(self, bus: str) -> bool:
        return any(not isinstance(d, RoleDevice) for d in self.registry.on_bus(bus))

    def _broadcast(self, bus: str, mode: int, command: Command, trigger: Trigger):
        scheduler = self.schedulers[bus]

        async def send(link):
            t1 = time.monotonic()
            await link.broadcast(ADDR_MODE, mode)
            return t1

        return self._after_broadcast(scheduler.submit(send), bus, mode, command, trigger)

    async def _after_broadcast(self, sent: asyncio.Future, bus: str, mode: int, command: Command,
                               trigger: Trigger) -> None:
        scheduler = self.schedulers[bus]
        try:
            t1 = await sent
        except BusError as exc:
            self.log(E.COMMAND_FAILED, f"{command.action} broadcast on {bus} failed: {exc}",
                     drill=command.drill, data={"bus": bus, "action": command.action})
            return
        devices = [d for d in self.registry.on_bus(bus) if isinstance(d, RoleDevice)]
        self.log(E.COMMAND_SENT, f"{command.action} broadcast on {bus} (one frame, {len(devices)} "
                 f"devices), {ms(trigger.t0_mono, t1):.0f} ms after {trigger.source}: {command.reason}",
                 drill=command.drill,
                 data={"bus": bus, "action": command.action, "broadcast": True, "frames": 1,
                       "devices": [d.name for d in devices], "trigger": trigger.source,
                       "t0": trigger.t0, "t0_to_t1_ms": ms(trigger.t0_mono, t1),
                       "t1_mono": t1})
        for device in devices:
            self._expect(device, command.action, trigger, t1, command.drill)
        live = [d for d in devices if scheduler.health[d.name].online is not False]
        await asyncio.gather(*(self._verify_mode(scheduler, d, mode, command, trigger, t1)
                               for d in live))

    async def _verify_mode(self, scheduler: BusScheduler, device: RoleDevice, mode: int,
                           command: Command, trigger: Trigger, t1: float) -> None:
        async def verify(link):
            rewritten = False
            if await device.read_mode(link) != mode:
                await device.write_mode(link, mode)
                rewritten = True
            return time.monotonic(), rewritten

        try:
            t2, rewritten = await submit_with_retries(scheduler, verify)
        except BusError as exc:
            self.log(E.COMMAND_FAILED, f"{device.name} did not confirm {command.action}: {exc}",
                     device=device.name, zone=device.setup.zone, drill=command.drill,
                     data={"action": command.action, "stage": "mode"})
            return
        self.log(E.COMMAND_CONFIRMED, f"{device.name} in {command.action[5:]} mode "
                 f"{ms(trigger.t0_mono, t2):.0f} ms after {trigger.source}"
                 f"{' (missed the broadcast: rewritten)' if rewritten else ''}",
                 device=device.name, zone=device.setup.zone, drill=command.drill,
                 data={"stage": "mode", "action": command.action, "rewritten": rewritten,
                       "trigger": trigger.source, "t0": trigger.t0,
                       "t0_to_t1_ms": ms(trigger.t0_mono, t1), "t0_to_t2_ms": ms(trigger.t0_mono, t2)})

    def _unicast(self, name: str, command: Command, trigger: Trigger):
        device = self.registry.devices.get(name)
        if device is None:
            owner = self.registry.input_owner.get(name)
            if owner is not None and command.action == "panic_reset":
                done = owner.reset_input(name)
                self.log(E.COMMAND_SENT if done else E.COMMAND_FAILED,
                         f"{name}: host reset of the latched input"
                         f"{'' if done else ' refused: the contact is still closed'}",
                         device=name, drill=command.drill, data={"action": command.action})
            return _nothing()  # panic_ack of a module input: nothing on the bus
        if not isinstance(device, RoleDevice):
            return _nothing()
        if command.action in MODE_VALUES:
            value, write = MODE_VALUES[command.action], device.write_mode
        else:
            key = (device.setup.role, command.action)
            if key not in COMMAND_VALUES:
                self.log(E.COMMAND_FAILED, f"{name} ({device.setup.role}) has no {command.action} command",
                         device=name, drill=command.drill, data={"action": command.action})
                return _nothing()
            value, write = COMMAND_VALUES[key], device.command
        scheduler = self.schedulers.get(device.setup.bus)
        if scheduler is None:  # a bus this host does not drive: say so, never fail the decision
            self.log(E.COMMAND_FAILED, f"{command.action} to {name} not sent: bus "
                     f"{device.setup.bus!r} is not open on this host", device=name,
                     drill=command.drill, data={"action": command.action, "bus": device.setup.bus})
            return _nothing()

        async def send(link):
            t1 = time.monotonic()
            await write(link, value)
            return t1, time.monotonic()

        return self._after_unicast(scheduler.submit(send), send, device, command, trigger)

    async def _after_unicast(self, first: asyncio.Future, send, device: RoleDevice,
                             command: Command, trigger: Trigger) -> None:
        name = device.name
        scheduler = self.schedulers[device.setup.bus]
        data: dict[str, Any] = {"action": command.action, "bus": device.setup.bus,
                                "unit": device.unit, "trigger": trigger.source, "t0": trigger.t0}
        try:
            t1, t2 = await submit_with_retries(scheduler, send, first=first)
        except BusError as exc:
            self.log(E.COMMAND_FAILED, f"{command.action} to {name} failed: {exc}", device=name,
                     zone=device.setup.zone, drill=command.drill, data=data)
            return
        # sent first, then what may confirm it at once (the device already there): causal order
        self.log(E.COMMAND_SENT, f"{command.action} to {name}: {command.reason}", device=name,
                 zone=device.setup.zone, drill=command.drill,
                 data={**data, "t0_to_t1_ms": ms(trigger.t0_mono, t1),
                       "t0_to_t2_ms": ms(trigger.t0_mono, t2), "t1_mono": t1})
        self._expect(device, command.action, trigger, t1, command.drill)


async def _nothing() -> None:
    return None
