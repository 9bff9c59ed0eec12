"""OperatorStore: the operator roster in DIR/operators.db (SQLite, file mode 0640), with argon2id
hashes of each operator's password (sessions) and PIN (confirming an action at a shared screen).

The store is the authority on who operators are and what role they hold; the site file's
[[users]] is legacy and ignored for authority. Failed checks are rate-limited per operator and
per client (rate_limit.py) and reported through `audit` (the host writes them to the event log
as auth.failed / auth.rate_limited)."""

from __future__ import annotations

import contextlib
import os
import pathlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from controller.identity import credentials as C
from controller.identity.errors import AuthFailed, CredentialRejected, RateLimited, UnknownOperator
from controller.identity.model import Operator
from controller.identity.rate_limit import RateLimiter
from protocols import events as E

FILE_NAME = "operators.db"
FILE_MODE = 0o640  # the host's user reads and writes, its group reads, nobody else
DIR_MODE = 0o750

_SCHEMA = """
CREATE TABLE IF NOT EXISTS operators (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    os_user TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
)
"""

Audit = Callable[[str, str, dict[str, Any]], None]


class OperatorStore:
    def __init__(self, state_dir: pathlib.Path, *, audit: Audit | None = None,
                 limiter: RateLimiter | None = None) -> None:
        self.state_dir = pathlib.Path(state_dir)
        self.path = self.state_dir / FILE_NAME
        self.audit = audit  # (kind, message, data) for auth.failed / auth.rate_limited
        self.limiter = limiter or RateLimiter()
        self._dummy_hash: str | None = None
        if not self.state_dir.exists():
            self.state_dir.mkdir(parents=True, mode=DIR_MODE, exist_ok=True)
        with self._db() as db:
            db.execute(_SCHEMA)

    # ------------------------------------------------------------ storage
    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One short connection per call: safe from worker threads and from the `user` CLI
        writing while the host runs (SQLite locks the file)."""
        fresh = not self.path.exists()
        if fresh:  # create it 0640 before SQLite writes a byte (journals inherit the mode)
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
            os.close(fd)
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()
        if fresh:
            os.chmod(self.path, FILE_MODE)

    def _row(self, name: str) -> tuple | None:
        with self._db() as db:
            return db.execute("SELECT name, role, os_user, disabled, password_hash, pin_hash "
                              "FROM operators WHERE name = ?", (name,)).fetchone()

    @staticmethod
    def _operator(row: tuple) -> Operator:
        return Operator(name=row[0], role=row[1], os_user=row[2], disabled=bool(row[3]))

    # ------------------------------------------------------------ roster
    def add(self, name: str, role: str, password: str, pin: str,
            os_user: str | None = None) -> Operator:
        C.check_name(name)
        C.check_role(role)
        C.check_password(name, password)
        C.check_pin(pin)
        if self.get(name) is not None:
            raise CredentialRejected(f"operator {name!r} already exists. Fix: choose another name, "
                                     f"or `campusguard user passwd {name}` to change credentials")
        if os_user:
            taken = self.by_os_user(os_user)
            if taken is not None:
                raise CredentialRejected(
                    f"OS account {os_user!r} is already mapped to operator {taken.name!r}: one "
                    f"account acts as one operator. Fix: `campusguard user disable {taken.name}` "
                    f"first, or map another account")
        now = time.time()
        with self._db() as db:
            db.execute("INSERT INTO operators VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
                       (name, role, os_user or None, C.HASHER.hash(password),
                        C.HASHER.hash(pin), now, now))
        return Operator(name, role, os_user or None, False)

    def set_credentials(self, name: str, password: str | None = None,
                        pin: str | None = None) -> None:
        if self.get(name) is None:
            raise UnknownOperator(self._unknown(name))
        updates: dict[str, str] = {}
        if password is not None:
            updates["password_hash"] = C.HASHER.hash(C.check_password(name, password))
        if pin is not None:
            updates["pin_hash"] = C.HASHER.hash(C.check_pin(pin))
        if not updates:
            return
        sets = ", ".join(f"{column} = ?" for column in updates)
        with self._db() as db:
            db.execute(f"UPDATE operators SET {sets}, updated = ? WHERE name = ?",
                       (*updates.values(), time.time(), name))

    def disable(self, name: str) -> None:
        if self.get(name) is None:
            raise UnknownOperator(self._unknown(name))
        with self._db() as db:
            db.execute("UPDATE operators SET disabled = 1, updated = ? WHERE name = ?",
                       (time.time(), name))

    def list(self) -> list[Operator]:
        with self._db() as db:
            rows = db.execute("SELECT name, role, os_user, disabled FROM operators "
                              "ORDER BY name").fetchall()
        return [self._operator(r) for r in rows]

    def get(self, name: str) -> Operator | None:
        row = self._row(name)
        return None if row is None else self._operator(row)

    def by_os_user(self, account: str) -> Operator | None:
        """The enabled operator mapped to OS account, or None."""
        with self._db() as db:
            row = db.execute("SELECT name, role, os_user, disabled FROM operators "
                             "WHERE os_user = ? AND disabled = 0", (account,)).fetchone()
        return None if row is None else self._operator(row)

    def _unknown(self, name: str) -> str:
        return (f"no operator {name!r} in {self.path}. Fix: `campusguard user list` shows them; "
                f"`campusguard user add {name} --role ROLE` adds one")

    # ------------------------------------------------------------ checks
    def check_password(self, name: str, password: str, client: str) -> Operator:
        return self._check(name, password, client, column=4, what="password")

    def check_pin(self, name: str, pin: str, client: str) -> Operator:
        return self._check(name, pin, client, column=5, what="PIN")

    def _check(self, name: str, secret: str, client: str, *, column: int, what: str) -> Operator:
        keys = (f"operator:{name}", f"client:{client}")
        wait = max(self.limiter.retry_after(k) for k in keys)
        if wait > 0:
            self._audit(E.AUTH_RATE_LIMITED, f"{what} check for {name!r} from {client} refused: "
                        f"too many failed attempts, retry in {wait:.0f} s", name, client, what,
                        retry_after_s=round(wait, 1))
            raise RateLimited(f"too many failed attempts for {name!r} or from this place: try "
                              f"again in {wait:.0f} s. Fix: wait, or ask a supervisor", wait)
        row = self._row(name)
        ok = False
        if row is None or row[3]:
            self._burn(secret)  # same cost as a real check: timing does not reveal names
        else:
            ok = self._verify(row[column], secret)
        if ok:
            self.limiter.success(keys[0])
            return self._operator(row)
        lockout = max(self.limiter.failure(k) for k in keys)
        why = "unknown" if row is None else "disabled" if row[3] else f"wrong {what}"
        self._audit(E.AUTH_FAILED, f"{what} check for {name!r} from {client} failed ({why})"
                    + (f"; locked for {lockout:.0f} s" if lockout else ""), name, client, what,
                    failures=self.limiter.failures(keys[0]), locked_s=lockout)
        raise AuthFailed(f"{what} not accepted for {name!r}. Fix: check the name and the {what}; "
                         f"after {self.limiter.max_failures} failures the account waits")

    @staticmethod
    def _verify(stored: str, secret: str) -> bool:
        try:
            return C.HASHER.verify(stored, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _burn(self, secret: str) -> None:
        if self._dummy_hash is None:
            self._dummy_hash = C.HASHER.hash("not-a-real-credential")
        self._verify(self._dummy_hash, secret)

    def _audit(self, kind: str, message: str, name: str, client: str, what: str,
               **data: Any) -> None:
        if self.audit is not None:
            self.audit(kind, message, {"user": name, "client": client, "credential": what, **data})
