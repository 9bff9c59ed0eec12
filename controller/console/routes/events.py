"""GET /api/events (JSON) and GET /api/events.csv: the event log, filtered, site-local times."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from fastapi.responses import Response

from controller.console.context import ConsoleContext, Context
from controller.console.errors import ConsoleError
from controller.console.event_view import event_dict, events_csv
from controller.console.models import EventList, problems
from controller.console.security import SignedIn
from controller.store import EventRecord

router = APIRouter(prefix="/api", tags=["events"])
DEFAULT_LIMIT = 500


def _since(text: str | None, ctx: ConsoleContext) -> datetime | None:
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise ConsoleError(422, f"since = {text!r} is not an ISO 8601 time. Fix: write e.g. "
                           "2026-11-27T08:00:00+08:00 (without an offset: site-local time)") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=ctx.host.site.tz)


async def _query(ctx: ConsoleContext, since: str | None, kind: str | None, device: str | None,
                 zone: str | None, limit: int) -> list[EventRecord]:
    return await ctx.hub.query(since=_since(since, ctx), kind=kind or None,
                               device=device or None, zone=zone or None, limit=limit)


FILTERS = dict(
    since=Query(None, description="ISO 8601; without an offset it is site-local time"),
    kind=Query(None, max_length=64, description="kind (panic.alarm) or family (panic)"),
    device=Query(None, max_length=64), zone=Query(None, max_length=64),
    limit=Query(DEFAULT_LIMIT, ge=1, le=5000, description="newest N matches"),
)


@router.get("/events", response_model=EventList, responses=problems(401, 422))
async def events(_: SignedIn, ctx: Context,
                 since: str | None = FILTERS["since"], kind: str | None = FILTERS["kind"],
                 device: str | None = FILTERS["device"], zone: str | None = FILTERS["zone"],
                 limit: int = FILTERS["limit"]) -> EventList:
    """Events oldest first, times in the site's timezone (ts) and UTC (ts_utc)."""
    tz = ctx.host.site.tz
    return EventList(time_zone=ctx.host.site.timezone,
                     events=[event_dict(r, tz) for r in await _query(ctx, since, kind, device,
                                                                      zone, limit)])


@router.get("/events.csv", response_class=Response, responses=problems(401))
async def events_export(_: SignedIn, ctx: Context,
                        since: str | None = FILTERS["since"], kind: str | None = FILTERS["kind"],
                        device: str | None = FILTERS["device"],
                        zone: str | None = FILTERS["zone"],
                        limit: int = FILTERS["limit"]) -> Response:
    """The same rows as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese text)."""
    rows = await _query(ctx, since, kind, device, zone, limit)
    body = "\ufeff" + events_csv(rows, ctx.host.site.tz)
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="campusguard-events.csv"'})
