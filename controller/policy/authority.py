"""Who may do what. Actions that make the campus safer (a lockdown) are honoured from anyone who
can reach the guard-room controls, with a warning when the user is not in the site file; actions
that make it less safe (clear, fire confirmation during a lockdown, drills, host resets of panic
stations) need a user listed in [[users]] with the role they claim."""

from __future__ import annotations

from controller.site.model import Site

OPERATORS = ("guard", "supervisor")


def refusal(site: Site, user: str, role: str, action: str,
            allowed: tuple[str, ...] = OPERATORS) -> str | None:
    """Why user (in role) may not do action, or None when they may."""
    listed = site.user(user)
    if listed is None:
        return (f"user {user!r} is not listed in the site's [[users]]; only a listed "
                f"{' or '.join(allowed)} may {action}")
    if listed.role != role:
        return (f"user {user!r} is a {listed.role} in the site file, not a {role}; "
                f"only a {' or '.join(allowed)} may {action}")
    if role not in allowed:
        return f"a {role} may not {action}; ask a {' or '.join(allowed)}"
    return None


def warning_for_unlisted(site: Site, user: str, role: str) -> str:
    listed = site.user(user)
    if listed is None:
        return f" (note: user {user!r} is not listed in the site's [[users]])"
    if listed.role != role:
        return f" (note: {user!r} is a {listed.role} in the site file, not a {role})"
    return ""
