"""Self-tests in the console: every smoke detector and panic station of the site with its last
passed and failed test (selftest.pass / selftest.fail in the event log) and whether it is overdue
(no pass within the site's selftest_days); start one through the host's "selftest" action (the
host refuses outside normal mode, or for a latched station, and says why)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request

from controller.console.context import Context, client_of
from controller.console.models import ActionReply, problems
from controller.console.operations_models import SelfTestRequest
from controller.console.operations_port import now_fields, utc_now
from controller.console.security import SignedIn, SignedInWithCsrf
from controller.console.status_view import local_iso
from controller.operations.selftest_plan import host_can_test, must_test

router = APIRouter(prefix="/api/operations", tags=["operations"])
HISTORY = 5000  # newest self-test events read: far more than a term of monthly tests


@router.get("/selftests", responses=problems(401))
async def selftests(_: SignedIn, ctx: Context) -> dict[str, Any]:
    """Each smoke detector and panic station: last pass, last fail, last result, overdue (never
    passed, or last pass older than selftest_days), and whether the host can start its test
    (startable false: a third-party device, tested at the device)."""
    site = ctx.host.site
    days = site.operations.selftest_days
    events = await ctx.hub.query(kind="selftest", limit=HISTORY)
    last: dict[tuple[str, str], Any] = {}
    for e in events:  # oldest first: the last one written wins
        if e.kind in ("selftest.pass", "selftest.fail", "selftest.start"):
            last[(e.device, e.kind)] = e
    now = utc_now()
    devices = []
    for d in must_test(site):
        passed, failed = last.get((d.name, "selftest.pass")), last.get((d.name, "selftest.fail"))
        started = last.get((d.name, "selftest.start"))
        results = [e for e in (passed, failed) if e is not None]
        latest = max(results, key=lambda e: e.id) if results else None
        running = started is not None and (latest is None or started.id > latest.id)
        devices.append({
            "name": d.name, "role": d.kind, "zone": d.zone, "startable": host_can_test(d),
            "last_pass": local_iso(passed.ts, site.tz) if passed else None,
            "last_fail": local_iso(failed.ts, site.tz) if failed else None,
            "last_result": None if latest is None else latest.kind.split(".")[1],
            "last_message": latest.message if latest else None,
            "running": running,
            "overdue": passed is None or now - passed.ts > timedelta(days=days)})
    window = site.operations.smoke_selftest
    schedule = None if window is None else {
        "days": list(window.days), "start": window.start.strftime("%H:%M"),
        "end": window.end.strftime("%H:%M")}
    return {**now_fields(ctx), "selftest_days": days, "smoke_schedule": schedule,
            "devices": devices}


@router.post("/selftests", response_model=ActionReply,
             responses=problems(401, 403, 422))
async def selftest_start(body: SelfTestRequest, request: Request, session: SignedInWithCsrf,
                         ctx: Context) -> ActionReply:
    """Start a self-test as the session's operator: a smoke detector goes into its own test mode
    (passes when it reports it within 60 s); a panic station's next press within 10 min is a
    walk test. A refusal is result "refused" with the host's reason."""
    actor = ctx.identity.session_actor(session, client_of(request))
    result = await ctx.identity.perform("selftest", actor, device=body.device, reason=body.reason)
    return ActionReply(ok=result.ok, result=result.result, message=result.message,
                       mode=result.mode, log=list(result.log), commands=list(result.commands))
