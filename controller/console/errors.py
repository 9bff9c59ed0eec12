"""Every failure becomes a 4xx/5xx JSON body {"error": "what is wrong. Fix: ..."}: never a
traceback. Exceptions raised by identity map to 401/429; validation errors name the field."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from controller.console.identity_port import AuthFailed, IdentityError, RateLimited, UnknownOperator

_LOG = logging.getLogger(__name__)


class ConsoleError(Exception):
    """A request the console refuses; status is the HTTP status, message says why and the fix."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _reply(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(ConsoleError)
    async def console_error(_: Request, exc: ConsoleError) -> JSONResponse:
        return _reply(exc.status, exc.message, exc.headers)

    @app.exception_handler(RateLimited)
    async def rate_limited(_: Request, exc: RateLimited) -> JSONResponse:
        wait = max(1, round(exc.retry_after_s))
        return _reply(429, str(exc), {"Retry-After": str(wait)})

    @app.exception_handler(AuthFailed)
    @app.exception_handler(UnknownOperator)
    async def auth_failed(_: Request, exc: IdentityError) -> JSONResponse:
        return _reply(401, str(exc))

    @app.exception_handler(IdentityError)
    async def identity_error(_: Request, exc: IdentityError) -> JSONResponse:
        return _reply(403, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_input(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            if err.get("type") == "json_invalid":
                problems.append("the body is not valid JSON")
            else:
                problems.append(f"{_field(tuple(err.get('loc', ())))}: {err.get('msg')}")
        return _reply(422, "bad request: " + "; ".join(problems) +
                      ". Fix: send the fields described at /api/openapi.json")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 404:
            message = "no such page or API endpoint. Fix: see /api/openapi.json"
        elif exc.status_code == 405:
            message = "method not allowed here. Fix: see /api/openapi.json"
        return _reply(exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        _LOG.exception("console request failed")
        return _reply(500, f"the host could not do this ({type(exc).__name__}). The event log "
                      "and the host's output have the details; lockdown still works from the "
                      "sign-in screen and the control socket")
