"""host.status() as a guard must read it (issue 14): a device the host cannot hear is in an
`unknown` state, not the last one it reported; zones under a drill read `drill`, not `fire`;
every lockdown says who, why, how and since when; a pending two-person clear shows who asked and
when it expires. Fields the identity layer already filled in are kept as they are."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from controller.policy import PolicyState
from controller.site.model import Site

if TYPE_CHECKING:
    from controller.service.maintenance import Maintenance

UNKNOWN = "unknown"


def _iso(stamp: datetime) -> str:
    return stamp.isoformat(timespec="seconds")


def truthful_status(state: PolicyState, site: Site, maintenance: Maintenance | None,
                    status: dict[str, Any]) -> dict[str, Any]:
    for device in status.get("devices", []):
        window = maintenance.status_of(device["name"]) if maintenance is not None else None
        device["maintenance"] = window
        if not device.get("online"):
            device["last_state"] = device.get("state")
            device["state"] = UNKNOWN
    if state.drill is not None:
        drilled = "fire" if state.drill.kind == "fire" else "lockdown"
        for zone, mode in status.get("zones", {}).items():
            real = (state.fire is not None and (not state.fire.zones or zone in state.fire.zones)
                    ) or state.zone_locked(zone)
            if mode == drilled and not real:
                status["zones"][zone] = "drill"
        status["drill_since"] = _iso(state.drill.since)
        status["drill_by"] = state.drill.user
    for shown, lockdown in zip(status.get("lockdowns", []), state.lockdowns, strict=False):
        shown.setdefault("at", _iso(lockdown.since))
        shown.setdefault("method", lockdown.source)
    request = state.clear_request
    if request is not None and status.get("pending_clear") is None:
        expires = request.at + timedelta(seconds=float(site.policy.two_person_window_s))
        status["pending_clear"] = {"zone": request.zone, "by": request.user,
                                   "at": _iso(request.at), "expires_at": _iso(expires)}
    status.setdefault("pending_clear", None)
    status.setdefault("timezone", site.timezone)  # renderers show times at the site
    return status
