"""Request shapes of the console's operations pages (duty, gate log, hazards, self-tests, term
report); OpenAPI at /api/openapi.json. Replies are plain JSON objects described per route.

Who records an entry is never taken from a body: it is the session's operator. A body that
names someone (user, by, operator ...) has that field dropped, and the reply's `recorded_by`
shows whose name went into the ledger; any other unknown field is a 422."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from controller.operations.ledger import (
    MAX_NAME,
    MAX_NOTE,
    MAX_PLATE,
    MAX_PURPOSE,
    MAX_TITLE,
    MAX_VISITING,
)

# Fields a page or script might send to name the recorder: ignored, the session decides.
IDENTITY_FIELDS = ("user", "by", "operator", "registered_by", "opened_by", "closed_by",
                   "signed_by", "actor")


class OperationsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_identity(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in IDENTITY_FIELDS}
        return data


class SignOnRequest(OperationsRequest):
    post: str = Field(default="any", min_length=1, max_length=64,
                      description='a [[operations.duty]] window name of the site, or "any"')


class SignOffRequest(OperationsRequest):
    pass


class VisitInRequest(OperationsRequest):
    kind: Literal["person", "vehicle"] = "person"
    name: str | None = Field(default=None, max_length=MAX_NAME,
                             description="optional; erased after gate_log_retention_days")
    plate: str | None = Field(default=None, max_length=MAX_PLATE,
                              description="vehicles only, required for them; erased likewise")
    visiting: str = Field(min_length=1, max_length=MAX_VISITING, description="whom they visit")
    purpose: str = Field(min_length=1, max_length=MAX_PURPOSE)
    gate: str | None = Field(default=None, max_length=64)


class GateOpenRequest(OperationsRequest):
    gate: str = Field(min_length=1, max_length=64)
    visit: int | None = Field(default=None, ge=1, description="the gate-log visit it opens for")
    reason: str = Field(default="", max_length=500)


class HazardAddRequest(OperationsRequest):
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    owner: str = Field(default="", max_length=MAX_NAME, description="who fixes it; default: the "
                       "site's hazard_owner")
    days: float | None = Field(default=None, gt=0, le=365, description="deadline in days")
    deadline: str | None = Field(default=None, max_length=32,
                                 description="YYYY-MM-DD, site-local end of day (23:59)")
    severity: Literal["major", "minor"] = "minor"
    device: str | None = Field(default=None, max_length=64)


class HazardCloseRequest(OperationsRequest):
    note: str = Field(min_length=1, max_length=MAX_NOTE, description="what was done")


class SelfTestRequest(OperationsRequest):
    device: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="self-test from the guard console", max_length=500)


class ReportRequest(OperationsRequest):
    term: str | None = Field(default=None, max_length=64)
    first: str | None = Field(default=None, alias="from", max_length=32,
                              description="first day, YYYY-MM-DD (site-local)")
    last: str | None = Field(default=None, alias="to", max_length=32,
                             description="last day, YYYY-MM-DD, inclusive")
