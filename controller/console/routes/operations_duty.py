"""Duty (带班值班) in the console: who is signed on now, the site's staffed windows and whether
each is staffed at this moment; sign on (a [[operations.duty]] post or "any") and sign off, always
as the session's operator. The same records as `campusguard duty on|off|status`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from controller.console.context import ConsoleContext, Context
from controller.console.errors import ConsoleError
from controller.console.models import problems
from controller.console.operations_models import SignOffRequest, SignOnRequest
from controller.console.operations_port import (
    allow,
    in_ledger,
    now_fields,
    refused,
    utc_now,
)
from controller.console.security import SignedIn, SignedInWithCsrf
from controller.console.status_view import local_iso
from controller.operations.duty import DutyError, DutyRoster, Shift, open_windows
from controller.site.operations import OffDays

router = APIRouter(prefix="/api/operations", tags=["operations"])
REFUSALS = problems(401, 403, 409, 422)


def _shift(ctx: ConsoleContext, shift: Shift) -> dict[str, Any]:
    tz = ctx.host.site.tz
    return {"id": shift.id, "operator": shift.operator, "post": shift.post,
            "signed_on": local_iso(shift.signed_on, tz), "signed_off": local_iso(shift.signed_off, tz)}


def _windows(ctx: ConsoleContext, on_duty: list[Shift]) -> list[dict[str, Any]]:
    site = ctx.host.site
    off = OffDays(site.holidays, site.operations.vacations)
    now = utc_now()
    open_now = {w.name for w, _ in open_windows(site.operations.duty, now, site.tz, off)}
    out = []
    for w in site.operations.duty:
        on_post = sorted(s.operator for s in on_duty if s.post in (w.name, "any"))
        is_open = w.name in open_now
        out.append({"name": w.name, "start": f"{w.start:%H:%M}", "end": f"{w.end:%H:%M}",
                    "days": list(w.days), "min_staff": w.min_staff,
                    "on_holidays": w.on_holidays, "open_now": is_open, "on_duty": on_post,
                    # None while the window is closed: nobody has to be there
                    "staffed": (len(on_post) >= w.min_staff) if is_open else None})
    return out


@router.get("/duty", responses=problems(401))
async def duty(session: SignedIn, ctx: Context) -> dict[str, Any]:
    """Who is signed on now, the session operator's own shift, and every staffed window of the
    site with whether it is open now and staffed (at least min_staff on its post or "any")."""
    shifts = await in_ledger(ctx, lambda ledger: DutyRoster(ledger).signed_on())
    mine = next((s for s in shifts if s.operator == session.operator.name), None)
    return {**now_fields(ctx), "me": session.operator.name,
            "my_shift": _shift(ctx, mine) if mine else None,
            "on_duty": [_shift(ctx, s) for s in shifts],
            "posts": [w.name for w in ctx.host.site.operations.duty],
            "windows": _windows(ctx, shifts)}


@router.post("/duty/sign-on", responses=REFUSALS)
async def sign_on(body: SignOnRequest, session: SignedInWithCsrf,
                  ctx: Context) -> dict[str, Any]:
    """Sign the session's operator on duty for a post (a window name, or "any")."""
    name = allow(session, "sign_on_duty")
    posts = [w.name for w in ctx.host.site.operations.duty]
    if body.post != "any" and body.post not in posts:
        raise ConsoleError(422, f"no duty post {body.post!r} in {ctx.host.site.path}. Fix: "
                           f"choose one of {', '.join(posts) or '(none defined)'} or any")
    try:
        shift = await in_ledger(ctx, lambda ledger: DutyRoster(ledger).sign_on(name, body.post))
    except DutyError as exc:
        raise refused(exc, "you are on duty already; to change post, sign off and sign on "
                      "again") from None
    return {**now_fields(ctx), "recorded_by": name, "shift": _shift(ctx, shift)}


@router.post("/duty/sign-off", responses=REFUSALS)
async def sign_off(session: SignedInWithCsrf, ctx: Context,
                   body: SignOffRequest | None = None) -> dict[str, Any]:
    """Sign the session's operator off duty."""
    name = allow(session, "sign_off_duty")
    try:
        shift = await in_ledger(ctx, lambda ledger: DutyRoster(ledger).sign_off(name))
    except DutyError as exc:
        raise ConsoleError(409, f"{exc}. Fix: sign on first; each operator signs only "
                           "themselves off") from None
    return {**now_fields(ctx), "recorded_by": name, "shift": _shift(ctx, shift)}
