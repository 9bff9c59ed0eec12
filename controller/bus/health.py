"""Online/offline bookkeeping of the devices on one bus: when is a run of failures a dead device?

A device is declared offline only on evidence a live device cannot produce: its failed
transactions must span at least `min_span_s` AND number at least `failures_needed(p)`, where p is
the failure rate the line shows right now for the OTHER devices (LineQuality). The count
is the smallest k with p**k <= `false_offline_p` (1e-9): the chance that a powered device on this
line fails k times in a row. On a clean line (p at its 2 % floor) that is 6 failures; at 1 % byte
noise (p about 0.2 on a 19200 baud line) about 13. A suspect device is polled every cycle and
retried once at once (scheduler.py), so 6 failures take about 3 priority cycles and 13 about 7.
And some other device on the line must have answered during the run: when nothing answers, the
line, the adapter or a stalled host is at fault (bus trouble), not every device at once.

Why these numbers: NFPA 72 allows 200 s from a fault to its trouble signal.
We report a dead device within ~3 s on a clean line and ~10 s at 1 % noise, far inside 200 s,
while the statistical rule keeps a powered device from ever being reported offline by noise (an
expected 1e-9 false reports per failure run; at 1 % noise one bus sees ~15 runs a second).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class HealthPolicy:
    min_span_s: float = 1.5  # a run of failures shorter than this is never a dead device (a burst)
    min_failures: int = 4  # never fewer failures than this, whatever the line quality
    max_failures: int = 40  # p estimate near 1 (a line so bad nothing answers): still decide
    false_offline_p: float = 1e-9  # accepted chance that a live device fails the whole run
    line_error_floor: float = 0.02  # the line's failure rate is never assumed better than this
    line_window: int = 200  # LineQuality: the last this many transactions on the line
    first_probe_s: float = 0.5  # first re-probe of an offline device after this
    max_probe_s: float = 4.0  # back-off doubles up to this: a dead device costs one timeout per period

    def failures_needed(self, line_error: float) -> int:
        p = min(max(line_error, self.line_error_floor), 0.99)
        k = math.ceil(math.log(self.false_offline_p) / math.log(p))
        return max(self.min_failures, min(self.max_failures, k))


class LineQuality:
    """The failure rate of the last `line_window` transactions on this line, every device's.

    A device's threshold uses the rate of the OTHER devices' transactions (error_rate_without):
    its own failures never raise the bar it is judged by, so a dead device is found as fast on a
    noisy line as the noise allows, and noise (every device failing now and then) is measured
    within the last window of transactions."""

    def __init__(self, policy: HealthPolicy):
        self.policy = policy
        self._window: deque[tuple[str, bool]] = deque()
        self._fails = 0
        self._by_device: dict[str, list[int]] = {}  # name -> [transactions, failures] in window
        self.last_answer_at = float("-inf")  # when any device on this line last answered
        self.devices = 0  # devices on the line (set by the scheduler)

    def record(self, device: str, failed: bool) -> None:
        self._window.append((device, failed))
        counts = self._by_device.setdefault(device, [0, 0])
        counts[0] += 1
        counts[1] += failed
        self._fails += failed
        if len(self._window) > self.policy.line_window:
            old, old_failed = self._window.popleft()
            old_counts = self._by_device[old]
            old_counts[0] -= 1
            old_counts[1] -= old_failed
            self._fails -= old_failed

    @property
    def error_rate(self) -> float:
        return self._fails / len(self._window) if self._window else 0.0

    def error_rate_without(self, device: str) -> float:
        n, fails = self._by_device.get(device, (0, 0))
        others = len(self._window) - n
        return (self._fails - fails) / others if others > 0 else 0.0

    def failures_needed(self, device: str = "") -> int:
        return self.policy.failures_needed(self.error_rate_without(device))


class DeviceHealth:
    """online is None until the first contact (or the first decisive run of failures)."""

    def __init__(self, policy: HealthPolicy, line: LineQuality | None = None, name: str = ""):
        self.policy = policy
        self.name = name
        self.line = line or LineQuality(policy)
        self.online: bool | None = None
        self.failures = 0
        self.first_failure_at = 0.0
        self.probe_interval_s = policy.first_probe_s
        self.next_probe_at = 0.0
        self.last_contact: float | None = None  # wall clock (time.time()) of the last good answer

    @property
    def polled(self) -> bool:
        """Polled in its lane (online, or not yet decided); offline devices are only re-probed."""
        return self.online is not False

    @property
    def suspect(self) -> bool:
        """A failure run is in progress on a device not (yet) offline: poll it every cycle."""
        return self.failures > 0 and self.online is not False

    def probe_due(self, now: float) -> bool:
        return self.online is False and now >= self.next_probe_at

    def success(self) -> bool:
        """Record a good transaction; True when this brings the device (back) online."""
        self.line.record(self.name, False)
        self.failures = 0
        self.last_contact = time.time()
        came_online = self.online is not True
        self.online = True
        self.probe_interval_s = self.policy.first_probe_s
        return came_online

    def failure(self, now: float) -> bool:
        """Record a failed transaction; True when this takes the device offline."""
        if self.failures == 0:
            self.first_failure_at = now
        if self.online is not False:
            self.line.record(self.name, True)
        self.failures += 1
        if self.online is False:
            self.probe_interval_s = min(self.probe_interval_s * 2, self.policy.max_probe_s)
            self.next_probe_at = now + self.probe_interval_s
            return False
        # a dead device among live ones: others answered during its run. When nothing on the line
        # answers, the fault is the line, the adapter or a stalled host, not this device.
        others_answer = self.line.devices <= 1 or self.line.last_answer_at > self.first_failure_at
        if (self.failures >= self.line.failures_needed(self.name) and others_answer
                and now - self.first_failure_at >= self.policy.min_span_s):
            self.online = False
            self.probe_interval_s = self.policy.first_probe_s
            self.next_probe_at = now + self.probe_interval_s
            return True
        return False
