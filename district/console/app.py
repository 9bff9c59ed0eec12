"""The district console's FastAPI app.

    POST   /api/session  {"user", "password"} -> {"user", "role", "csrf_token"} + cookie | 401 | 429
    DELETE /api/session
    GET    /api/campuses -> {"campuses": [{"campus_id", "name", "online", "mode", "last_seen", ...}]}
    GET    /api/events?campus=ID&kind=KIND&since=ISO8601&alarms=1 -> {"events": [...]} newest first
    GET    /api/inspection?since=ISO8601 -> {"since", "campuses": [{"campus_id", "drills": {kind: n},
                          "alarms", "troubles", "events"}]}  (remote inspection, 网上巡查)
    POST   /api/advisory {"action": "lockdown", "campuses": [ids] | null, "zone", "reason"}
                         supervisors, X-CSRF-Token -> {"advisory", "sent_to", "unknown"}
    GET    /api/stream   server-sent events: {"events": [...]} as they are stored
    GET    /             the page (district/console/static)

Everything but the page and POST /api/session needs a session cookie; the console is read-only
except for a supervisor's district-wide advisory, which each campus's own policy may refuse.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel

from controller.identity.errors import AuthFailed, RateLimited
from controller.identity.sessions import Session, Sessions
from controller.identity.store import OperatorStore

COOKIE = "campusguard_district_session"
STATIC = Path(__file__).parent / "static"
ROLES = ("viewer", "supervisor")
ADVISORY_ACTIONS = ("lockdown",)  # what a district may advise: only what makes a campus safer  # district operators; guards and technicians work on a campus


class Backend(Protocol):
    def campuses(self) -> list[dict[str, Any]]: ...
    def events(self, **filters: Any) -> list[dict[str, Any]]: ...
    def inspection(self, since: str) -> list[dict[str, Any]]: ...
    def advise(self, action: str, campuses: list[str] | None, zone: str | None, reason: str,
               by: str, role: str) -> dict[str, Any]: ...
    def listen(self) -> asyncio.Queue[list[dict[str, Any]]]: ...
    def unlisten(self, queue: asyncio.Queue[list[dict[str, Any]]]) -> None: ...


class Advisory(BaseModel):
    action: str = "lockdown"
    campuses: list[str] | None = None  # None: every campus the district knows
    zone: str | None = None
    reason: str = ""


class Credentials(BaseModel):
    user: str
    password: str


def create_app(backend: Backend, operators: OperatorStore, sessions: Sessions) -> FastAPI:
    app = FastAPI(title="CampusGuard district centre", version="1", docs_url=None,
                  redoc_url=None, openapi_url="/api/openapi.json")

    def session_of(request: Request) -> Session:
        token = request.cookies.get(COOKIE)
        session = sessions.get(token) if token else None
        if session is None:
            raise HTTPException(401, "sign in first (POST /api/session)")
        return session

    @app.post("/api/session")
    async def sign_in(body: Credentials, request: Request, response: Response) -> dict[str, Any]:
        client = request.client.host if request.client else "?"
        try:
            operator = await asyncio.to_thread(operators.check_password, body.user,
                                               body.password, f"district {client}")
        except RateLimited as error:
            raise HTTPException(429, str(error),
                                headers={"Retry-After": str(int(error.retry_after_s) + 1)}) from None
        except AuthFailed:
            raise HTTPException(401, "wrong user or password") from None
        if operator.role not in ROLES:
            raise HTTPException(403, f"{operator.name} is a {operator.role}; the district console "
                                     f"is for {' and '.join(ROLES)} accounts")
        session = sessions.open(operator, f"district {client}")
        response.set_cookie(COOKIE, session.token, httponly=True, samesite="strict",
                            max_age=max(1, int(session.expires_at - time.time())))
        return {"user": operator.name, "role": operator.role, "csrf_token": session.csrf_token}

    @app.delete("/api/session")
    async def sign_out(request: Request, response: Response) -> dict[str, Any]:
        token = request.cookies.get(COOKIE)
        if token:
            sessions.close(token)
        response.delete_cookie(COOKIE)
        return {"ok": True}

    @app.get("/api/campuses")
    async def campuses(request: Request) -> dict[str, Any]:
        session_of(request)
        return {"campuses": await asyncio.to_thread(backend.campuses)}

    @app.get("/api/events")
    async def events(request: Request, campus: str | None = None, kind: str | None = None,
                     since: str | None = None, alarms: bool = False,
                     limit: int = 200) -> dict[str, Any]:
        session_of(request)
        rows = await asyncio.to_thread(backend.events, campus=campus, kind=kind, since=since,
                                       alarms_only=alarms, limit=max(1, min(limit, 5000)))
        return {"events": rows}

    @app.get("/api/inspection")
    async def inspection(request: Request, since: str) -> dict[str, Any]:
        """Remote inspection figures per campus since `since` (ISO 8601, the term's start)."""
        session_of(request)
        return {"since": since, "campuses": await asyncio.to_thread(backend.inspection, since)}

    @app.post("/api/advisory")
    async def advisory(body: Advisory, request: Request) -> dict[str, Any]:
        """A district-wide advisory (supervisors only); each campus's own policy decides."""
        session = session_of(request)
        if request.headers.get("X-CSRF-Token") != session.csrf_token:
            raise HTTPException(403, "missing or wrong X-CSRF-Token header")
        if session.operator.role != "supervisor":
            raise HTTPException(403, f"{session.operator.name} is a {session.operator.role}: "
                                     "only a district supervisor may send an advisory")
        if body.action not in ADVISORY_ACTIONS:
            raise HTTPException(422, f"action {body.action!r}: a district may only advise "
                                     f"{', '.join(ADVISORY_ACTIONS)}")
        return await asyncio.to_thread(backend.advise, body.action, body.campuses, body.zone,
                                       body.reason, session.operator.name,
                                       session.operator.role)

    @app.get("/api/stream")
    async def stream(request: Request) -> StreamingResponse:
        session_of(request)
        queue = backend.listen()

        async def push() -> AsyncIterator[str]:
            try:
                yield ": connected\n\n"
                while not await request.is_disconnected():
                    try:
                        batch = await asyncio.wait_for(queue.get(), 15)
                    except TimeoutError:
                        yield ": keepalive\n\n"
                        continue
                    yield f"data: {json.dumps({'events': batch}, default=str)}\n\n"
            finally:
                backend.unlisten(queue)

        return StreamingResponse(push(), media_type="text/event-stream")

    @app.get("/")
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/static/{name}")
    async def static(name: str) -> FileResponse:
        path = (STATIC / name).resolve()
        if path.parent != STATIC.resolve() or not path.is_file():
            raise HTTPException(404, "no such file")
        return FileResponse(path)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse({"error": error.detail}, error.status_code, headers=error.headers)

    return app
