"""The console's view of the host: `status --json` plus what a guard needs at a glance — who
locked down, why and when; a pending two-person clear with its deadline; active and
unacknowledged alarms; last contact of each device; the alarm path. Times are site-local."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from controller.service.host import Host


def local_iso(when: datetime | None, tz: ZoneInfo) -> str | None:
    """Site-local ISO 8601 with its offset and milliseconds, e.g. 2026-11-27T22:10:05.120+08:00."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(tz).isoformat(timespec="milliseconds")


def alarm_rows(host: Host, first_seen: dict[str, datetime]) -> list[dict[str, Any]]:
    """Active and unacknowledged alarms, newest first. first_seen: key -> when the console (or
    the event log) first saw it; keys are 'kind:device'."""
    state = host.state
    tz = host.site.tz
    rows: dict[str, dict[str, Any]] = {}

    def add(kind: str, device: str, zone: str | None, active: bool, detail: str = "") -> None:
        key = f"{kind}:{device}"
        rows[key] = {"key": key, "kind": kind, "device": device, "zone": zone, "active": active,
                     "detail": detail, "unacknowledged": device in state.unacknowledged,
                     "since": local_iso(first_seen.get(key), tz)}

    for point in state.panics:
        add("panic", point.device, point.zone, True)
    for point in state.smoke:
        add("smoke", point.device, point.zone, True)
    for trouble in state.troubles:
        add("trouble", trouble.device, host.site.zone_of(trouble.device), True,
            f"{trouble.kind}: {trouble.detail}")
    listed = {row["device"] for row in rows.values()}
    for device in state.unacknowledged:
        if device not in listed:  # reset or restored, but no guard has acknowledged it yet
            add("panic" if any(d.name == device and d.kind == "panic" for d in host.site.devices)
                else "alarm", device, host.site.zone_of(device), False)
    ordered = sorted(rows.values(), key=lambda r: (not r["unacknowledged"], not r["active"],
                                                   _neg(first_seen.get(r["key"]))))
    return ordered


def _neg(when: datetime | None) -> float:
    return -(when.timestamp() if when else 0.0)


def console_status(host: Host, first_seen: dict[str, datetime]) -> dict[str, Any]:
    status = host.status()
    state = host.state
    site = host.site
    tz = site.tz
    status["time_zone"] = site.timezone
    status["now"] = local_iso(datetime.now(timezone.utc), tz)
    status["zone_list"] = [{"name": z.name, "description": z.description} for z in site.zones]
    if not status.get("lockdowns") or "at" not in status["lockdowns"][0]:
        # a host without identity's status_extra: who locked down, how, when (site-local)
        status["lockdowns"] = [{"zone": ld.zone, "source": ld.source, "by": ld.by,
                                "reason": ld.reason, "at": local_iso(ld.since, tz),
                                "method": getattr(ld, "method", None) or ld.source}
                               for ld in state.lockdowns]
    status["fire"] = None if state.fire is None else {
        "since": local_iso(state.fire.since, tz), "zones": list(state.fire.zones),
        "by": state.fire.by, "reason": state.fire.reason}
    status["drill_info"] = None if state.drill is None else {
        "kind": state.drill.kind, "user": state.drill.user, "reason": state.drill.reason,
        "since": local_iso(state.drill.since, tz)}
    request = state.clear_request
    window = float(site.policy.two_person_window_s)
    status["clear_request"] = None if request is None else {
        "user": request.user, "zone": request.zone, "reason": request.reason,
        "at": local_iso(request.at, tz), "window_s": window,
        "expires_at": local_iso(request.at + timedelta(seconds=window), tz)}
    if status["clear_request"] is not None and \
            request.at + timedelta(seconds=window) < datetime.now(timezone.utc):
        status["clear_request"]["expired"] = True
    status["alarms"] = alarm_rows(host, first_seen)
    status["unacknowledged"] = list(state.unacknowledged)
    status["alarm_path"] = _alarm_path(host)
    contacts = {name: local_iso(when, tz) for name, when in _last_contacts(host).items()}
    for device in status["devices"]:
        device["last_contact"] = contacts.get(device["name"])
    status["last_contact"] = contacts  # changes with every poll: the live feed sends it apart
    return status


def _alarm_path(host: Host) -> dict[str, Any]:
    if host.alarm_service is None:
        return {"configured": False, "path": "none", "queued": None, "receivers": [],
                "note": f"no alarm receiver is configured in {host.site.path}: alarms are kept "
                        f"in the event log only and reach no receiving centre"}
    return {"configured": True, **host.alarm_service.status()}


def _last_contacts(host: Host) -> dict[str, datetime]:
    out = {}
    for scheduler in host.schedulers.values():
        for name, health in scheduler.health.items():
            stamp = getattr(health, "last_contact", None)
            if stamp is not None:
                out[name] = datetime.fromtimestamp(stamp, timezone.utc)
    return out
