"""Reader for [[devices]]: role or profile, bus and unit, zone, flags, params (checked against the
register map in protocols/registers.py), plant (simulator physics) and input-module channels."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from controller.site.checker import Checker, key_text
from controller.site.model import OUR_ROLES, Device, DeviceInput
from controller.site.profile_index import profile_names, profile_summary
from protocols import registers as regs

DEVICE_KEYS = ("name", "bus", "unit", "role", "profile", "zone", "evacuation_route", "fire_lane",
               "params", "plant", "inputs", "fail_secure")
INPUT_KINDS = ("panic", "smoke")


def _role_block(role: str) -> tuple:
    return regs.ROLE_BLOCKS[regs.role_code(role)]


def _params(check: Checker, path: tuple, role: str | None, table: dict) -> dict[str, int]:
    raw = check.table(table, path, "params")
    if raw and role is None:
        check.problem(path + ("params",), f"{key_text(path + ('params',))}: a third-party "
                      "profile device has no firmware parameters",
                      "remove [devices.params]; configure the device with its vendor's tool")
        return {}
    if role is None:
        return {}
    block = _role_block(role)
    writable = [r[regs.NAME] for r in block if r[regs.ACCESS] == "rw"]
    out = {}
    for key, value in raw.items():
        where = path + ("params", key)
        try:
            reg = regs.find(block, key)
        except KeyError:
            reg = None
        if reg is None or reg[regs.ACCESS] != "rw":
            why = "not a register" if reg is None else "a read-only or command register"
            check.bad_value(where, value, f"{why} of the {role} role",
                            f"use one of the {role}'s writable parameters: {', '.join(writable)}")
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            check.bad_value(where, value, "must be a whole number",
                            f"write {key} = <{reg[regs.LO]}..{reg[regs.HI]}> "
                            f"({reg[regs.UNIT] or 'no unit'})")
            continue
        if not reg[regs.LO] <= value <= reg[regs.HI]:
            check.bad_value(where, value, f"must be {reg[regs.LO]}..{reg[regs.HI]}"
                            f"{' ' + reg[regs.UNIT] if reg[regs.UNIT] else ''}",
                            f"{reg[regs.DOC]}: give a value between {reg[regs.LO]} and "
                            f"{reg[regs.HI]}")
            continue
        out[key] = value
    return out


def _plant(check: Checker, path: tuple, table: dict) -> dict[str, Any]:
    raw = check.table(table, path, "plant")
    out = {}
    for key, value in raw.items():
        if not isinstance(value, (int, float, bool, str)):
            check.bad_value(path + ("plant", key), value, "must be a number, text or true/false",
                            "plant values are simulator physics: write a plain value")
            continue
        out[key] = value
    return out


def _inputs(check: Checker, path: tuple, table: dict, kind: str, channels: int,
            zone: str) -> tuple[DeviceInput, ...]:
    raw = table.get("inputs", [])
    if raw and kind != "inputs":
        check.problem(path + ("inputs",), f"{key_text(path + ('inputs',))}: only input modules "
                      "(a profile of kind inputs) have [[devices.inputs]]",
                      "remove the [[devices.inputs]] tables of this device")
        return ()
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        check.problem(path + ("inputs",), f"{key_text(path + ('inputs',))}: must be an array of "
                      "tables", "write each input as a [[devices.inputs]] table")
        return ()
    out = []
    for index, entry in enumerate(raw):
        ipath = path + ("inputs", index)
        check.unknown_keys(entry, ipath, ("channel", "name", "kind", "zone"))
        channel = check.get_range(entry, ipath, "channel", int, 0, max(channels - 1, 0),
                                  fix=f"the module has channels 0..{channels - 1}")
        name = check.get(entry, ipath, "name", str)
        in_kind = check.get_choice(entry, ipath, "kind", INPUT_KINDS)
        in_zone = check.get(entry, ipath, "zone", str, default=zone)
        if channel is not None and name and in_kind:
            out.append(DeviceInput(channel, name, in_kind, in_zone, check.line(ipath)))
    check.unique([(path + ("inputs", i, "channel"), p.channel) for i, p in enumerate(out)],
                 "channel", "wire each channel to one input only")
    return tuple(out)


def read_device(check: Checker, path: tuple, table: dict) -> Device | None:
    check.unknown_keys(table, path, DEVICE_KEYS)
    name = check.get(table, path, "name", str)
    bus = check.get(table, path, "bus", str)
    unit = check.get_range(table, path, "unit", int, 1, 247,
                           fix=f"give the device a unit address between 1 and 247 that no other "
                               f"device on bus {table.get('bus')!r} uses")
    zone = check.get(table, path, "zone", str)
    role = check.get(table, path, "role", str, default=None)
    profile = check.get(table, path, "profile", str, default=None)
    kind, channels = None, 0
    if role is not None and profile is not None:
        check.problem(path + ("profile",), f"{key_text(path)}: has both role and profile",
                      "keep role for our firmware, or profile for third-party equipment")
    elif role is not None:
        if role in OUR_ROLES:
            kind = role
        else:
            check.bad_value(path + ("role",), role, "not a role",
                            f"use one of {', '.join(OUR_ROLES)}, or profile = \"<name>\" for "
                            f"third-party equipment")
    elif profile is not None:
        summary = profile_summary(profile)
        if summary is None:
            check.bad_value(path + ("profile",), profile, "no such profile in protocols/profiles",
                            f"use one of {', '.join(profile_names())}, or add "
                            f"protocols/profiles/{profile}.toml")
        else:
            kind, channels = summary.kind, summary.channels
    else:
        check.problem(path, f"{key_text(path)}: missing key 'role' (or 'profile')",
                      f"add role = one of {', '.join(OUR_ROLES)}, or profile = \"<name>\"")
    evacuation = check.get(table, path, "evacuation_route", bool, default=False)
    fire_lane = check.get(table, path, "fire_lane", bool, default=False)
    if evacuation and kind not in (None, "gate", "door"):
        check.bad_value(path + ("evacuation_route",), True, "only gates and doors are evacuation "
                        "routes", "remove evacuation_route from this device")
    fail_secure = check.get(table, path, "fail_secure", bool, default=False)
    if fail_secure and kind not in (None, "door"):
        check.bad_value(path + ("fail_secure",), True, "only doors have a fail-secure lock",
                        "remove fail_secure from this device")
    if fire_lane and kind not in (None, "bollard"):
        check.bad_value(path + ("fire_lane",), True, "only bollards stand in a fire lane",
                        "remove fire_lane from this device")
    params = _params(check, path, role, table) if kind is not None else {}
    plant = _plant(check, path, table)
    inputs = _inputs(check, path, table, kind, channels, zone or "") if kind else ()
    if None in (name, bus, unit, zone, kind):
        return None
    return Device(name=name, bus=bus, unit=unit, role=role, profile=profile, kind=kind,
                  zone=zone, evacuation_route=bool(evacuation), fire_lane=bool(fire_lane),
                  fail_secure=bool(fail_secure),
                  params=MappingProxyType(params), plant=MappingProxyType(plant), inputs=inputs,
                  line=check.line(path))
