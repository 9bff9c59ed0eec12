"""Online/offline bookkeeping of one device on a bus, with back-off re-probing."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class HealthPolicy:
    failures_to_offline: int = 3  # consecutive failed transactions before a device is offline
    first_probe_s: float = 0.5  # first re-probe of an offline device after this
    max_probe_s: float = 4.0  # back-off doubles up to this: a dead device costs one timeout per period


class DeviceHealth:
    """online is None until the first contact (or the first run of failures)."""

    def __init__(self, policy: HealthPolicy):
        self.policy = policy
        self.online: bool | None = None
        self.failures = 0
        self.probe_interval_s = policy.first_probe_s
        self.next_probe_at = 0.0
        self.last_contact: float | None = None  # wall clock (time.time()) of the last good answer

    @property
    def polled(self) -> bool:
        """Polled in its lane (online, or not yet decided); offline devices are only re-probed."""
        return self.online is not False

    def probe_due(self, now: float) -> bool:
        return self.online is False and now >= self.next_probe_at

    def success(self) -> bool:
        """Record a good transaction; True when this brings the device (back) online."""
        self.failures = 0
        self.last_contact = time.time()
        came_online = self.online is not True
        self.online = True
        self.probe_interval_s = self.policy.first_probe_s
        return came_online

    def failure(self, now: float) -> bool:
        """Record a failed transaction; True when this takes the device offline."""
        self.failures += 1
        if self.online is False:
            self.probe_interval_s = min(self.probe_interval_s * 2, self.policy.max_probe_s)
            self.next_probe_at = now + self.probe_interval_s
            return False
        if self.failures >= self.policy.failures_to_offline:
            self.online = False
            self.probe_interval_s = self.policy.first_probe_s
            self.next_probe_at = now + self.probe_interval_s
            return True
        return False
