"""What the uplink publishes: events (stable ids) and the retained campus state, as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from controller.uplink.topics import event_topic


def event_id(campus_id: str, store_id: int, ts: str) -> str:
    """Stable across resends and restarts: the same stored event always has the same id (the
    timestamp tells an event apart from one of a re-created event store with the same row id)."""
    stamp = "".join(c for c in ts if c.isdigit())
    return f"{campus_id}-{store_id}-{stamp}"


def event_message(campus_id: str, row: Mapping[str, Any]) -> tuple[str, str, str]:
    """(event_id, topic, payload) for one event-store row (id, ts, kind, message, ...)."""
    ident = event_id(campus_id, int(row["id"]), str(row["ts"]))
    body = {"id": ident, "campus_id": campus_id, "seq": int(row["id"]), "kind": row["kind"],
            "ts": row["ts"], "message": row.get("message", ""), "device": row.get("device"),
            "zone": row.get("zone"), "user": row.get("user"), "role": row.get("role"),
            "reason": row.get("reason"), "drill": bool(row.get("drill")),
            "data": dict(row.get("data") or {})}
    return ident, event_topic(campus_id, str(row["kind"])), json.dumps(body, default=str)


def state_summary(campus_id: str, name: str, status: Mapping[str, Any]) -> dict[str, Any]:
    """The retained state: mode, zones, device summary, alarm-path state (host.status() in)."""
    devices = list(status.get("devices") or [])
    alarm = status.get("alarm") or {}
    return {
        "campus_id": campus_id,
        "name": name or status.get("site") or campus_id,
        "mode": status.get("mode", "normal"),
        "zones": dict(status.get("zones") or {}),
        "devices": {
            "total": len(devices),
            "online": sum(1 for d in devices if d.get("online")),
            "faults": sum(1 for d in devices if d.get("faults")),
            "offline": sorted(d.get("name", "") for d in devices if d.get("online") is False),
        },
        "drill": status.get("drill"),
        "alarm_path": alarm.get("path") if isinstance(alarm, Mapping) else None,
        "alarm_groups": {g: v.get("path") for g, v in (alarm.get("groups") or {}).items()}
        if isinstance(alarm, Mapping) else {},
    }
