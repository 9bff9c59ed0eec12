"""Identity errors. Every message says what is wrong and how to fix it; none leaks whether a
name exists to someone guessing (a wrong PIN and an unknown name read the same at the door)."""

from __future__ import annotations


class IdentityError(Exception):
    """A request about an operator the identity layer refuses; the message says the fix."""


class AuthFailed(IdentityError):
    """Wrong password or PIN, unknown or disabled operator."""


class RateLimited(IdentityError):
    """Too many failed attempts for this operator or from this client: wait retry_after_s."""

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class UnknownOperator(IdentityError):
    """Managing (passwd, disable) an operator that is not in the store."""


class CredentialRejected(IdentityError):
    """A new password, PIN, name or role that does not meet the rules (add, passwd)."""
