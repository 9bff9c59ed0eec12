"""[uplink] of a site file: the district's MQTT broker and this campus's id on it (issue 17).
Checked here with file:line errors; controller/uplink builds its UplinkConfig from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from controller.site.checker import Checker

_CAMPUS_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
KEYS = ("broker", "campus_id", "username", "password_file", "ca", "keepalive_s",
        "accept_advisory")
ADVISORY_ACTIONS = ("lockdown",)


@dataclass(frozen=True)
class UplinkSettings:
    broker: str
    campus_id: str
    username: str = ""
    password_file: str = ""
    ca: str = ""
    keepalive_s: int = 15
    line: int = 0
    accept_advisory: tuple[str, ...] = ()  # district advisories the campus's policy accepts


def read_uplink(check: Checker, doc: dict) -> UplinkSettings | None:
    if "uplink" not in doc:
        return None
    table = check.table(doc, (), "uplink")
    path = ("uplink",)
    check.unknown_keys(table, path, KEYS)
    broker = check.get(table, path, "broker", str, hint='"mqtt://127.0.0.1:1883"')
    if broker is not None:
        parts = urlsplit(broker)
        try:
            port_ok = parts.port is None or 1 <= parts.port <= 65535
        except ValueError:
            port_ok = False
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname or not port_ok:
            check.bad_value(path + ("broker",), broker, "is not an MQTT broker address",
                            'write broker = "mqtt://HOST:1883" or "mqtts://HOST:8883" (TLS)')
            broker = None
    campus_id = check.get(table, path, "campus_id", str, hint='"sunrise-primary"')
    if campus_id is not None and not _CAMPUS_ID.match(campus_id):
        check.bad_value(path + ("campus_id",), campus_id,
                        "must be 1..63 lower-case letters, digits, '-' or '_'",
                        'write the id the district gave this campus, e.g. "sunrise-primary"')
        campus_id = None
    username = check.get(table, path, "username", str, default="")
    password_file = check.get(table, path, "password_file", str, default="")
    ca = check.get(table, path, "ca", str, default="")
    keepalive = check.get_range(table, path, "keepalive_s", int, 1, 3600, default=15)
    accept = check.get(table, path, "accept_advisory", list, default=[]) or []
    for action in accept:
        if action not in ADVISORY_ACTIONS:
            check.bad_value(path + ("accept_advisory",), action,
                            "is not an advisory a district may give",
                            'write accept_advisory = ["lockdown"], or [] to refuse them all')
            accept = []
            break
    if broker is None or campus_id is None:
        return None
    return UplinkSettings(broker, campus_id, username or "", password_file or "", ca or "",
                          int(keepalive or 15), check.line(path), tuple(accept))
