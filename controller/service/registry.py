"""The site's devices as bus devices (RoleDevice / ProfileDevice), by bus and by name."""

from __future__ import annotations

from collections.abc import Callable

from controller.devices.checkpoint_device import CheckpointDevice
from controller.devices.model import DeviceView
from controller.devices.profile_device import ProfileDevice
from controller.devices.role_device import ChangeSink, RoleDevice
from controller.devices.setup import DeviceSetup, InputSetup
from controller.profiles.third_party import load_profile
from controller.site.model import Site
from protocols import registers as R

AnyDevice = RoleDevice | ProfileDevice


def device_names(site: Site) -> list[str]:
    """Every name a guard may give as --device: devices and the named inputs of input modules."""
    return [n for d in site.devices for n in (d.name, *(i.name for i in d.inputs))]


def unknown_device(site: Site, name: str | None) -> str | None:
    """Why --device NAME cannot be acted on (no such device, with the valid names), or None."""
    if name is None or site.zone_of(name) is not None:
        return None
    return f"no device {name!r} in {site.path}. Fix: use one of {', '.join(device_names(site))}"


def device_setups(site: Site) -> list[DeviceSetup]:
    out = []
    for dev in site.devices:
        flags = (R.FLAG_EVACUATION_ROUTE if dev.evacuation_route else 0) | (
            R.FLAG_FIRE_LANE if dev.fire_lane else 0) | (
            R.FLAG_FAIL_SECURE if dev.fail_secure else 0)
        out.append(DeviceSetup(
            name=dev.name, bus=dev.bus, unit=dev.unit, zone=dev.zone, role=dev.role or "",
            profile=dev.profile or "", site_flags=flags,
            comm_loss_timeout_s=int(site.policy.comm_loss_timeout_s),
            params={k: int(v) for k, v in dev.params.items()},
            inputs=tuple(InputSetup(i.channel, i.name, i.kind) for i in dev.inputs),
        ))
    return out


class Registry:
    def __init__(self, site: Site, sink: ChangeSink, desired_mode: Callable[[str], int | None]):
        self.devices: dict[str, AnyDevice] = {}
        self.input_owner: dict[str, ProfileDevice] = {}
        for setup in device_setups(site):
            if setup.role:
                cls = CheckpointDevice if setup.role == "checkpoint" else RoleDevice
                self.devices[setup.name] = cls(setup, sink, desired_mode)
            else:
                device = ProfileDevice(setup, load_profile(setup.profile), sink)
                self.devices[setup.name] = device
                for name in device.inputs:
                    self.input_owner[name] = device

    def on_bus(self, bus: str) -> list[AnyDevice]:
        return [d for d in self.devices.values() if d.setup.bus == bus]

    def views(self) -> list[DeviceView]:
        return [v for d in self.devices.values() for v in d.views()]

    def view(self, name: str) -> DeviceView | None:
        for view in self.views():
            if view.name == name:
                return view
        return None
