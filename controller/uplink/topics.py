"""The MQTT topic scheme of the campus uplink (version 1). A campus publishes only under its own
prefix; the broker ACL (docs/mosquitto-acl.example) enforces it.

    campusguard/v1/<campus_id>/status   "online" | "offline"   retained; "offline" is the last will
    campusguard/v1/<campus_id>/state    JSON campus summary    retained, QoS 1, on every change
    campusguard/v1/<campus_id>/events   JSON event             QoS 1, every event with a stable id
    campusguard/v1/<campus_id>/alarms   JSON event             QoS 1, alarm kinds only (not also in /events)
    campusguard/v1/<campus_id>/advisory JSON advisory          QoS 1, district -> campus (read by the campus)
"""

from __future__ import annotations

import re

ROOT = "campusguard/v1"
STATUS = "status"
STATE = "state"
EVENTS = "events"
ALARMS = "alarms"
ADVISORY = "advisory"  # the district's advisories to one campus (the only topic a campus reads)
ONLINE = "online"
OFFLINE = "offline"

CAMPUS_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")

# Event kinds a district must see as alarms (newest first, with sound, on its console).
ALARM_KINDS = frozenset({
    "panic.alarm", "smoke.alarm", "fire.confirmed", "lockdown.set", "trouble.tamper",
    "intrusion.alarm", "door.forced",
})


def is_alarm(kind: str) -> bool:
    return kind in ALARM_KINDS or kind.endswith(".alarm") or kind.endswith(".forced")


def topic(campus_id: str, leaf: str) -> str:
    return f"{ROOT}/{campus_id}/{leaf}"


def event_topic(campus_id: str, kind: str) -> str:
    return topic(campus_id, ALARMS if is_alarm(kind) else EVENTS)


def subscription() -> str:
    """What the district subscribes to: every campus, every leaf."""
    return f"{ROOT}/+/+"


def parse(topic_name: str) -> tuple[str, str] | None:
    """(campus_id, leaf) of a topic in this scheme, or None."""
    parts = topic_name.split("/")
    if len(parts) != 4 or f"{parts[0]}/{parts[1]}" != ROOT or not CAMPUS_ID.match(parts[2]):
        return None
    return parts[2], parts[3]
