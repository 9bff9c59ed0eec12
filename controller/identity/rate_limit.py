"""Failed-attempt limits, per operator and per client (the same counter shape for both keys).

After MAX_FAILURES failures inside WINDOW_S a key is locked for LOCKOUT_S, doubling for every
further failure up to MAX_LOCKOUT_S. A 4-digit PIN has 10 000 values: at 5 guesses and then
at most one guess per 15 minutes, trying them all takes months, and every failure is logged."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_FAILURES = 5  # failures allowed inside the window before the key locks
WINDOW_S = 300.0  # failures older than this are forgotten
LOCKOUT_S = 30.0  # first lockout; doubles per further failure
MAX_LOCKOUT_S = 900.0  # cap: a guard who mistyped waits at most 15 minutes


@dataclass
class _Key:
    failures: list[float] = field(default_factory=list)  # monotonic times inside the window
    locked_until: float = 0.0


class RateLimiter:
    def __init__(self, *, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 lockout_s: float = LOCKOUT_S, max_lockout_s: float = MAX_LOCKOUT_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.lockout_s = lockout_s
        self.max_lockout_s = max_lockout_s
        self.clock = clock
        self._keys: dict[str, _Key] = {}

    def retry_after(self, key: str) -> float:
        """Seconds until key may try again (0.0: it may try now)."""
        entry = self._keys.get(key)
        if entry is None:
            return 0.0
        return max(0.0, entry.locked_until - self.clock())

    def failure(self, key: str) -> float:
        """Record one failure; returns the lockout it caused (0.0: none yet)."""
        now = self.clock()
        entry = self._keys.setdefault(key, _Key())
        entry.failures = [t for t in entry.failures if now - t <= self.window_s] + [now]
        over = len(entry.failures) - self.max_failures
        if over < 0:
            return 0.0
        lockout = min(self.max_lockout_s, self.lockout_s * (2 ** over))
        entry.locked_until = now + lockout
        return lockout

    def success(self, key: str) -> None:
        self._keys.pop(key, None)

    def failures(self, key: str) -> int:
        entry = self._keys.get(key)
        if entry is None:
            return 0
        now = self.clock()
        return sum(1 for t in entry.failures if now - t <= self.window_s)

    def snapshot(self) -> dict[str, list]:
        """{key: [failure times still in the window, locked_until]} of the keys that still count:
        for a caller whose counters must outlive its process (clock must then be wall time)."""
        now = self.clock()
        out = {}
        for key, entry in self._keys.items():
            recent = [t for t in entry.failures if now - t <= self.window_s]
            if recent or entry.locked_until > now:
                out[key] = [recent, entry.locked_until]
        return out

    def restore(self, saved: dict[str, list]) -> None:
        for key, (failures, locked_until) in saved.items():
            self._keys[key] = _Key([float(t) for t in failures], float(locked_until))
