"""The device configuration an installer writes to a board (config.json, schema in firmware/core/
config_store.py): from a site file's device entry, or from command-line options. Checked here
against protocols/registers.py so a bad value is refused on the laptop, not by the device."""

from __future__ import annotations

import tomllib
import zlib
from dataclasses import dataclass, field

from controller.field.errors import UsageError
from protocols import registers as R

CONFIG_VERSION = 1


@dataclass(frozen=True)
class DeviceConfig:
    role: str  # gate | bollard | panic | smoke
    unit: int  # Modbus unit address 1..247
    baud: int  # 9600, 19200, 38400, 57600 or 115200
    parity: str = "N"  # N, O or E
    stopbits: int = 1  # 1 or 2
    site_flags: int = 0  # bit 0 evacuation route, bit 1 fire lane
    comm_loss_timeout_s: int = 30  # device-side comm-loss action after this many seconds
    serial: int = 0  # serial number shown in common.serial_hi/lo
    params: dict = field(default_factory=dict)  # role register name -> value (persisted rw)
    name: str = ""  # device name in the site file, for messages only (not written)

    def as_json(self) -> dict:
        return {"version": CONFIG_VERSION, "role": self.role, "unit": self.unit,
                "baud": self.baud, "parity": self.parity, "stopbits": self.stopbits,
                "site_flags": self.site_flags, "comm_loss_timeout_s": self.comm_loss_timeout_s,
                "serial": self.serial, "params": dict(self.params)}


def validate(config: DeviceConfig) -> DeviceConfig:
    """The same config, or UsageError naming the bad field and its allowed values."""
    if config.role not in R.ROLE_NAMES[1:]:
        raise UsageError("role %r is not one of %s" % (config.role, ", ".join(R.ROLE_NAMES[1:])),
                         "use --role gate|bollard|panic|smoke")
    if not 1 <= config.unit <= 247:
        raise UsageError("unit %d is outside 1..247" % config.unit, "use --unit 1..247")
    if config.baud % 100 or config.baud // 100 not in R.BAUD_CODES:
        raise UsageError("baud %d is not supported by the firmware" % config.baud,
                         "use one of %s" % ", ".join(str(c * 100) for c in R.BAUD_CODES))
    if config.parity not in R.PARITY_NAMES:
        raise UsageError("parity %r is not N, O or E" % config.parity, "use --parity N|O|E")
    if config.stopbits not in (1, 2):
        raise UsageError("stop bits %d is not 1 or 2" % config.stopbits, "use --stopbits 1|2")
    if not 0 <= config.site_flags <= 3:
        raise UsageError("site flags %d outside 0..3" % config.site_flags, "")
    if not 0 <= config.comm_loss_timeout_s <= 3600:
        raise UsageError("comm_loss_timeout_s %d outside 0..3600" % config.comm_loss_timeout_s,
                         "")
    if not 0 <= config.serial <= 0xFFFFFFFF:
        raise UsageError("serial %d does not fit 32 bits" % config.serial, "")
    block = R.ROLE_BLOCKS[R.role_code(config.role)]
    for name, value in config.params.items():
        try:
            reg = R.find(block, name)
        except KeyError:
            writable = ", ".join(r[R.NAME] for r in block if r[R.ACCESS] == "rw")
            raise UsageError("%s has no parameter %r" % (config.role, name),
                             "parameters of a %s: %s" % (config.role, writable)) from None
        if reg[R.ACCESS] != "rw":
            raise UsageError("%s.%s is not a parameter (it is %s)"
                             % (config.role, name, "read-only" if reg[R.ACCESS] == "r"
                                else "a command"), "")
        if not isinstance(value, int) or not reg[R.LO] <= value <= reg[R.HI]:
            raise UsageError("%s.%s = %r is outside %d..%d"
                             % (config.role, name, value, reg[R.LO], reg[R.HI]),
                             "give a whole number from %d to %d" % (reg[R.LO], reg[R.HI]))
    return config


def serial_number(site_name: str, device_name: str) -> int:
    """A stable serial per device of a site: the simulator uses the same rule, so a device
    provisioned by the simulator and one flashed from the same site file agree."""
    return zlib.crc32(("%s/%s" % (site_name, device_name)).encode()) & 0xFFFFFFFF


def from_site(path: str, device_name: str) -> DeviceConfig:
    try:
        with open(path, "rb") as f:
            site = tomllib.load(f)
    except FileNotFoundError:
        raise UsageError("no site file %s" % path, "give the path of the site's .toml file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError("%s: %s" % (path, exc), "fix the TOML syntax at that line") from None
    devices = {d.get("name"): d for d in site.get("devices", [])}
    if device_name not in devices:
        raise UsageError("%s has no device %r" % (path, device_name),
                         "devices: %s" % ", ".join(sorted(str(n) for n in devices)))
    dev = devices[device_name]
    if "profile" in dev and "role" not in dev:
        raise UsageError("%s is a third-party device (profile %s): it runs its maker's firmware"
                         % (device_name, dev["profile"]),
                         "set its address with the maker's tool; flash is for CampusGuard "
                         "controllers")
    buses = {b.get("name"): b for b in site.get("buses", [])}
    bus = buses.get(dev.get("bus"))
    if bus is None:
        raise UsageError("%s: device %s names bus %r, which the file does not define"
                         % (path, device_name, dev.get("bus")), "add it under [[buses]]")
    flags = (R.FLAG_EVACUATION_ROUTE if dev.get("evacuation_route") else 0) | (
        R.FLAG_FIRE_LANE if dev.get("fire_lane") else 0)
    site_name = site.get("site", {}).get("name", "")
    config = DeviceConfig(
        role=str(dev.get("role", "")), unit=int(dev.get("unit", 0)),
        baud=int(bus.get("baud", 19200)), parity=str(bus.get("parity", "N")),
        stopbits=int(bus.get("stopbits", 1)), site_flags=flags,
        comm_loss_timeout_s=int(site.get("policy", {}).get("comm_loss_timeout_s", 30)),
        serial=serial_number(site_name, device_name), params=dict(dev.get("params", {})),
        name=device_name)
    try:
        return validate(config)
    except UsageError as exc:
        raise UsageError("%s, device %s: %s" % (path, device_name, exc.message), exc.hint) from None


def parse_params(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise UsageError("--param %r is not NAME=VALUE" % pair, "e.g. --param travel_timeout_s=20")
        try:
            out[name.strip()] = int(value, 0)
        except ValueError:
            raise UsageError("--param %s: %r is not a whole number" % (name, value), "") from None
    return out
