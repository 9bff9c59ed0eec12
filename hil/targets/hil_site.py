"""A HIL site file: which real devices are on the bench, the serial ports of their buses, and how
the test rig's pins are wired to their terminals (hil/wiring/README.md; example
hil/wiring/bench-rig.toml).

    [hil]
    site = "../../sites/demo-campus.toml"   # the site file the devices come from (relative path)
    devices = ["main-gate-barrier", ...]     # the subset wired to the rig
    pin_factory = "lgpio"                    # gpiozero pin factory on the Pi ("mock" for a dry run)
    settle_s = 0.02                          # plant loop period on the rig

    [ports]
    gate-bus = "/dev/ttyUSB0"                # bus name -> serial port of the RS-485 adapter

    [[wiring]]
    device = "main-gate-barrier"
    terminal = "limit_open"                  # protocols/io_points.py name, or "power"
    pin = "GPIO5"
    active_high = true                       # false when an inverting driver/optocoupler sits between
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from protocols import io_points, registers

POWER_TERMINAL = "power"  # rig-only terminal: a relay in the device's supply


class HilSiteError(ValueError):
    """The HIL site file is wrong; the message names the file, the key and the fix."""


@dataclass(frozen=True)
class WireRun:
    device: str  # device name from the site file
    terminal: str  # io_points terminal name of the device's role, or "power"
    pin: str  # gpiozero pin name on the rig ("GPIO17", "BOARD11", ...)
    kind: str  # the DEVICE's view: "di" (rig drives), "ai" (rig drives PWM), "do" (rig reads), "power"
    active_high: bool = True  # False when the circuit between inverts


@dataclass(frozen=True)
class HilSite:
    path: Path  # this HIL file
    site_path: Path  # the site file the devices come from
    devices: tuple[str, ...]  # devices wired to the rig
    ports: dict[str, str]  # bus -> serial port
    wiring: tuple[WireRun, ...]
    pin_factory: str = "lgpio"
    settle_s: float = 0.02  # rig plant loop period


def _terminal_kind(role: str, terminal: str, where: str) -> str:
    if terminal == POWER_TERMINAL:
        return "power"
    try:
        points = io_points.ROLE_IO[registers.role_code(role)]
    except ValueError:
        raise HilSiteError("%s: role %r has no field I/O to wire" % (where, role)) from None
    for point in points:
        if point[io_points.NAME] == terminal:
            return point[io_points.KIND]
    names = ", ".join(p[io_points.NAME] for p in points)
    raise HilSiteError("%s: a %s has no terminal %r. Fix: use one of %s, or power" % (where, role, terminal, names))


def load_hil_site(path: str | Path) -> HilSite:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise HilSiteError("%s: no such HIL site file. Fix: pass --hil-site with a file like hil/wiring/bench-rig.toml" % path) from None
    except tomllib.TOMLDecodeError as exc:
        raise HilSiteError("%s: not valid TOML: %s" % (path, exc)) from None
    hil = data.get("hil")
    if not isinstance(hil, dict) or "site" not in hil:
        raise HilSiteError("%s: no [hil] site = \"...\". Fix: name the site file the devices come from" % path)
    site_path = (path.parent / hil["site"]).resolve()
    from sim.site_reader import read_site  # the tolerant reader: roles and buses are all we need

    site = read_site(site_path)
    roles = {d.name: d.kind for d in site.devices}
    devices = tuple(hil.get("devices", ()))
    for name in devices:
        if name not in roles:
            raise HilSiteError("%s: [hil] devices names %r, which %s does not have" % (path, name, site_path))
    ports = data.get("ports", {})
    bus_names = {b.name for b in site.buses}
    for bus in ports:
        if bus not in bus_names:
            raise HilSiteError("%s: [ports] %r is not a bus of %s (buses: %s)" % (path, bus, site_path, ", ".join(sorted(bus_names))))
    needed = {site.device(name).bus for name in devices}
    for bus in sorted(needed - set(ports)):
        raise HilSiteError("%s: bus %r has devices on the bench but no port. Fix: add %s = \"/dev/ttyUSB0\" under [ports]" % (path, bus, bus))
    runs = []
    used: dict[str, str] = {}
    for index, entry in enumerate(data.get("wiring", ())):
        where = "%s: wiring[%d]" % (path, index)
        for key in ("device", "terminal", "pin"):
            if key not in entry:
                raise HilSiteError("%s has no %r" % (where, key))
        if entry["device"] not in devices:
            raise HilSiteError("%s: device %r is not in [hil] devices" % (where, entry["device"]))
        pin = str(entry["pin"])
        if pin in used:
            raise HilSiteError("%s: pin %s is already wired to %s. Fix: one terminal per pin" % (where, pin, used[pin]))
        used[pin] = "%s.%s" % (entry["device"], entry["terminal"])
        kind = _terminal_kind(roles[entry["device"]], entry["terminal"], where)
        runs.append(WireRun(entry["device"], entry["terminal"], pin, kind, bool(entry.get("active_high", True))))
    return HilSite(
        path=path,
        site_path=site_path,
        devices=devices,
        ports=dict(ports),
        wiring=tuple(runs),
        pin_factory=str(hil.get("pin_factory", "lgpio")),
        settle_s=float(hil.get("settle_s", 0.02)),
    )
