"""Which serial port and line settings a diag command talks to: given directly (--port, --baud),
or by bus name from a running simulator's sim.json (--sim DIR --bus NAME) or a site file (--site
FILE --bus NAME). The last two also name the devices expected on the bus."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from controller.field.errors import UsageError
from controller.field.serial_link import SerialSettings
from controller.field.site_file import read_site


@dataclass(frozen=True)
class ExpectedDevice:
    name: str  # device name in the site file
    unit: int  # Modbus unit address
    role: str  # gate|bollard|panic|smoke or a profile name


@dataclass(frozen=True)
class BusTarget:
    settings: SerialSettings  # where and how to talk
    bus: str  # bus name, "" when given as a bare port
    expected: tuple[ExpectedDevice, ...]  # devices the site says are on this bus

    def expected_at(self, unit: int) -> ExpectedDevice | None:
        return next((d for d in self.expected if d.unit == unit), None)


def resolve_target(port: str | None, baud: int | None, parity: str | None,
                   stopbits: int | None, sim_dir: str | None, site: str | None,
                   bus: str | None) -> BusTarget:
    if sim_dir or site:
        if not bus:
            raise UsageError("--bus NAME is needed with --sim/--site",
                             "name the bus, e.g. --bus gate-bus")
        target = _from_sim(sim_dir, bus) if sim_dir else _from_site(site or "", bus)
        s = target.settings
        settings = SerialSettings(port or s.port, baud or s.baud, parity or s.parity,
                                  stopbits or s.stopbits)
        return BusTarget(settings, target.bus, target.expected)
    if not port:
        raise UsageError("no serial port given",
                         "use --port /dev/ttyUSB0 (or --sim STATE_DIR --bus NAME for a "
                         "simulated bus)")
    return BusTarget(SerialSettings(port, baud or 19200, parity or "N", stopbits or 1), "", ())


def _from_sim(sim_dir: str, bus: str) -> BusTarget:
    path = Path(sim_dir) / "sim.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError("no %s: the simulator is not running there" % path,
                         "start it: campusguard sim up --site FILE --state-dir %s" % sim_dir) from None
    except ValueError as exc:
        raise UsageError("%s is not valid JSON: %s" % (path, exc), "restart the simulator") from None
    buses = data.get("buses", {})
    if bus not in buses:
        raise UsageError("no bus %r in %s" % (bus, path),
                         "buses there: %s" % ", ".join(sorted(buses)))
    b = buses[bus]
    expected = tuple(ExpectedDevice(d["name"], int(d["unit"]), str(d.get("role", "")))
                     for d in data.get("devices", []) if d.get("bus") == bus)
    settings = SerialSettings(b["port"], int(b.get("baud", 19200)), b.get("parity", "N"),
                              int(b.get("stopbits", 1)))
    return BusTarget(settings, bus, expected)


def _from_site(path: str, bus: str) -> BusTarget:
    site = read_site(path)
    try:
        b = site.bus(bus)
    except KeyError:
        raise UsageError("no bus %r in %s" % (bus, path),
                         "buses there: %s" % ", ".join(sorted(known.name for known in site.buses))) from None
    expected = tuple(ExpectedDevice(d.name, d.unit, d.role or d.profile or "")
                     for d in site.devices_on(bus))
    return BusTarget(SerialSettings(b.port, b.baud, b.parity, b.stopbits), bus, expected)
