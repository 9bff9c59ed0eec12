"""Request and response shapes of the console API (OpenAPI at /api/openapi.json)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- requests
class SignIn(Strict):
    user: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LockdownRequest(BaseModel):
    """Never refused: a missing zone or reason still locks the whole campus down."""

    zone: str | None = None
    reason: str = ""


class ClearRequest(Strict):
    zone: str | None = None
    reason: str = Field(min_length=1, max_length=500)
    pin: str = Field(min_length=1, max_length=32)
    # The PIN's owner when it is not the signed-in guard: the second guard of a two-person clear
    # confirming on the same screen. Default: the signed-in operator.
    user: str | None = Field(default=None, max_length=64)


class AckRequest(Strict):
    device: str | None = Field(default=None, max_length=64)  # None: every alarm
    reason: str = Field(default="", max_length=500)


class ResetRequest(Strict):
    device: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="", max_length=500)
    pin: str = Field(min_length=1, max_length=32)


class DrillRequest(Strict):
    kind: Literal["fire", "lockdown", "end"]
    reason: str = Field(min_length=1, max_length=500)
    pin: str = Field(min_length=1, max_length=32)


class FireConfirmRequest(Strict):
    reason: str = Field(min_length=1, max_length=500)
    pin: str = Field(min_length=1, max_length=32)


# ---------------------------------------------------------------- responses
class SessionInfo(BaseModel):
    user: str
    role: str
    csrf_token: str
    expires_at: float


class ActionReply(BaseModel):
    ok: bool  # taken and durable (a lockdown whose events could not be written is in force, ok False)
    result: Literal["done", "pending", "cleared", "refused"]
    message: str
    mode: str
    log: list[dict[str, Any]] = []
    commands: list[str] = []
    authenticated: bool = True


class Problem(BaseModel):
    error: str  # what is wrong and the fix


def problems(*codes: int) -> dict[int, dict[str, Any]]:
    """OpenAPI `responses` for a route's refusals: each status code answers with a Problem."""
    return {code: {"model": Problem} for code in codes}


class EventList(BaseModel):
    time_zone: str
    events: list[dict[str, Any]]


class ConsoleConfig(BaseModel):
    site: str
    locale: str
    locales: list[str]
    time_zone: str
