"""The hazard register (隐患登记) in the console: open entries (overdue marked) or every entry,
add one (title, owner, deadline in days or a date, severity) and close one with a note. Adding is
for guards, supervisors and technicians; closing is a supervisor's or technician's word that it is
fixed (operations/permissions.py). The same records as `campusguard hazard add|close|list`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Query

from controller.console.context import ConsoleContext, Context
from controller.console.errors import ConsoleError
from controller.console.models import problems
from controller.console.operations_models import HazardAddRequest, HazardCloseRequest
from controller.console.operations_port import (
    allow,
    day,
    in_ledger,
    localized,
    now_fields,
    refused,
    utc_now,
)
from controller.console.security import SignedIn, SignedInWithCsrf
from controller.operations.hazards import Hazard, HazardError, HazardRegister

router = APIRouter(prefix="/api/operations", tags=["operations"])
REFUSALS = problems(401, 403, 404, 409, 422)


def _hazard(ctx: ConsoleContext, hazard: Hazard, now: datetime) -> dict[str, Any]:
    out = localized(ctx, hazard.to_dict(), "deadline", "opened_at", "closed_at")
    out["open"] = hazard.closed_at is None
    out["overdue"] = hazard.closed_at is None and now > hazard.deadline
    out["closed_late"] = hazard.closed_at is not None and hazard.closed_at > hazard.deadline
    return out


@router.get("/hazards", responses=problems(401))
async def hazards(_: SignedIn, ctx: Context,
                  show_all: bool = Query(False, alias="all",
                                         description="closed entries too")) -> dict[str, Any]:
    """Open hazards (each marked overdue past its deadline), or every entry; open ones first,
    then by deadline."""
    rows = await in_ledger(ctx, lambda ledger: HazardRegister(ledger).all())
    if not show_all:
        rows = [h for h in rows if h.closed_at is None]
    rows.sort(key=lambda h: (h.closed_at is not None, h.deadline))
    now = utc_now()
    ops = ctx.host.site.operations
    return {**now_fields(ctx), "all": show_all, "hazard_owner": ops.hazard_owner,
            "hazard_days": ops.hazard_days,
            "overdue": sum(h.closed_at is None and now > h.deadline for h in rows),
            "hazards": [_hazard(ctx, h, now) for h in rows]}


def _deadline(ctx: ConsoleContext, body: HazardAddRequest) -> datetime:
    site = ctx.host.site
    if body.days is not None and body.deadline:
        raise ConsoleError(422, "give the deadline once. Fix: send days OR deadline, not both")
    chosen = day(body.deadline, "deadline")
    if chosen is not None:
        deadline = datetime.combine(chosen, time(23, 59), site.tz)
        if deadline <= utc_now():
            raise ConsoleError(422, f"deadline {chosen} has passed. Fix: give today or a later "
                               "day (YYYY-MM-DD), or a number of days")
        return deadline
    return utc_now() + timedelta(days=body.days or site.operations.hazard_days)


@router.post("/hazards", responses=REFUSALS)
async def hazard_add(body: HazardAddRequest, session: SignedInWithCsrf,
                     ctx: Context) -> dict[str, Any]:
    """Register a hazard, opened by the session's operator. Owner: who fixes it (default the
    site's hazard_owner); deadline: days from now (default the site's hazard_days) or a
    site-local date (end of that day)."""
    by = allow(session, "report_hazards")
    owner = body.owner or ctx.host.site.operations.hazard_owner
    if not owner:
        raise ConsoleError(422, "a hazard needs an owner. Fix: name who fixes it (owner), or "
                           "set [operations] hazard_owner in the site file")
    deadline = _deadline(ctx, body)
    devices = [d.name for d in ctx.host.site.devices]
    if body.device and body.device not in devices:
        raise ConsoleError(422, f"no device {body.device!r} in {ctx.host.site.path}. Fix: leave "
                           f"device empty or use one of {', '.join(devices)}")
    try:
        entry = await in_ledger(ctx, lambda ledger: HazardRegister(ledger).add(
            body.title, owner, deadline, by, severity=body.severity, device=body.device or None))
    except HazardError as exc:
        raise ConsoleError(422, str(exc)) from None
    return {**now_fields(ctx), "recorded_by": by, "hazard": _hazard(ctx, entry, utc_now())}


@router.post("/hazards/{hazard_id}/close", responses=REFUSALS)
async def hazard_close(hazard_id: int, body: HazardCloseRequest, session: SignedInWithCsrf,
                       ctx: Context) -> dict[str, Any]:
    """Close a hazard with a note of what was done (supervisor or technician). A close after
    the deadline is recorded and said: "closed after its deadline"."""
    by = allow(session, "close_hazards")
    try:
        await in_ledger(ctx, lambda ledger: HazardRegister(ledger).get(hazard_id))
    except HazardError:
        raise ConsoleError(404, f"no hazard #{hazard_id}. Fix: pick one from "
                           "GET /api/operations/hazards") from None
    try:
        entry = await in_ledger(ctx, lambda ledger: HazardRegister(ledger).close(
            hazard_id, body.note, by))
    except HazardError as exc:
        raise refused(exc, "nothing to do: see its closing note with GET "
                      "/api/operations/hazards?all=true") from None
    late = entry.closed_at > entry.deadline
    message = (f"hazard #{entry.id} closed by {by} "
               f"{'after its deadline' if late else 'in time'}: {entry.note}")
    return {**now_fields(ctx), "recorded_by": by, "late": late, "message": message,
            "hazard": _hazard(ctx, entry, utc_now())}
