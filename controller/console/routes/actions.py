"""Operator actions: lockdown (never refused, even without a session), clear (two-person rule
with PINs), ack, reset, drill, fire-confirm. Each is one call to the service's Actions; the reply
is what the service decided, after its events are durable."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from controller.console.context import ConsoleContext, Context, client_of
from controller.console.errors import ConsoleError
from controller.console.identity_port import Actor, AuthFailed
from controller.console.models import (
    AckRequest,
    ActionReply,
    ClearRequest,
    DrillRequest,
    FireConfirmRequest,
    LockdownRequest,
    ResetRequest,
    problems,
)
from controller.console.security import COOKIE, SignedInWithCsrf, csrf_ok

router = APIRouter(prefix="/api", tags=["actions"])
REFUSALS = problems(401, 403, 422, 429)


def _reply(result: Any, authenticated: bool = True) -> ActionReply:
    return ActionReply(ok=result.ok, result=result.result, message=result.message,
                       mode=result.mode, log=list(result.log), commands=list(result.commands),
                       authenticated=authenticated)


async def _lenient_body(request: Request) -> dict[str, Any]:
    """The lockdown body, whatever arrives: an emergency is no time for a 422."""
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


@router.post("/lockdown", response_model=ActionReply, openapi_extra={"requestBody": {
    "content": {"application/json": {"schema": LockdownRequest.model_json_schema()}}}})
async def lockdown(request: Request, ctx: Context) -> ActionReply:
    """Lock down the campus (zone null) or one zone. Never refused: without a session (or with a
    cookie but no valid CSRF token) it is logged as an unauthenticated console action; an unknown
    zone locks down the whole campus."""
    body = await _lenient_body(request)
    zone = body.get("zone") if isinstance(body.get("zone"), str) and body.get("zone") else None
    reason = str(body.get("reason") or "")[:500]
    client = client_of(request)
    session = ctx.identity.session(request.cookies.get(COOKIE))
    if session is not None and csrf_ok(request, session):
        actor = ctx.identity.session_actor(session, client)
    else:
        actor = ctx.identity.unauthenticated(client)
    result = await ctx.identity.perform("lockdown", actor, zone=zone, reason=reason)
    return _reply(result, authenticated=actor.name is not None)


async def _pin_actor(ctx: ConsoleContext, request: Request, user: str, pin: str) -> Actor:
    try:
        operator = await ctx.identity.check_pin(user, pin, client_of(request))
    except AuthFailed as exc:  # 403, not 401: the session is fine, the PIN is not
        raise ConsoleError(403, f"PIN not accepted for {user}: {exc}") from exc
    return ctx.identity.pin_actor(operator, client_of(request))


@router.post("/clear", response_model=ActionReply, responses=REFUSALS)
async def clear(body: ClearRequest, request: Request, session: SignedInWithCsrf,
                ctx: Context) -> ActionReply:
    """Clear a lockdown. A guard's clear is 'pending' until a second, different guard confirms
    with their own PIN (from their own console, or here with "user" set to their name)."""
    actor = await _pin_actor(ctx, request, body.user or session.operator.name, body.pin)
    return _reply(await ctx.identity.perform("clear", actor, zone=body.zone, reason=body.reason))


@router.post("/ack", response_model=ActionReply, responses=REFUSALS)
async def ack(body: AckRequest, request: Request, session: SignedInWithCsrf,
              ctx: Context) -> ActionReply:
    """Acknowledge one device's alarm, or every alarm (device null)."""
    actor = ctx.identity.session_actor(session, client_of(request))
    return _reply(await ctx.identity.perform("ack", actor, device=body.device,
                                             reason=body.reason))


@router.post("/reset", response_model=ActionReply, responses=REFUSALS)
async def reset(body: ResetRequest, request: Request, session: SignedInWithCsrf,
                ctx: Context) -> ActionReply:
    """Authorised host reset of a latched panic station (PIN of the signed-in operator)."""
    actor = await _pin_actor(ctx, request, session.operator.name, body.pin)
    return _reply(await ctx.identity.perform("reset", actor, device=body.device,
                                             reason=body.reason))


@router.post("/drill", response_model=ActionReply, responses=REFUSALS)
async def drill(body: DrillRequest, request: Request, session: SignedInWithCsrf,
                ctx: Context) -> ActionReply:
    """Start a fire or lockdown drill, or end the running one."""
    actor = await _pin_actor(ctx, request, session.operator.name, body.pin)
    return _reply(await ctx.identity.perform("drill", actor, kind=body.kind, reason=body.reason))


@router.post("/fire-confirm", response_model=ActionReply, responses=REFUSALS)
async def fire_confirm(body: FireConfirmRequest, request: Request,
                       session: SignedInWithCsrf,
                       ctx: Context) -> ActionReply:
    """A guard confirms a fire: egress opens."""
    actor = await _pin_actor(ctx, request, session.operator.name, body.pin)
    return _reply(await ctx.identity.perform("fire-confirm", actor, reason=body.reason))
