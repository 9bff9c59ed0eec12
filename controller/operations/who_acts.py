"""Who records an operations entry from the command line, proven, and whether their role may.

The ledger is evidence: "closed by zhang.wei" must mean zhang.wei closed it. The proof is the
same as at the control socket: the caller's OS account (the real effective uid, never $USER)
mapped to an operator, or `--user NAME` with that operator's PIN (`--pin-stdin`, or typed at a
terminal). Failed PINs are rate-limited like everywhere else; because every CLI call is a new
process, the counters live in the ledger (meta `cli_pin_failures`, wall-clock times) and each
failure is written to the event log as auth.failed / auth.rate_limited."""

from __future__ import annotations

import getpass
import json
import os
import pwd
import sys
import time
from pathlib import Path
from typing import Any

from controller.identity import IdentityError, Operator, OperatorStore
from controller.identity.rate_limit import RateLimiter
from controller.operations.ledger import Ledger
from controller.operations.permissions import require

_META = "cli_pin_failures"


class WhoError(ValueError):
    """The caller could not be identified or may not do this; the message names the fix."""


def os_account() -> str:
    """The account of this process's effective uid (what SO_PEERCRED would report)."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def acting_operator(state_dir: Path, ledger: Ledger, user: str | None, pin_stdin: bool,
                    action: str) -> Operator:
    """The proven operator who records `action` (a permissions.ACTIONS key); WhoError if not."""
    account = os_account()
    limiter = _LedgerLimiter(ledger)
    store = OperatorStore(state_dir, audit=_EventAudit(state_dir), limiter=limiter)
    mapped = store.by_os_user(account)
    if user is None or (mapped is not None and mapped.name == user):
        if mapped is None:
            raise WhoError(f"your OS account {account!r} is not mapped to an operator. Fix: give "
                           f"--user NAME --pin-stdin (your PIN on stdin), or have a supervisor "
                           f"map it: campusguard user add NAME --role ROLE --os-user {account}")
        operator = mapped
    else:
        pin = _read_pin(pin_stdin, user)
        try:
            operator = store.check_pin(user, pin, f"cli:{account}")
        except IdentityError as exc:
            raise WhoError(str(exc)) from None
        finally:
            limiter.save()
    try:
        require(operator.name, operator.role, action)
    except PermissionError as exc:
        raise WhoError(str(exc)) from None
    return operator


def _read_pin(pin_stdin: bool, user: str) -> str:
    if pin_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if sys.stdin.isatty():
        return getpass.getpass(f"PIN for {user}: ")
    raise WhoError(f"--user {user} needs {user}'s PIN. Fix: add --pin-stdin and give the PIN on "
                   f"stdin, or run this at a terminal to type it")


class _LedgerLimiter(RateLimiter):
    """RateLimiter whose counters survive the process: loaded from and saved to the ledger."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(clock=time.time)
        self.ledger = ledger
        self.restore(json.loads(ledger.get_meta(_META) or "{}"))

    def save(self) -> None:
        self.ledger.set_meta(_META, json.dumps(self.snapshot()))


class _EventAudit:
    """Failed and refused PIN checks into the event log, beside the host's own auth events."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / "events.db"

    def __call__(self, kind: str, message: str, data: dict[str, Any]) -> None:
        from controller.store.event_store import EventStore

        try:
            store = EventStore(self.path)
            try:
                store.append(kind, message, user=data.get("user"), data=data)
            finally:
                store.close()
        except Exception as exc:  # the refusal stands; say the log missed it
            print(f"campusguard: could not log {kind} to {self.path}: {exc}", file=sys.stderr)
