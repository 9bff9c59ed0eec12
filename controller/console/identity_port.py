"""The console's one door to identity and actions: sign-in, sessions, PINs, and the service's
Actions. Everything here delegates to controller/identity/ and controller/service/actions.py
(the interface of WAVE2-BRIEF); the console keeps no accounts or rules of its own."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from controller.identity.errors import AuthFailed, IdentityError, RateLimited, UnknownOperator
from controller.identity.model import Actor, Operator
from controller.identity.sessions import Session, Sessions

if TYPE_CHECKING:
    from controller.service.actions import ActionResult
    from controller.service.host import Host

__all__ = ["AuthFailed", "ConsoleIdentity", "IdentityError", "RateLimited", "UnknownOperator",
           "Actor", "Operator", "Session"]


class ConsoleIdentity:
    def __init__(self, host: Host, ttl_s: float = 8 * 3600) -> None:
        self.host = host
        # The host's sessions when it keeps them (shared with other doors), else the console's.
        self.sessions: Sessions = getattr(host, "sessions", None) or Sessions(ttl_s)

    async def sign_in(self, user: str, password: str, client: str) -> Session:
        """A new session; AuthFailed / RateLimited (identity counts the failures). The argon2id
        check runs in a worker thread: the event loop carries the life-safety path."""
        operator = await asyncio.to_thread(self.host.operators.check_password, user, password,
                                           f"console {client}")
        return self.sessions.open(operator, f"console {client}")

    def session(self, token: str | None) -> Session | None:
        return self.sessions.get(token) if token else None

    def sign_out(self, token: str) -> None:
        self.sessions.close(token)

    async def check_pin(self, user: str, pin: str, client: str) -> Operator:
        return await asyncio.to_thread(self.host.operators.check_pin, user, pin,
                                       f"console {client}")

    @staticmethod
    def session_actor(session: Session, client: str) -> Actor:
        public_id = getattr(session, "id", None) or session.csrf_token[:12]  # never the token
        return Actor(session.operator.name, session.operator.role, "session",
                     f"console {client}", f"session:{public_id}")

    @staticmethod
    def pin_actor(operator: Operator, client: str) -> Actor:
        return Actor(operator.name, operator.role, "pin", f"console {client}",
                     f"pin:{operator.name}")

    @staticmethod
    def unauthenticated(client: str) -> Actor:
        return Actor(None, None, "unauthenticated", f"console {client}", "none")

    async def perform(self, verb: str, actor: Actor, **kwargs: Any) -> ActionResult:
        return await self.host.actions.perform(verb, actor, **kwargs)
