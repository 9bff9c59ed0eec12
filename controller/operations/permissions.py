"""Who may record what in the operations ledger (台账), one table for the CLI and the console.

The ledger is evidence for inspectors: an entry names who made it, so the name must be proven
(an OS account mapped to the operator, a PIN, or a console session) and the role must allow it.
A viewer (an inspector, district staff) reads everything and records nothing. Closing a hazard is
a supervisor's or a technician's word that it is fixed; the guard who found it does not sign it
off."""

from __future__ import annotations

ACTIONS: dict[str, tuple[str, ...]] = {
    "sign_on_duty": ("guard", "supervisor", "technician"),
    "sign_off_duty": ("guard", "supervisor", "technician"),
    "register_visitors": ("guard", "supervisor"),
    "report_hazards": ("guard", "supervisor", "technician"),
    "close_hazards": ("supervisor", "technician"),
}

# How each action reads in a refusal ("a viewer may not <verb>").
VERBS = {
    "sign_on_duty": "sign on duty",
    "sign_off_duty": "sign off duty",
    "register_visitors": "register visitors at the gate",
    "report_hazards": "register a hazard",
    "close_hazards": "close a hazard",
}


class NotAllowed(PermissionError):
    """The operator's role may not record this; the message names who may."""


def allowed(role: str | None, action: str) -> bool:
    return role in ACTIONS[action]


def require(name: str, role: str | None, action: str) -> None:
    """Raise NotAllowed unless role may do action."""
    if not allowed(role, action):
        who = " or ".join(ACTIONS[action])
        raise NotAllowed(f"{name} is a {role or 'operator without a role'} and may not "
                         f"{VERBS[action]}. Fix: ask a {who}")
