"""GET /api/operations/access: what the signed-in operator's role may record in the ledger
(operations/permissions.py) and which host actions of these pages the policy lets it take (open a
gate, start a self-test), so the page offers only the forms that will be accepted. The routes
check again on every write: this only spares a guard a form that would be refused."""

from __future__ import annotations

from fastapi import APIRouter

from controller.console.context import Context
from controller.console.models import problems
from controller.console.operations_port import now_fields
from controller.console.security import SignedIn
from controller.operations.permissions import ACTIONS
from controller.policy.authority import OPERATORS
from controller.policy.selftest import TESTERS

router = APIRouter(prefix="/api/operations", tags=["operations"])
# The host actions on these pages: the policy decides them (authority.py, selftest.py).
HOST_ACTIONS = {"gate_open": OPERATORS, "selftest": TESTERS}


@router.get("/access", responses=problems(401))
async def access(session: SignedIn, ctx: Context) -> dict:
    """{"user", "role", "may": {action: bool}, "who": {action: [roles]}} for the session."""
    role = session.operator.role
    every = {**ACTIONS, **HOST_ACTIONS}
    return {**now_fields(ctx), "user": session.operator.name, "role": role,
            "may": {action: role in roles for action, roles in every.items()},
            "who": {action: list(roles) for action, roles in every.items()}}
