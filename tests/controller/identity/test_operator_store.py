"""The operator roster: argon2id hashes on disk, credential rules, the file's mode, PIN and
password checks with rate limits per operator and per client, every failure audited."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from controller.identity import AuthFailed, OperatorStore, RateLimited, UnknownOperator
from controller.identity.errors import CredentialRejected
from controller.identity.rate_limit import RateLimiter
from protocols import events as E


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def audit():
    return []


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, audit, clock):
    s = OperatorStore(tmp_path / "state", audit=lambda k, m, d: audit.append((k, m, d)),
                      limiter=RateLimiter(clock=clock))
    s.add("li.na", "guard", "correct horse", "2580", os_user="lina")
    s.add("zhang.wei", "supervisor", "battery staple", "731946")
    return s


def test_roster_roundtrip_and_hashes_are_argon2id(store, tmp_path):
    assert [o.name for o in store.list()] == ["li.na", "zhang.wei"]
    assert store.get("li.na").role == "guard" and store.get("nobody") is None
    assert store.by_os_user("lina").name == "li.na" and store.by_os_user("root") is None
    rows = sqlite3.connect(store.path).execute(
        "SELECT password_hash, pin_hash FROM operators").fetchall()
    for password_hash, pin_hash in rows:
        assert password_hash.startswith("$argon2id$") and pin_hash.startswith("$argon2id$")
        assert "2580" not in pin_hash and "correct horse" not in password_hash
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o640
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o750


def test_checks_accept_the_right_credential_only(store):
    assert store.check_pin("li.na", "2580", "test").name == "li.na"
    assert store.check_password("zhang.wei", "battery staple", "test").role == "supervisor"
    with pytest.raises(AuthFailed):
        store.check_pin("li.na", "2581", "test")
    with pytest.raises(AuthFailed):
        store.check_password("li.na", "2580", "test")  # the PIN is not the password
    with pytest.raises(AuthFailed):
        store.check_pin("nobody", "2580", "test")


def test_credential_rules_say_what_is_wrong(store):
    cases = [("x y", "guard", "long enough", "2580", "name"),
             ("wang", "janitor", "long enough", "2580", "role"),
             ("wang", "guard", "short", "2580", "at least 8"),
             ("wang", "guard", "long enough", "12a4", "4 to 8 digits"),
             ("wang", "guard", "long enough", "123", "4 to 8 digits"),
             ("wang", "guard", "long enough", "1234", "run"),
             ("wang", "guard", "long enough", "0000", "repeated"),
             ("li.na", "guard", "long enough", "2580", "already exists")]
    for name, role, password, pin, words in cases:
        with pytest.raises(CredentialRejected, match=words) as err:
            store.add(name, role, password, pin)
        assert "Fix:" in str(err.value)
    with pytest.raises(CredentialRejected, match="already mapped"):
        store.add("wang", "guard", "long enough", "2580", os_user="lina")


def test_passwd_and_disable(store):
    store.set_credentials("li.na", pin="97531")
    with pytest.raises(AuthFailed):
        store.check_pin("li.na", "2580", "test")
    assert store.check_pin("li.na", "97531", "test").name == "li.na"
    store.disable("li.na")
    assert store.get("li.na").disabled and store.by_os_user("lina") is None
    with pytest.raises(AuthFailed):
        store.check_pin("li.na", "97531", "test")
    with pytest.raises(UnknownOperator, match="user add"):
        store.disable("nobody")


def test_pin_brute_force_is_rate_limited_and_logged(store, audit, clock):
    outcomes = []
    for guess in range(20):
        try:
            store.check_pin("li.na", f"{1000 + guess:04d}", "control socket uid=1001")
            outcomes.append("ok")
        except RateLimited as exc:
            outcomes.append(("limited", exc.retry_after_s))
        except AuthFailed:
            outcomes.append("failed")
    assert outcomes[:5] == ["failed"] * 5
    assert all(isinstance(o, tuple) and o[1] > 0 for o in outcomes[5:])
    with pytest.raises(RateLimited) as limited:  # the right PIN is refused while limited
        store.check_pin("li.na", "2580", "control socket uid=1001")
    assert limited.value.retry_after_s > 0
    kinds = [k for k, _, _ in audit]
    assert kinds.count(E.AUTH_FAILED) == 5 and kinds.count(E.AUTH_RATE_LIMITED) == 16
    assert all(d["user"] == "li.na" and d["client"] == "control socket uid=1001"
               for _, _, d in audit)
    # per client: the same place guessing another operator is limited too
    with pytest.raises(RateLimited):
        store.check_pin("zhang.wei", "731946", "control socket uid=1001")
    # per operator: guessing li.na from elsewhere is limited as well
    with pytest.raises(RateLimited):
        store.check_pin("li.na", "2580", "console 10.0.0.9")
    clock.now += 1000  # the lockout ends
    assert store.check_pin("li.na", "2580", "control socket uid=1001").name == "li.na"


def test_store_is_shared_between_instances(store, tmp_path):
    other = OperatorStore(tmp_path / "state")
    assert other.get("zhang.wei").role == "supervisor"
    other.add("chen.jie", "guard", "another one", "4682")
    assert store.get("chen.jie") is not None
