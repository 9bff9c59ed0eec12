"""Sessions, CSRF and response headers.

The session cookie is HttpOnly and SameSite=Strict (Secure under TLS). Every POST/DELETE made with
a session also carries X-CSRF-Token equal to the session's csrf_token. The page loads no inline
script and nothing from another origin: the Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from controller.console.context import Context
from controller.console.errors import ConsoleError
from controller.console.identity_port import Session

COOKIE = "cg_session"
CSRF_HEADER = "X-CSRF-Token"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    """Plain ASGI middleware (it must not buffer the live stream)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()
                         if k.lower().encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def optional_session(request: Request, ctx: Context) -> Session | None:
    return ctx.identity.session(request.cookies.get(COOKIE))


def require_session(session: Annotated[Session | None, Depends(optional_session)]) -> Session:
    if session is None:
        raise ConsoleError(401, "not signed in, or the session expired. Fix: sign in again "
                           "(POST /api/session)")
    return session


def csrf_ok(request: Request, session: Session) -> bool:
    sent = request.headers.get(CSRF_HEADER, "")
    return bool(sent) and hmac.compare_digest(sent, session.csrf_token)


def require_csrf(request: Request,
                 session: Annotated[Session, Depends(require_session)]) -> Session:
    """A signed-in operator whose request carries the session's CSRF token."""
    if not csrf_ok(request, session):
        raise ConsoleError(403, f"missing or wrong {CSRF_HEADER} header. Fix: send the "
                           "csrf_token returned by POST /api/session with every POST and DELETE")
    return session


SignedIn = Annotated[Session, Depends(require_session)]  # 401 without a session
SignedInWithCsrf = Annotated[Session, Depends(require_csrf)]  # ... and 403 without the token
