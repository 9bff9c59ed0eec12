"""The device configuration an installer writes to a board (config.json, schema in firmware/core/
config_store.py): from a site file's device entry, or from command-line options. Checked here
against protocols/registers.py so a bad value is refused on the laptop, not by the device."""

from __future__ import annotations

from dataclasses import dataclass, field

from controller.field.errors import UsageError
from controller.field.site_file import read_site
from protocols import registers as R
from protocols.serial_number import serial_number

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


def from_site(path: str, device_name: str) -> DeviceConfig:
    """The configuration of device_name in the site file; the serial follows
    protocols/serial_number.py, as the simulator's does, so both agree."""
    site = read_site(path)
    try:
        dev = site.device(device_name)
    except KeyError:
        raise UsageError("%s has no device %r" % (path, device_name),
                         "devices: %s" % ", ".join(sorted(d.name for d in site.devices))) from None
    if dev.role is None:
        raise UsageError("%s is a third-party device (profile %s): it runs its maker's firmware"
                         % (device_name, dev.profile),
                         "set its address with the maker's tool; flash is for CampusGuard "
                         "controllers")
    try:
        bus = site.bus(dev.bus)
    except KeyError:  # load_site accepts a Modbus TCP gateway there; flash needs the serial line
        raise UsageError("%s: device %s is behind gateway %r, not on a [[buses]] serial bus"
                         % (path, device_name, dev.bus),
                         "give the line settings instead: --role %s --unit %d --baud B"
                         % (dev.role, dev.unit)) from None
    flags = (R.FLAG_EVACUATION_ROUTE if dev.evacuation_route else 0) | (
        R.FLAG_FIRE_LANE if dev.fire_lane else 0)
    config = DeviceConfig(
        role=dev.role, unit=dev.unit, baud=bus.baud, parity=bus.parity, stopbits=bus.stopbits,
        site_flags=flags, comm_loss_timeout_s=site.policy.comm_loss_timeout_s,
        serial=serial_number(site.name, device_name), params=dict(dev.params), name=device_name)
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
