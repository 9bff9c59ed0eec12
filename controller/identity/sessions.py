"""Console sessions: an opaque random token (the cookie) and a CSRF token, in memory only.
A host restart signs everyone out, which is the safe direction; lockdown never needs a session."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from controller.identity.model import Operator

TOKEN_BYTES = 32  # 256 bits from the OS CSPRNG


@dataclass(frozen=True)
class Session:
    token: str  # the session cookie value; never logged (the proof is session:<id>)
    csrf_token: str  # sent back in X-CSRF-Token on every POST made with the cookie
    operator: Operator
    origin: str  # where it was opened, e.g. "console 127.0.0.1"
    expires_at: float  # time.time() seconds

    @property
    def id(self) -> str:
        """A short public id for logs and proofs (not the token: logs must not hold secrets)."""
        return self.csrf_token[:12]


class Sessions:
    def __init__(self, ttl_s: float = 8 * 3600, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.ttl_s = ttl_s  # one guard shift
        self.clock = clock
        self._by_token: dict[str, Session] = {}

    def open(self, operator: Operator, origin: str) -> Session:
        self._expire()
        session = Session(secrets.token_urlsafe(TOKEN_BYTES), secrets.token_urlsafe(TOKEN_BYTES),
                          operator, origin, self.clock() + self.ttl_s)
        self._by_token[session.token] = session
        return session

    def get(self, token: str) -> Session | None:
        """The live session for token; None when unknown or expired."""
        session = self._by_token.get(token)
        if session is None:
            return None
        if session.expires_at <= self.clock():
            del self._by_token[token]
            return None
        return session

    def close(self, token: str) -> None:
        self._by_token.pop(token, None)

    def close_operator(self, name: str) -> None:
        """Sign an operator out everywhere (disabled, credentials changed)."""
        for token in [t for t, s in self._by_token.items() if s.operator.name == name]:
            del self._by_token[token]

    def _expire(self) -> None:
        now = self.clock()
        for token in [t for t, s in self._by_token.items() if s.expires_at <= now]:
            del self._by_token[token]
