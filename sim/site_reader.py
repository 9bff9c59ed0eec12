"""A small, tolerant reader of the parts of a site file the simulator needs.

The full validation of a site file belongs to controller/site/; the simulator may not import it
(layers), so it reads only buses, devices (role or profile, params, plant, inputs) and the policy's
comm-loss timeout, ignores every other table, and fails with the file and key named.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from protocols import registers
from sim.errors import SiteFileError

_PARITIES = ("N", "O", "E")
_BAUDS = tuple(code * 100 for code in registers.BAUD_CODES)


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
    """Read a site file; SiteFileError names the file, the key and the fix."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SiteFileError(
            f"{path}: cannot read the site file ({exc.strerror}); give --site a TOML site file"
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SiteFileError(f"{path}: not valid TOML: {exc}") from exc
    return parse_site(data, path)


def parse_site(data: dict[str, Any], path: Path) -> SimSite:
    buses = tuple(_bus(path, i, entry) for i, entry in enumerate(_table_list(path, data, "buses")))
    if not buses:
        raise SiteFileError(f"{path}: no [[buses]]: add at least one bus with name and baud")
    bus_names = [bus.name for bus in buses]
    _unique(path, "buses", bus_names)
    devices = tuple(
        _device(path, i, entry, set(bus_names))
        for i, entry in enumerate(_table_list(path, data, "devices"))
    )
    _unique(path, "devices", [device.name for device in devices])
    seen: dict[tuple[str, int], str] = {}
    for device in devices:
        other = seen.setdefault((device.bus, device.unit), device.name)
        if other != device.name:
            raise SiteFileError(
                f"{path}: devices {other!r} and {device.name!r} share unit {device.unit} on bus "
                f"{device.bus!r}: give each device on a bus its own unit"
            )
    policy = data.get("policy", {})
    timeout = policy.get("comm_loss_timeout_s", 30) if isinstance(policy, dict) else 30
    if not isinstance(timeout, int) or not 0 <= timeout <= 3600:
        raise SiteFileError(
            f"{path}: policy.comm_loss_timeout_s = {timeout!r}: use seconds 0..3600"
        )
    site = data.get("site", {})
    name = site.get("name", path.stem) if isinstance(site, dict) else path.stem
    return SimSite(
        path=path, name=str(name), buses=buses, devices=devices, comm_loss_timeout_s=timeout
    )


def _table_list(path: Path, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise SiteFileError(f"{path}: {key} must be an array of tables ([[{key}]])")
    return value


def _unique(path: Path, key: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SiteFileError(f"{path}: two [[{key}]] are named {name!r}: names must be unique")
        seen.add(name)


def _get(
    path: Path, where: str, entry: dict[str, Any], key: str, kind: type, default: Any = None
) -> Any:
    if key not in entry:
        if default is None:
            raise SiteFileError(f"{path}: {where} has no {key!r}: add it")
        return default
    value = entry[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise SiteFileError(f"{path}: {where}.{key} = {value!r} must be a {kind.__name__}")
    return value


def _bus(path: Path, index: int, entry: dict[str, Any]) -> SimBus:
    where = f"buses[{index}]"
    name = _get(path, where, entry, "name", str)
    where = f"bus {name!r}"
    baud = _get(path, where, entry, "baud", int)
    if baud not in _BAUDS:
        raise SiteFileError(
            f"{path}: {where}.baud = {baud}: use one of {', '.join(map(str, _BAUDS))}"
        )
    parity = _get(path, where, entry, "parity", str, "N")
    if parity not in _PARITIES:
        raise SiteFileError(f"{path}: {where}.parity = {parity!r}: use N, O or E")
    stopbits = _get(path, where, entry, "stopbits", int, 1)
    if stopbits not in (1, 2):
        raise SiteFileError(f"{path}: {where}.stopbits = {stopbits}: use 1 or 2")
    return SimBus(name=name, baud=baud, parity=parity, stopbits=stopbits)


def _device(path: Path, index: int, entry: dict[str, Any], bus_names: set[str]) -> SimDevice:
    name = _get(path, f"devices[{index}]", entry, "name", str)
    where = f"device {name!r}"
    bus = _get(path, where, entry, "bus", str)
    if bus not in bus_names:
        raise SiteFileError(
            f"{path}: {where}.bus = {bus!r} is not a [[buses]] name ({', '.join(sorted(bus_names))})"
        )
    unit = _get(path, where, entry, "unit", int)
    if not 1 <= unit <= 247:
        raise SiteFileError(f"{path}: {where}.unit = {unit}: use a unit address 1..247")
    role = _get(path, where, entry, "role", str, "")
    profile = _get(path, where, entry, "profile", str, "")
    if bool(role) == bool(profile):
        raise SiteFileError(
            f"{path}: {where} needs exactly one of role ({'|'.join(registers.ROLE_NAMES[1:])}) or profile"
        )
    if role and role not in registers.ROLE_NAMES[1:]:
        raise SiteFileError(
            f"{path}: {where}.role = {role!r}: use one of {', '.join(registers.ROLE_NAMES[1:])}"
        )
    params = _get(path, where, entry, "params", dict, {})
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise SiteFileError(
                f"{path}: {where}.params.{key} = {value!r} must be an integer register value"
            )
    plant = _get(path, where, entry, "plant", dict, {})
    for key, value in plant.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise SiteFileError(f"{path}: {where}.plant.{key} = {value!r} must be a number >= 0")
    inputs = entry.get("inputs", [])
    if not isinstance(inputs, list) or not all(isinstance(v, dict) for v in inputs):
        raise SiteFileError(
            f"{path}: {where}.inputs must be an array of tables ([[devices.inputs]])"
        )
    return SimDevice(
        name=name,
        bus=bus,
        unit=unit,
        role=role,
        profile=profile,
        evacuation_route=bool(entry.get("evacuation_route", False)),
        fire_lane=bool(entry.get("fire_lane", False)),
        fail_secure=bool(entry.get("fail_secure", False)),
        params=dict(params),
        plant={key: float(value) for key, value in plant.items()},
        inputs=tuple(dict(v) for v in inputs),
    )
