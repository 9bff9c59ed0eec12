"""A third-party device described by a profile (data): a smoke sensor or a panic input module.

Input-module channels used as panic buttons are LATCHED by the host (GB 50394 §5.2.2: an emergency
alarm latches until reset by hand); the module itself only reports the contact.
"""

from __future__ import annotations

import dataclasses

from controller.bus.lanes import Lane
from controller.bus.link import BusLink
from controller.bus.timing import READ_REQUEST_BYTES, read_response_bytes
from controller.devices.model import DeviceView, Observation
from controller.devices.role_device import ChangeSink, detection_stamp
from controller.devices.setup import DeviceSetup
from controller.devices.tracker import observe
from controller.profiles.third_party import Profile


class ProfileDevice:
    def __init__(self, setup: DeviceSetup, profile: Profile, sink: ChangeSink):
        self.setup = setup
        self.profile = profile
        self.name = setup.name
        self.unit = setup.unit
        # panic inputs in the hold-up lane (every cycle); smoke sensors in the smoke lane
        self.lane = Lane.SMOKE if profile.kind == "smoke" else Lane.HOLDUP
        self.view = DeviceView(setup.name, profile.name, setup.bus, setup.unit, setup.zone,
                               detail={"kind": profile.kind})
        self.inputs = {
            i.name: DeviceView(i.name, "panic-input", setup.bus, setup.unit, setup.zone,
                               state="idle", detail={"channel": i.channel, "module": setup.name})
            for i in setup.inputs
        }
        self._sink = sink

    def views(self) -> list[DeviceView]:
        return [self.view, *self.inputs.values()]

    def poll_frames(self) -> list[tuple[int, int]]:
        return [(READ_REQUEST_BYTES, read_response_bytes(r.function, r.count)) for r in self.profile.reads()]

    def set_online(self, online: bool) -> None:
        self.view = dataclasses.replace(self.view, online=online)
        for name, view in self.inputs.items():
            self.inputs[name] = dataclasses.replace(view, online=online)

    def set_commanded(self, commanded: str) -> None:
        self.view = dataclasses.replace(self.view, commanded=commanded)

    async def _read_points(self, link: BusLink) -> dict[str, list[int]]:
        raw: dict[tuple[int, int], int] = {}
        for read in self.profile.reads():
            values = await link.read(self.unit, read.function, read.address, read.count)
            for offset, value in enumerate(values):
                raw[(read.function, read.address + offset)] = value
        return {p.name: [raw[(p.function, p.address + k)] for k in range(p.count)]
                for p in self.profile.points}

    async def poll(self, link: BusLink) -> None:
        points = await self._read_points(link)
        stamp = detection_stamp()
        if self.profile.kind == "smoke":
            obs = self._smoke(points)
            self.view, changes = observe(self.view, obs, stamp)
            if changes:
                self._sink(self.view, changes)
            return
        bits = points[self.profile.points[0].name]
        for name, view in list(self.inputs.items()):
            closed = bits[view.detail["channel"]] == 1
            latched = view.state == "alarm"
            obs = Observation("alarm" if closed or latched else "idle", ())
            new_view, changes = observe(view, obs, {**stamp, "module": self.name})
            self.inputs[name] = dataclasses.replace(new_view, online=True,
                                                    detail={**new_view.detail, "contact": int(closed)})
            if changes:
                self._sink(self.inputs[name], changes)
        state = "alarm" if any(v.state == "alarm" for v in self.inputs.values()) else "idle"
        self.view = dataclasses.replace(self.view, state=state, detail={**self.view.detail, "inputs": bits})

    def _smoke(self, points: dict[str, list[int]]) -> Observation:
        alarm = points.get("alarm", [0])[0]
        fault_raw = points.get("fault", [0])[0]
        faults: tuple[str, ...] = ()
        if fault_raw:
            fault_point = self.profile.point("fault")
            faults = (fault_point.values.get(fault_raw, f"fault {fault_raw}").replace(" ", "_"),)
        state = "alarm" if alarm == 1 else ("fault" if faults else "normal")
        detail = {}
        if "concentration" in points:
            point = self.profile.point("concentration")
            detail["obscuration_pct_per_m"] = round(points["concentration"][0] * point.scale, 2)
        return Observation(state, faults, detail=detail)

    def reset_input(self, name: str) -> bool:
        """Host reset of a latched panic input; refused (False) while the contact is still closed."""
        view = self.inputs[name]
        if view.detail.get("contact"):
            return False
        self.inputs[name] = dataclasses.replace(view, state="idle")
        return True

    async def provision(self, link: BusLink) -> None:
        """Third-party devices keep their own configuration: nothing to write."""

    async def heartbeat(self, link: BusLink) -> None:
        """No heartbeat register on third-party devices: the poll itself supervises them."""
