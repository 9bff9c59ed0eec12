"""Who the operators are (Operator) and who performs one action, how they proved it, from where
(Actor). Plain frozen data: the policy and every door read the same shapes."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("guard", "supervisor", "technician", "viewer")

# How an actor proved who they are. "unauthenticated" is accepted for a lockdown only.
METHODS = ("os_user", "pin", "session", "unauthenticated", "key_switch", "host_button",
           "panic_station", "district", "schedule")


@dataclass(frozen=True)
class Operator:
    name: str  # unique login name, e.g. "li.na"
    role: str  # one of ROLES
    os_user: str | None  # OS account mapped to this operator (control socket SO_PEERCRED)
    disabled: bool  # a disabled operator cannot sign in, confirm with a PIN or be mapped


@dataclass(frozen=True)
class Actor:
    """Who performs an action, how they proved it, and from where."""

    name: str | None  # operator name; None = unauthenticated (allowed for lockdown only)
    role: str | None  # the operator's role from the store, never from the request
    method: str  # one of METHODS
    origin: str  # e.g. "control socket uid=1000 pid=4242", "console 127.0.0.1"
    proof: str  # the credential source: "uid:1000", "session:<id>", "pin:li.na"; the two-person
    #             rule needs two different names AND two different proofs

    @property
    def authenticated(self) -> bool:
        return self.name is not None and self.method != "unauthenticated"

    @classmethod
    def unauthenticated(cls, origin: str, proof: str = "") -> Actor:
        return cls(None, None, "unauthenticated", origin, proof)

    def describe(self) -> str:
        """'li.na (guard, pin)' or 'an unidentified caller'."""
        if self.name is None:
            return "an unidentified caller"
        return f"{self.name} ({self.role}, {self.method})"
