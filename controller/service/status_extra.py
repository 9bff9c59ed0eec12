"""Parts of host.status() about people: each lockdown (who, how, when) and the half-done
two-person clear, with times in the site's local time (ISO 8601 with the offset)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from controller.policy.state import Lockdown, PolicyState
from controller.site.model import Site


def local_iso(site: Site, when: datetime) -> str:
    return when.astimezone(site.tz).isoformat(timespec="seconds")


def lockdown_status(site: Site, lockdown: Lockdown) -> dict[str, Any]:
    return {"zone": lockdown.zone, "source": lockdown.source, "by": lockdown.by,
            "reason": lockdown.reason, "at": local_iso(site, lockdown.since),
            "method": lockdown.method or lockdown.source}


def pending_clear(site: Site, state: PolicyState) -> dict[str, Any] | None:
    """{zone, by, at, expires_at} of the first guard's clear request, or None."""
    request = state.clear_request
    if request is None:
        return None
    expires = request.at + timedelta(seconds=site.policy.two_person_window_s)
    return {"zone": request.zone, "by": request.user, "at": local_iso(site, request.at),
            "expires_at": local_iso(site, expires)}
