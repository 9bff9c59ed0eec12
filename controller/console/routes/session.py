"""POST /api/session (sign in), GET /api/session (who am I), DELETE /api/session (sign out)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from controller.console.context import Context, client_of
from controller.console.identity_port import Session
from controller.console.models import SessionInfo, SignIn, problems
from controller.console.security import COOKIE, SignedIn, SignedInWithCsrf

router = APIRouter(prefix="/api", tags=["session"])


def _info(session: Session) -> SessionInfo:
    return SessionInfo(user=session.operator.name, role=session.operator.role,
                       csrf_token=session.csrf_token, expires_at=session.expires_at)


@router.post("/session", response_model=SessionInfo,
             responses=problems(401, 429))
async def sign_in(body: SignIn, request: Request, response: Response,
                  ctx: Context) -> SessionInfo:
    """Password sign-in. Sets the session cookie (HttpOnly, SameSite=Strict); failures are
    rate-limited per user and client by identity (429 with Retry-After)."""
    session = await ctx.identity.sign_in(body.user, body.password, client_of(request))
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="strict",
                        secure=ctx.secure_cookie, path="/")
    return _info(session)


@router.get("/session", response_model=SessionInfo, responses=problems(401))
async def who_am_i(session: SignedIn) -> SessionInfo:
    """The signed-in operator and the CSRF token (a reloaded page picks its session up again)."""
    return _info(session)


@router.delete("/session", responses=problems(401, 403))
async def sign_out(response: Response, session: SignedInWithCsrf,
                   ctx: Context) -> dict:
    ctx.identity.sign_out(session.token)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=ctx.secure_cookie)
    return {"signed_out": session.operator.name}
