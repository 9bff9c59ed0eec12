"""create_app(): assembles the console from its routers; nothing else lives here."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from controller.console import errors
from controller.console.context import ConsoleContext
from controller.console.routes import (
    actions,
    events,
    operations_access,
    operations_duty,
    operations_gate,
    operations_hazards,
    operations_report,
    operations_selftest,
    page,
    session,
    status,
    stream,
)
from controller.console.security import SecurityHeaders


def create_app(ctx: ConsoleContext) -> FastAPI:
    app = FastAPI(title="CampusGuard guard console", version="1",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.console = ctx
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    for module in (session, status, actions, events, stream, operations_access,
                   operations_duty, operations_gate, operations_hazards, operations_selftest,
                   operations_report, page):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=page.STATIC), name="static")
    return app
