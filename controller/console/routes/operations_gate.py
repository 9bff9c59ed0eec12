"""The gate log (外来人员和车辆登记) in the console: who is inside (or every visit), register a
visitor or vehicle in and out, and open a gate by hand through the host's "gate-open" action
(outside its schedule windows the host wants a visit number or a reason, and says so).

Registered by is always the session's operator. The reply says what personal data is kept and
for how long (the site's gate_log_retention_days), as the page does."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from controller.console.context import ConsoleContext, Context, client_of
from controller.console.errors import ConsoleError
from controller.console.models import ActionReply, problems
from controller.console.operations_models import GateOpenRequest, VisitInRequest
from controller.console.operations_port import allow, in_ledger, localized, now_fields, refused
from controller.console.security import SignedIn, SignedInWithCsrf
from controller.operations.gate_log import GateLog, GateLogError, Visit, check_gate

router = APIRouter(prefix="/api/operations", tags=["operations"])
REFUSALS = problems(401, 403, 404, 409, 422)


def _retention(ctx: ConsoleContext) -> int:
    return ctx.host.site.operations.gate_log_retention_days


def privacy(ctx: ConsoleContext) -> dict[str, Any]:
    days = _retention(ctx)
    return {"retention_days": days,
            "kept": f"kind, whom they visit, purpose, gate, times in and out, who registered "
                    f"them; the name and the number plate are erased after {days} days (the "
                    f"anonymous entry stays for the reports). No ID-card numbers, photos or "
                    f"phone numbers are stored."}


def _visit(ctx: ConsoleContext, visit: Visit) -> dict[str, Any]:
    return localized(ctx, visit.to_dict(), "time_in", "time_out")


async def _existing(ctx: ConsoleContext, visit_id: int) -> Visit:
    try:
        return await in_ledger(ctx, lambda ledger: GateLog(ledger).get(visit_id))
    except GateLogError:
        raise ConsoleError(404, f"no visit #{visit_id} in the gate log. Fix: pick a visit from "
                           "GET /api/operations/visits?all=true") from None


@router.get("/visits", responses=problems(401))
async def visits(_: SignedIn, ctx: Context,
                 show_all: bool = Query(False, alias="all",
                                        description="every visit, not only those inside"),
                 ) -> dict[str, Any]:
    """Visitors and vehicles inside (not signed out), or every visit, newest first; the gates
    of the site."""
    rows = await in_ledger(ctx, lambda ledger: (GateLog(ledger).all() if show_all
                                                else GateLog(ledger).inside()))
    return {**now_fields(ctx), **privacy(ctx), "all": show_all,
            "gates": [d.name for d in ctx.host.site.devices if d.role == "gate"],
            "visits": [_visit(ctx, v) for v in reversed(rows)]}


@router.post("/visits", responses=REFUSALS)
async def visit_in(body: VisitInRequest, session: SignedInWithCsrf,
                   ctx: Context) -> dict[str, Any]:
    """Register a visitor (kind person) or a vehicle (kind vehicle, plate required) coming in."""
    by = allow(session, "register_visitors")
    try:
        gate = check_gate([d.name for d in ctx.host.site.devices if d.role == "gate"],
                          body.gate or None)
        visit = await in_ledger(ctx, lambda ledger: GateLog(ledger, _retention(ctx)).check_in(
            body.kind, body.visiting, body.purpose, by, name=body.name, plate=body.plate,
            gate=gate))
    except GateLogError as exc:
        raise ConsoleError(422, f"{exc}. Fix: fill that field and register again") from None
    return {**now_fields(ctx), **privacy(ctx), "recorded_by": by, "visit": _visit(ctx, visit)}


@router.post("/visits/{visit_id}/out", responses=REFUSALS)
async def visit_out(visit_id: int, session: SignedInWithCsrf, ctx: Context) -> dict[str, Any]:
    """Register a visit's departure."""
    by = allow(session, "register_visitors")
    await _existing(ctx, visit_id)
    try:
        visit = await in_ledger(ctx, lambda ledger: GateLog(ledger).check_out(visit_id))
    except GateLogError as exc:
        raise refused(exc, "nothing to do: the visit is already registered out") from None
    return {**now_fields(ctx), "recorded_by": by, "visit": _visit(ctx, visit)}


@router.post("/gate-open", response_model=ActionReply, responses=REFUSALS)
async def gate_open(body: GateOpenRequest, request: Request, session: SignedInWithCsrf,
                    ctx: Context) -> ActionReply:
    """Open a gate by hand through the host's "gate-open" action, as the session's operator.
    Inside a schedule window it opens; outside, the host needs a visit number or a reason and
    refuses without one (result "refused" and its reason, not an HTTP error). Never during a
    lockdown, fire or drill."""
    if body.visit is not None:
        visit = await _existing(ctx, body.visit)
        if visit.time_out is not None:
            raise ConsoleError(409, f"visit #{visit.id} already left. Fix: register the new "
                               "visit first and open the gate for its number")
    actor = ctx.identity.session_actor(session, client_of(request))
    result = await ctx.identity.perform("gate-open", actor, device=body.gate,
                                        reason=body.reason, visit=body.visit)
    return ActionReply(ok=result.ok, result=result.result, message=result.message,
                       mode=result.mode, log=list(result.log), commands=list(result.commands))
