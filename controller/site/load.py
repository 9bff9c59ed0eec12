"""load_site(path) -> Site: parse the TOML, check every section and every cross-reference, and
raise one SiteError listing all problems (file, line, key, fix) when there is any."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from types import MappingProxyType

from controller.site.checker import Checker
from controller.site.console_section import read_console
from controller.site.control_section import read_control
from controller.site.devices import read_device
from controller.site.errors import SiteError, SiteProblem
from controller.site.locate import KeyLocator
from controller.site.model import Bus, Device, Gateway, Schedule, Site, Zone
from controller.site.operations import read_operations
from controller.site.sections import (
    STANDARD_BAUDS,
    read_alarm,
    read_buses,
    read_gateways,
    read_holidays,
    read_policy,
    read_schedules,
    read_site_table,
    read_users,
    read_zones,
)
from controller.site.uplink_section import read_uplink
from protocols import registers as regs

TOP_LEVEL_KEYS = ("site", "buses", "gateways", "zones", "devices", "policy", "schedules",
                  "holidays", "users", "alarm", "local_io", "control", "operations",
                  "patrol", "uplink", "console")
_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
# Our firmware speaks only these rates (protocols/registers.py BAUD_CODES, baud / 100).
FIRMWARE_BAUDS = tuple(code * 100 for code in regs.BAUD_CODES)


def default_site_path() -> Path:
    """sites/demo-campus.toml of this checkout (the default of run, sim up and make demo)."""
    return Path(__file__).resolve().parents[2] / "sites" / "demo-campus.toml"


def load_site(path: str | Path | None = None) -> Site:
    """Load and validate a site file (default: the demo campus). Raises SiteError."""
    path = default_site_path() if path is None else Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SiteError([SiteProblem(str(path), 0, "", f"cannot read the site file: "
                                     f"{exc.strerror or exc}",
                                     "check the path given with --site")]) from exc
    return load_site_text(text, path)


def load_site_text(text: str, path: str | Path = "<site>") -> Site:
    file = str(path)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = int(found.group(1)) if found else 0
        what = _TOML_LINE.sub("", str(exc)).strip()
        raise SiteError([SiteProblem(file, line, "", f"TOML syntax error: {what}",
                                     "correct the TOML syntax on that line (quotes around text, "
                                     "= between key and value, [table] headers)")]) from None
    check = Checker(file, KeyLocator(text))
    check.unknown_keys(doc, (), TOP_LEVEL_KEYS)
    name, timezone = read_site_table(check, doc)
    buses = read_buses(check, doc)
    gateways = read_gateways(check, doc)
    zones = read_zones(check, doc)
    devices = [d for d in (read_device(check, p, t) for p, t in check.tables(doc, "devices"))
               if d is not None]
    policy = read_policy(check, doc)
    schedules = read_schedules(check, doc)
    holidays = read_holidays(check, doc)
    users = read_users(check, doc)
    alarm = read_alarm(check, doc)
    operations = read_operations(check, doc, [d.name for d in devices if d.kind == "checkpoint"])
    local_io = check.table(doc, (), "local_io")
    control = read_control(check, doc)
    uplink = read_uplink(check, doc)
    console = read_console(check, doc, file)
    _check_links(check, doc, buses, gateways, zones, devices)
    _check_schedule_targets(check, schedules, devices)
    if check.problems:
        raise SiteError(check.problems)
    site = Site(path=Path(path), name=name, timezone=timezone, buses=tuple(buses),
                zones=tuple(zones), devices=tuple(devices), policy=policy,
                schedules=tuple(schedules), holidays=holidays, users=tuple(users), alarm=alarm,
                gateways=tuple(gateways), local_io=MappingProxyType(dict(local_io)),
                operations=operations, control=control, uplink=uplink, console=console,
                patrol=MappingProxyType(dict(check.table(doc, (), "patrol"))))
    _check_patrol(check, site)
    return site


def _check_patrol(check: Checker, site: Site) -> None:
    """[patrol] is validated by controller/patrol (imported here, late: it reads the site model)."""
    from controller.patrol.config import PatrolConfigError, load_patrol

    try:
        load_patrol(site)
    except PatrolConfigError as exc:
        what, _, fix = str(exc).partition(". Fix: ")
        check.problem(("patrol",), what, fix)
        raise SiteError(check.problems) from None


def _device_path(doc: dict, device: Device) -> tuple:
    for index, table in enumerate(doc.get("devices", [])):
        if table.get("name") == device.name and table.get("unit") == device.unit:
            return ("devices", index)
    return ("devices",)


def _check_links(check: Checker, doc: dict, buses: list[Bus], gateways: list[Gateway],
                 zones: list[Zone], devices: list[Device]) -> None:
    links = {b.name: b for b in buses} | {g.name: g for g in gateways}
    check.unique([(("buses", i, "name"), b.name) for i, b in enumerate(buses)] +
                 [(("gateways", i, "name"), g.name) for i, g in enumerate(gateways)],
                 "bus or gateway name", "give every bus and gateway its own name")
    zone_names = [z.name for z in zones]
    names: list[tuple[tuple, str]] = []
    units: dict[tuple[str, int], tuple] = {}
    for device in devices:
        path = _device_path(doc, device)
        names.append((path + ("name",), device.name))
        for index, point in enumerate(device.inputs):
            names.append((path + ("inputs", index, "name"), point.name))
            if point.zone not in zone_names:
                check.bad_value(path + ("inputs", index, "zone"), point.zone, "no such zone",
                                f"use one of the [[zones]]: {', '.join(zone_names)}")
        link = links.get(device.bus)
        if link is None:
            check.bad_value(path + ("bus",), device.bus, "no such bus or gateway",
                            f"use one of {', '.join(links) or '(none: add a [[buses]] table)'}")
        elif isinstance(link, Bus) and device.role and link.baud in STANDARD_BAUDS \
                and link.baud not in FIRMWARE_BAUDS:
            check.bad_value(path + ("bus",), device.bus,
                            f"runs at {link.baud} baud, which our {device.role} firmware "
                            f"does not speak",
                            f"run bus {device.bus!r} at one of "
                            f"{', '.join(map(str, FIRMWARE_BAUDS))}")
        if device.zone not in zone_names:
            check.bad_value(path + ("zone",), device.zone, "no such zone",
                            f"use one of the [[zones]]: {', '.join(zone_names) or '(none)'}")
        key = (device.bus, device.unit)
        if key in units:
            check.bad_value(path + ("unit",), device.unit,
                            f"unit {device.unit} is already used on bus {device.bus!r} (line "
                            f"{check.line(units[key])})",
                            f"give the device a unit address between 1 and 247 that no other "
                            f"device on bus {device.bus!r} uses")
        else:
            units[key] = path
    check.unique(names, "device name", "give every device and every module input its own name")


def _check_schedule_targets(check: Checker, schedules: list[Schedule],
                            devices: list[Device]) -> None:
    kinds = {d.name: d.kind for d in devices}
    for index, schedule in enumerate(schedules):
        path = ("schedules", index)
        for key, want, targets in (("open", "gate", schedule.open),
                                   ("raise", "bollard", schedule.raise_),
                                   ("unlock", "door", schedule.unlock),
                                   ("arm", "intrusion", schedule.arm)):
            for name in targets:
                if name not in kinds:
                    check.bad_value(path + (key,), name, "no such device",
                                    f"name {want}s from [[devices]]")
                elif kinds[name] != want:
                    check.bad_value(path + (key,), name, f"is a {kinds[name]}, not a {want}",
                                    f"list only {want}s under {key}")
