"""The rules a new name, role, password or PIN must meet, and the argon2id hasher.

argon2id (RFC 9106) with OWASP's minimum (19 MiB, 2 passes, 1 lane): a stolen operators.db
costs an attacker 19 MiB and two passes per guess, on top of the online rate limits."""

from __future__ import annotations

import re

from argon2 import PasswordHasher

from controller.identity.errors import CredentialRejected
from controller.identity.model import ROLES

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256
PIN_RE = re.compile(r"^[0-9]{4,8}$")


def check_name(name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise CredentialRejected(
            f"operator name {name!r} is not valid. Fix: 1-64 characters, letters, digits, '.', "
            f"'_' or '-', starting with a letter or digit (e.g. li.na)")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise CredentialRejected(f"role {role!r} is not known. Fix: use one of {', '.join(ROLES)}")
    return role


def check_password(name: str, password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise CredentialRejected(f"the password is too short ({len(password)} characters). "
                                 f"Fix: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise CredentialRejected(f"the password is longer than {MAX_PASSWORD} characters. "
                                 f"Fix: use a shorter one")
    if password.strip().lower() == name.lower():
        raise CredentialRejected("the password is the operator's name. Fix: choose another")
    return password


def check_pin(pin: str) -> str:
    if not PIN_RE.match(pin or ""):
        raise CredentialRejected("a PIN is 4 to 8 digits (0-9) and nothing else. "
                                 "Fix: choose e.g. a 6-digit PIN")
    if len(set(pin)) == 1 or pin in "01234567890123456789" or pin in "98765432109876543210":
        raise CredentialRejected("the PIN is a repeated digit or a run (like 1234): "
                                 "the first ones anyone tries. Fix: choose another")
    return pin
