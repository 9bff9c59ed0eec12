"""`campusguard status` as text: mode and zones, each lockdown with who, why, how and since when
(site time), a pending clear with who asked and how long it still waits, buses, devices (a device
the host cannot hear shows `unknown`)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _zone(status: dict[str, Any]):
    try:
        return ZoneInfo(status.get("timezone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def _instant(value: Any) -> datetime | None:
    """An ISO 8601 text (naive = UTC) or a Unix time, as an aware datetime; None if neither."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, timezone.utc)
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def _local(value: Any, tz) -> str:
    stamp = _instant(value)
    return stamp.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %z") if stamp else "?"


def render_status(status: dict[str, Any], now: datetime | None = None) -> list[str]:
    tz = _zone(status)
    now = now or datetime.now(timezone.utc)
    lines = [f"{status['site']}: mode {status['mode'].upper()}",
             "zones: " + ", ".join(f"{z}={m}" for z, m in status["zones"].items())]
    for ld in status.get("lockdowns") or []:
        scope = f"zone {ld['zone']}" if ld.get("zone") else "whole campus"
        how = ld.get("method") or ld.get("source") or "?"
        lines.append(f"lockdown of {scope}: by {ld.get('by') or '?'} ({how}) at "
                     f"{_local(ld.get('at'), tz)}, reason: {ld.get('reason') or '(none given)'}")
    pending = status.get("pending_clear")
    if pending:
        expires = _instant(pending.get("expires_at"))
        left = max(0, int((expires - now).total_seconds())) if expires else 0
        scope = f"zone {pending['zone']}" if pending.get("zone") else "whole campus"
        lines.append(f"pending clear of {scope}: asked by {pending.get('by')} at "
                     f"{_local(pending.get('at'), tz)}; needs a second person within {left} s "
                     f"(expires {_local(pending['expires_at'], tz)})")
    store = status.get("store") or {}
    if store.get("state") == "failing":  # trouble: what is not written, and the fix
        lines.append(f"EVENT STORE FAILING since {_local(store.get('since'), tz)}: "
                     f"{store.get('error')}; {store.get('pending')} events kept in memory. "
                     f"Fix: {store.get('fix')}")
    if status.get("drill"):
        lines.append(f"{status['drill']} DRILL running (by {status.get('drill_by', '?')} since "
                     f"{_local(status.get('drill_since'), tz)})")
    for bus, info in status["buses"].items():
        lines.append(f"bus {bus}: {'up' if info['up'] else 'DOWN'} {info['port']} {info['baud']} "
                     f"baud, cycle {info['cycle_ms']} ms (estimate {info['estimated_cycle_ms']} ms)")
    for d in status["devices"]:
        online = "online " if d["online"] else "OFFLINE"
        commanded = f" -> {d['commanded']}" if d["commanded"] else ""
        faults = f"  faults: {', '.join(d['faults'])}" if d["faults"] else ""
        extra = ""
        if d.get("maintenance"):
            m = d["maintenance"]
            extra = f"  MAINTENANCE by {m.get('by')} until {_local(m.get('until'), tz)}"
        lines.append(f"  {d['name']:<30} {d['role']:<20} {online} {d['state']}{commanded}"
                     f"{faults}{extra}")
    return lines
