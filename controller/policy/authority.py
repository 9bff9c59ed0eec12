"""Who may do what. The identity layer (controller/identity) has already authenticated the actor
and taken their role from the operator store; the policy checks what that role may do.

Actions that make the campus safer (a lockdown) are honoured from anyone who can reach the
guard-room controls, identified or not. Actions that make it less safe (clear, fire confirmation,
drills, host resets of panic stations, acknowledgements) need an identified guard or supervisor."""

from __future__ import annotations

from typing import Any

OPERATORS = ("guard", "supervisor")


def refusal(user: str | None, role: str | None, action: str, method: str = "",
            allowed: tuple[str, ...] = OPERATORS) -> str | None:
    """Why user (in role, authenticated by method) may not do action, or None when they may."""
    if not user or method == "unauthenticated":
        return (f"only an identified {' or '.join(allowed)} may {action}; the caller was not "
                f"identified (act from your own OS account, or give your --user and PIN)")
    if role not in allowed:
        return f"a {role} may not {action}; ask a {' or '.join(allowed)}"
    return None


def who(event: Any) -> str:
    """'li.na (guard)' or 'an unidentified caller' for log messages."""
    if not event.user:
        return "an unidentified caller"
    return f"{event.user} ({event.role})"


def actor_data(event: Any) -> dict[str, Any]:
    """who, how and from where, for every operator-action log entry."""
    return {"user": event.user, "role": event.role, "method": event.method or None,
            "origin": event.origin or None}
