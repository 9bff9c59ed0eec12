"""A CampusGuard device (gate, bollard, panic, smoke) on a bus: poll, audit, provision, heartbeat.

Steady-state poll of every role is ONE read of ONE register, common.event_counter (request 8 B,
response 7 B): the firmware bumps it on every state, fault, mode or press change, so it is the
"something changed" word and no firmware change was needed for it. When it moved, the device is
audited at once: common.fault_flags..site_flags (6 registers) and the role block, decoded; a
device whose common.mode differs from the mode the host wants (it rebooted, or missed a broadcast)
is rewritten on the spot. The scheduler also audits every device every LanePeriods.audit_s in its
diagnostics lane, so a reboot that happened to land on the same counter value is caught there.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime, timezone

from controller.bus.errors import BusError
from controller.bus.lanes import Lane
from controller.bus.link import BusLink
from controller.bus.timing import READ_REQUEST_BYTES, read_response_bytes
from controller.devices.decode import decode_role
from controller.devices.model import Change, DeviceView, Observation
from controller.devices.setup import DeviceSetup
from controller.devices.tracker import observe
from controller.profiles.roles import role_poll
from protocols import events
from protocols import registers as R

ChangeSink = Callable[[DeviceView, tuple[Change, ...]], None]

_COMMON = R.COMMON
ADDR_MODE = R.address(_COMMON, "mode")
ADDR_EVENT = R.address(_COMMON, "event_counter")
ADDR_HEARTBEAT = R.address(_COMMON, "heartbeat")
ADDR_SITE_FLAGS = R.address(_COMMON, "site_flags")
ADDR_COMM_LOSS = R.address(_COMMON, "comm_loss_timeout_s")
PARAM_OVERWRITTEN = events.PARAM_OVERWRITTEN  # the host rewrote a parameter the device held


def _exact(values: list[int], count: int, name: str) -> list[int]:
    """A reply with the wrong register count (a stray frame on a loaded bus) is a failed poll,
    never decoded: decoding it would raise and stop the bus's poller."""
    if len(values) != count:
        raise BusError(f"{name}: reply has {len(values)} registers, asked for {count}")
    return values


def detection_stamp() -> dict:
    return {"t0": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "t0_mono": time.monotonic()}


class RoleDevice:
    def __init__(self, setup: DeviceSetup, sink: ChangeSink,
                 desired_mode: Callable[[str], int | None]):
        self.setup = setup
        self.name = setup.name
        self.unit = setup.unit
        self.poll_plan = role_poll(setup.role)
        self.lane = (Lane.SMOKE if setup.role == "smoke" else Lane.HOLDUP) if self.poll_plan.alarm_lane \
            else Lane.BARRIER
        self.view = DeviceView(setup.name, setup.role, setup.bus, setup.unit, setup.zone)
        self._sink = sink
        self._desired_mode = desired_mode
        self._counter: int | None = None
        self._heartbeat = 0
        self.provision_paused = False  # a technician's maintenance window (service/maintenance)
        self._provisions = 0

    @property
    def block(self):
        return R.ROLE_BLOCKS[R.role_code(self.setup.role)]

    def views(self) -> list[DeviceView]:
        return [self.view]

    def poll_frames(self) -> list[tuple[int, int]]:
        """(request bytes, response bytes) of a steady-state poll (for the cycle estimate)."""
        return [(READ_REQUEST_BYTES, read_response_bytes(3, 1))]

    def audit_frames(self) -> list[tuple[int, int]]:
        """The full read that follows a moved counter (and the periodic audit)."""
        plan = self.poll_plan
        return [(READ_REQUEST_BYTES, read_response_bytes(3, plan.common_count)),
                (READ_REQUEST_BYTES, read_response_bytes(3, plan.block_count))]

    @property
    def wants_fast_poll(self) -> bool:
        """A barrier moving, or commanded and not yet there: its barrier lane runs fast."""
        view = self.view
        if self.lane != Lane.BARRIER:
            return False
        return view.state in ("moving", "unknown") or bool(view.commanded and view.commanded != view.state)

    def set_online(self, online: bool) -> None:
        self.view = dataclasses.replace(self.view, online=online)

    def set_commanded(self, commanded: str) -> None:
        self.view = dataclasses.replace(self.view, commanded=commanded)

    async def poll(self, link: BusLink) -> None:
        if self.wants_fast_poll:  # a barrier on its way: every read is a full read until it
            await self.audit(link)  # confirms (its lock output or position need not bump the counter)
            return
        counter = (await link.read(self.unit, 3, ADDR_EVENT, 1))[0]
        if counter != self._counter:
            await self.audit(link)

    async def audit(self, link: BusLink) -> None:
        """Full read: common fault_flags..site_flags and the role block; decode; fix the mode."""
        plan = self.poll_plan
        common = _exact(await link.read(self.unit, 3, plan.common_address, plan.common_count),
                        plan.common_count, self.name)
        fault_flags, counter, _heartbeat, _comm_loss, mode, _site_flags = common
        block = _exact(await link.read(self.unit, 3, plan.block_address, plan.block_count),
                       plan.block_count, self.name)
        self._counter = counter
        state, faults, detail = decode_role(self.setup.role, fault_flags, block)
        detail = {**detail, "mode": R.MODE_NAMES[mode] if mode < len(R.MODE_NAMES) else mode}
        obs = Observation(state, tuple(faults), mode, detail.pop("press_count", None), detail)
        view, changes = observe(self.view, obs, detection_stamp())
        self.view = view
        if changes:
            self._sink(self.view, changes)
        desired = self._desired_mode(self.name)
        if desired is not None and mode != desired:
            await link.write(self.unit, ADDR_MODE, (desired,))

    async def provision(self, link: BusLink) -> None:
        """First contact (or back from offline): site flags, comm-loss timeout, params, mode.
        A value the device holds that differs from the site file (a technician's `diag write`)
        is overwritten, and the event log gets both values and why."""
        if self.provision_paused:
            return  # a technician has it in maintenance: their values stay
        self._provisions += 1
        why = ("first contact since the host started" if self._provisions == 1
               else "the device answered again after being offline")
        await link.write(self.unit, ADDR_SITE_FLAGS, (self.setup.site_flags,))
        await link.write(self.unit, ADDR_COMM_LOSS, (self.setup.comm_loss_timeout_s,))
        for name, value in self.setup.params.items():
            address = R.address(self.block, name)
            held = (await link.read(self.unit, 3, address, 1))[0]
            if held != int(value):
                self._sink(self.view, (Change(
                    PARAM_OVERWRITTEN, self.name, self.setup.zone,
                    f"{self.name}: {name} was {held} on the device, the site file says {value}: "
                    f"written {value} ({why}; the site file is the configuration: change it "
                    f"there to keep {held}, or put the device in maintenance while testing)",
                    {"param": name, "device_value": held, "site_value": int(value),
                     "why": why}),))
            await link.write(self.unit, address, (int(value),))
        desired = self._desired_mode(self.name)
        if desired is not None:
            await link.write(self.unit, ADDR_MODE, (desired,))

    async def heartbeat(self, link: BusLink) -> None:
        self._heartbeat = (self._heartbeat + 1) & 0xFFFF
        await link.write(self.unit, ADDR_HEARTBEAT, (self._heartbeat,))

    async def command(self, link: BusLink, value: int) -> None:
        """Write the role block's command register (open, close, lock, raise, efo, ack...)."""
        await link.write(self.unit, R.address(self.block, "command"), (value,))

    async def read_mode(self, link: BusLink) -> int:
        return (await link.read(self.unit, 3, ADDR_MODE, 1))[0]

    async def write_mode(self, link: BusLink, mode: int) -> None:
        await link.write(self.unit, ADDR_MODE, (mode,))
