"""Lockouts grow with failures and end; sessions expire and close."""

from __future__ import annotations

from controller.identity import Operator, Sessions
from controller.identity.rate_limit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_lockout_starts_after_the_allowed_failures_and_doubles():
    clock = Clock()
    limiter = RateLimiter(max_failures=3, lockout_s=10, max_lockout_s=35, clock=clock)
    assert [limiter.failure("k") for _ in range(3)] == [0.0, 0.0, 10.0]
    assert limiter.retry_after("k") == 10.0
    assert limiter.failure("k") == 20.0 and limiter.failure("k") == 35.0  # capped
    assert limiter.retry_after("other") == 0.0
    clock.now += 35
    assert limiter.retry_after("k") == 0.0
    limiter.success("k")
    assert limiter.failures("k") == 0


def test_failures_outside_the_window_are_forgotten():
    clock = Clock()
    limiter = RateLimiter(max_failures=2, window_s=60, clock=clock)
    limiter.failure("k")
    clock.now += 61
    assert limiter.failure("k") == 0.0 and limiter.failures("k") == 1


def test_sessions_open_get_expire_close():
    clock = Clock()
    sessions = Sessions(ttl_s=100, clock=clock)
    li = Operator("li.na", "guard", None, False)
    one = sessions.open(li, "console 127.0.0.1")
    two = sessions.open(li, "console 127.0.0.1")
    assert one.token != two.token and one.csrf_token != one.token and len(one.token) >= 40
    assert sessions.get(one.token) == one and sessions.get("forged") is None
    sessions.close(one.token)
    assert sessions.get(one.token) is None and sessions.get(two.token) == two
    clock.now += 100
    assert sessions.get(two.token) is None
