"""Readers for the simple sections of a site file: [site], [[buses]], [[gateways]], [[zones]],
[policy], [[schedules]], [holidays], [[users]], [alarm]. Devices are in devices.py. Each reader
records its problems on the Checker and returns what it could build."""

from __future__ import annotations

import re
import string
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from controller.site.checker import Checker, key_text
from controller.site.model import (
    USER_ROLES,
    WEEKDAYS,
    AlarmConfig,
    AlarmReceiver,
    Bus,
    Gateway,
    PolicyParams,
    Schedule,
    User,
    Zone,
)

STANDARD_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
FIRE_RULES = ("one_detector", "two_detectors", "guard_confirm")
CLEAR_RULES = ("supervisor_or_two_guards", "supervisor", "two_guards")
PANIC_SCOPES = ("campus", "zone")
_SOCKET_URL = re.compile(r"^socket://([^:/]+):(\d+)$")
_GROUP = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def read_site_table(check: Checker, doc: dict) -> tuple[str, str]:
    if "site" not in doc:
        check.problem((), "missing [site] table", 'add [site] with name = "..." and '
                      'timezone = "Asia/Shanghai" (an IANA timezone name)')
        return "", "UTC"
    table = check.table(doc, (), "site")
    check.unknown_keys(table, ("site",), ("name", "timezone"))
    name = check.get(table, ("site",), "name", str) or ""
    tz = check.get(table, ("site",), "timezone", str, hint='"Asia/Shanghai"') or "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        check.bad_value(("site", "timezone"), tz, "not a known IANA timezone",
                        'write the zone name, e.g. timezone = "Asia/Shanghai"')
        tz = "UTC"
    return name, tz


def read_buses(check: Checker, doc: dict) -> list[Bus]:
    buses = []
    for path, table in check.tables(doc, "buses"):
        check.unknown_keys(table, path, ("name", "port", "baud", "parity", "stopbits"))
        name = check.get(table, path, "name", str)
        port = check.get(table, path, "port", str, hint='"/dev/ttyUSB0" or "socket://host:port"')
        if port is not None:
            url = _SOCKET_URL.match(port)
            if port.startswith("socket://") and (not url or not 1 <= int(url.group(2)) <= 65535):
                check.bad_value(path + ("port",), port, "not a socket://host:port URL",
                                'write e.g. port = "socket://192.168.1.20:4001"')
            elif not port:
                check.bad_value(path + ("port",), port, "empty", 'name the serial device, e.g. '
                                'port = "/dev/ttyUSB0"')
        baud = check.get(table, path, "baud", int, hint="115200")
        if baud is not None and baud not in STANDARD_BAUDS:
            check.bad_value(path + ("baud",), baud, "not a standard baud rate",
                            f"use one of {', '.join(map(str, STANDARD_BAUDS))}")
        parity = check.get_choice(table, path, "parity", ("N", "O", "E"), default="N")
        stopbits = check.get(table, path, "stopbits", int, default=1, hint="1 or 2")
        if stopbits not in (1, 2):
            check.bad_value(path + ("stopbits",), stopbits, "must be 1 or 2", "write stopbits = 1")
        if name is not None and port is not None and baud is not None:
            buses.append(Bus(name, port, baud, parity or "N", stopbits or 1, check.line(path)))
    return buses


def read_gateways(check: Checker, doc: dict) -> list[Gateway]:
    gateways = []
    for path, table in check.tables(doc, "gateways"):
        check.unknown_keys(table, path, ("name", "host", "port", "framing", "baud"))
        name = check.get(table, path, "name", str)
        host = check.get(table, path, "host", str, hint='"192.168.1.30"')
        port = check.get_range(table, path, "port", int, 1, 65535, default=502)
        framing = check.get_choice(table, path, "framing", ("tcp", "rtu"), default="tcp")
        baud = check.get(table, path, "baud", int, default=19200, hint="19200")
        if baud is not None and baud not in STANDARD_BAUDS:
            check.bad_value(path + ("baud",), baud, "not a standard baud rate",
                            "give the baud of the RS-485 line behind the gateway, one of "
                            f"{', '.join(map(str, STANDARD_BAUDS))}")
            baud = None
        if name is not None and host:
            gateways.append(Gateway(name, host, port, check.line(path), framing or "tcp",
                                    baud or 19200))
        elif host == "":
            check.bad_value(path + ("host",), host, "empty", "give the gateway's host or address")
    return gateways


def read_zones(check: Checker, doc: dict) -> list[Zone]:
    zones = []
    for path, table in check.tables(doc, "zones"):
        check.unknown_keys(table, path, ("name", "description"))
        name = check.get(table, path, "name", str)
        description = check.get(table, path, "description", str, default="")
        if name:
            zones.append(Zone(name, description, check.line(path)))
    check.unique([(("zones", i, "name"), t.get("name")) for i, t in enumerate(
        doc.get("zones", []) if isinstance(doc.get("zones"), list) else [])],
        "zone name", "give every zone its own name")
    return zones


def read_policy(check: Checker, doc: dict) -> PolicyParams:
    path = ("policy",)
    table = check.table(doc, (), "policy")
    check.unknown_keys(table, path, ("fire_in_normal", "fire_during_lockdown", "clear_rule",
                                     "two_person_window_s", "panic_scope", "trouble_after_s",
                                     "heartbeat_s", "comm_loss_timeout_s", "smoke_poll_s",
                                     "barrier_idle_poll_s"))
    base = PolicyParams()
    params = PolicyParams(
        fire_in_normal=check.get_choice(table, path, "fire_in_normal", FIRE_RULES,
                                        default=base.fire_in_normal),
        fire_during_lockdown=check.get_choice(table, path, "fire_during_lockdown", FIRE_RULES,
                                              default=base.fire_during_lockdown),
        clear_rule=check.get_choice(table, path, "clear_rule", CLEAR_RULES,
                                    default=base.clear_rule),
        two_person_window_s=check.get_range(table, path, "two_person_window_s", float, 5, 3600,
                                            default=base.two_person_window_s),
        panic_scope=check.get_choice(table, path, "panic_scope", PANIC_SCOPES,
                                     default=base.panic_scope),
        trouble_after_s=check.get_range(
            table, path, "trouble_after_s", float, 0, 200, default=base.trouble_after_s,
            fix="NFPA 72 requires trouble within 200 s: give a value between 0 and 200"),
        heartbeat_s=check.get_range(table, path, "heartbeat_s", float, 0.1, 600,
                                    default=base.heartbeat_s),
        comm_loss_timeout_s=check.get_range(table, path, "comm_loss_timeout_s", int, 0, 3600,
                                            default=base.comm_loss_timeout_s),
        smoke_poll_s=check.get_range(
            table, path, "smoke_poll_s", float, 0.2, 5.0, default=base.smoke_poll_s,
            fix="NFPA 72 gives 10 s from a fire alarm to the emergency control interface: poll "
                "smoke detectors every 0.2 to 5 s (the rest of the 10 s is the margin)"),
        barrier_idle_poll_s=check.get_range(
            table, path, "barrier_idle_poll_s", float, 0.2, 30.0, default=base.barrier_idle_poll_s,
            fix="give how often an idle gate or bollard is read, 0.2 to 30 s (moving ones are "
                "read every 0.2 s)"),
        line=check.line(path),
    )
    if params.comm_loss_timeout_s and params.comm_loss_timeout_s <= params.heartbeat_s:
        check.bad_value(path + ("comm_loss_timeout_s",), params.comm_loss_timeout_s,
                        f"must be longer than heartbeat_s = {params.heartbeat_s:g}",
                        "devices would fall into comm loss between heartbeats: make "
                        "comm_loss_timeout_s several heartbeats long (or 0 to disable)")
    return params


def _clock(check: Checker, table: dict, path: tuple, key: str) -> time | None:
    value = table.get(key)
    if value is None:
        check.problem(path, f"{key_text(path)}: missing key '{key}'", f'add {key} = "HH:MM"')
        return None
    if isinstance(value, time):
        return value
    if isinstance(value, str) and _HHMM.match(value):
        hour, minute = value.split(":")
        return time(int(hour), int(minute))
    check.bad_value(path + (key,), value, "not a time of day", f'write {key} = "07:20" (24 h)')
    return None


def _names(check: Checker, table: dict, path: tuple, key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.bad_value(path + (key,), value, "must be a list of names",
                        f'write {key} = ["name", ...]')
        return ()
    return tuple(value)


def read_schedules(check: Checker, doc: dict) -> list[Schedule]:
    schedules = []
    for path, table in check.tables(doc, "schedules"):
        check.unknown_keys(table, path, ("name", "days", "start", "end", "open", "raise", "unlock",
                                         "arm"))
        name = check.get(table, path, "name", str)
        days = _names(check, table, path, "days")
        if not days and "days" in table:
            check.bad_value(path + ("days",), table["days"], "no days",
                            'list the weekdays, e.g. days = ["mon", "tue", "wed", "thu", "fri"]')
        elif "days" not in table:
            check.problem(path, f"{key_text(path)}: missing key 'days'",
                          'add days = ["mon", "tue", "wed", "thu", "fri"]')
        for day in days:
            if day not in WEEKDAYS:
                check.bad_value(path + ("days",), day, "not a weekday",
                                f"use {', '.join(WEEKDAYS)}")
        start = _clock(check, table, path, "start")
        end = _clock(check, table, path, "end")
        if start is not None and end is not None and end <= start:
            check.bad_value(path + ("end",), end.strftime("%H:%M"),
                            f"must be after start {start.strftime('%H:%M')}",
                            "a window starts and ends on the same day: put end after start")
        opens = _names(check, table, path, "open")
        raises = _names(check, table, path, "raise")
        if name and start and end:
            schedules.append(Schedule(name, days, start, end, opens, raises, check.line(path),
                                      unlock=_names(check, table, path, "unlock"),
                                      arm=_names(check, table, path, "arm")))
    check.unique([(("schedules", i, "name"), s.name) for i, s in enumerate(schedules)],
                 "schedule name", "give every schedule its own name")
    return schedules


def read_holidays(check: Checker, doc: dict) -> frozenset[date]:
    table = check.table(doc, (), "holidays")
    check.unknown_keys(table, ("holidays",), ("dates",))
    out = set()
    dates = table.get("dates", [])
    if not isinstance(dates, list):
        check.bad_value(("holidays", "dates"), dates, "must be a list of dates",
                        'write dates = ["2026-10-01", "2026-10-02"]')
        dates = []
    for value in dates:
        if isinstance(value, date):
            out.add(value)
            continue
        try:
            out.add(date.fromisoformat(value))
        except (TypeError, ValueError):
            check.bad_value(("holidays", "dates"), value, "not a date",
                            'write dates as "YYYY-MM-DD", e.g. "2026-10-01"')
    return frozenset(out)


def read_users(check: Checker, doc: dict) -> list[User]:
    users = []
    for path, table in check.tables(doc, "users"):
        check.unknown_keys(table, path, ("name", "role"))
        name = check.get(table, path, "name", str)
        role = check.get_choice(table, path, "role", USER_ROLES)
        if name and role:
            users.append(User(name, role, check.line(path)))
    check.unique([(("users", i, "name"), u.name) for i, u in enumerate(users)], "user name",
                 "list each user once, with one role")
    return users


def _hex(check: Checker, path: tuple, key: str, value: str | None, lo: int, hi: int) -> None:
    if value is None or (value == "" and lo == 0):
        return
    if not lo <= len(value) <= hi or any(c not in string.hexdigits for c in value):
        check.bad_value(path + (key,), value, f"must be {lo}..{hi} hex digits",
                        f"write {key} as hex digits (0-9, A-F), as the receiving centre gave it")


def read_alarm(check: Checker, doc: dict) -> AlarmConfig:
    table = check.table(doc, (), "alarm")
    path = ("alarm",)
    check.unknown_keys(table, path, ("receivers", "supervision_s", "ack_timeout_s", "retries"))
    receivers = []
    for rpath, rec in check.tables(table, "receivers"):
        rpath = path + rpath
        check.unknown_keys(rec, rpath, ("host", "port", "protocol", "account", "key", "receiver",
                                        "prefix", "format", "group"))
        host = check.get(rec, rpath, "host", str, hint='"127.0.0.1"')
        port = check.get_range(rec, rpath, "port", int, 1, 65535)
        protocol = check.get_choice(rec, rpath, "protocol", ("tcp", "udp"), default="tcp")
        account = check.get(rec, rpath, "account", str, hint='"1234"')
        _hex(check, rpath, "account", account, 3, 16)
        key = check.get(rec, rpath, "key", str, default="")
        if key is not None and len(key) not in (0, 16, 24, 32):
            check.bad_value(rpath + ("key",), f"<{len(key)} characters>",
                            "an AES key must be 16, 24 or 32 characters",
                            'give the key the receiving centre issued, or key = "" for plain')
        receiver = check.get(rec, rpath, "receiver", str, default="")
        _hex(check, rpath, "receiver", receiver, 0, 6)
        prefix = check.get(rec, rpath, "prefix", str, default="0")
        _hex(check, rpath, "prefix", prefix, 1, 6)
        payload = check.get_choice(rec, rpath, "format", ("ADM-CID", "SIA-DCS"), default="ADM-CID")
        group = check.get(rec, rpath, "group", str, default="police")
        if group is not None and not _GROUP.match(group):
            check.bad_value(rpath + ("group",), group, "is not a receiver group name",
                            'write 1..32 lower-case letters, digits, - or _, e.g. "education"')
            group = None
        if host and port and account:
            receivers.append(AlarmReceiver(host, port, protocol or "tcp", account, key or "",
                                           receiver or "", prefix or "0", check.line(rpath),
                                           payload or "ADM-CID", group or "police"))
    return AlarmConfig(
        receivers=tuple(receivers),
        supervision_s=check.get_range(table, path, "supervision_s", float, 1, 86400, default=None),
        ack_timeout_s=check.get_range(table, path, "ack_timeout_s", float, 0.1, 60, default=None),
        retries=check.get_range(table, path, "retries", int, 0, 100, default=None),
        line=check.line(path),
    )
