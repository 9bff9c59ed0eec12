"""District advisories on the campus: "lock down every school in this area" reaches a campus only
as advice; the campus's own policy ([uplink] accept_advisory) decides, and both ends log it (the
campus's events, including a refusal, go back up the uplink).

Accepted: Actions.perform(action, Actor(method="district")) as for any operator; a lockdown is
never refused once accepted. Not accepted: a policy.decision event says so and why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from controller.identity.model import Actor
from controller.uplink.config import UplinkConfig
from protocols import events as E


def advisory_handler(host: Any, config: UplinkConfig) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def handle(advisory: dict[str, Any]) -> None:
        ident = str(advisory.get("id", "?"))
        action = str(advisory.get("action", ""))
        by = str(advisory.get("by") or "district")
        reason = str(advisory.get("reason") or "")
        zone = advisory.get("zone") if isinstance(advisory.get("zone"), str) else None
        data = {"advisory": ident, "action": action, "by": by, "method": "district"}
        if action not in config.accept_advisory:
            host.log(E.POLICY_DECISION,
                     f"district advisory {ident} from {by} to {action} ({reason!r}) NOT followed: "
                     f"this campus's policy ([uplink] accept_advisory = "
                     f"{list(config.accept_advisory)}) does not accept it. The guard room decides.",
                     zone=zone, user=by, reason=reason or None, data={**data, "refused": True})
            return
        actor = Actor(name=by, role=advisory.get("role") if isinstance(advisory.get("role"), str)
                      else None, method="district", origin=f"district advisory {ident}",
                      proof=f"advisory:{ident}")
        await host.actions.perform(action, actor, zone=zone,
                                   reason=f"district advisory: {reason}".strip())

    return handle
