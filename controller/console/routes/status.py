"""GET /api/status (the `status --json` object plus the console's view), GET /api/config."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from controller.console.context import Context
from controller.console.models import ConsoleConfig, problems
from controller.console.security import SignedIn
from controller.site.console_section import LOCALES

router = APIRouter(prefix="/api", tags=["status"])


@router.get("/status", responses=problems(401))
async def status(_: SignedIn,
                 ctx: Context) -> dict[str, Any]:
    """Mode, zones, devices (state, commanded, faults, last contact), buses, lockdowns with who,
    why and when, a pending two-person clear, alarms newest first, the alarm path."""
    return ctx.hub.snapshot()


@router.get("/config", response_model=ConsoleConfig)
async def config(ctx: Context) -> ConsoleConfig:
    """What the page needs before sign-in: the site's name, language and timezone."""
    site = ctx.host.site
    return ConsoleConfig(site=site.name, locale=site.console.locale, locales=list(LOCALES),
                         time_zone=site.timezone)
