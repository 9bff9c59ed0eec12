"""Which devices the programme wants self-tested, which of them the host can test itself, and
when each last passed: one answer for the watcher, the term report and the console.

A device must be tested when the host makes a panic station or a smoke detector of it (its role,
or a third-party profile's kind). The host can run the test only on our own firmware's roles
(controller/policy/selftest.py); a third-party detector is tested at the device."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from controller.site.model import Device, Site

MUST_TEST_KINDS = ("panic", "smoke")
HOST_TESTED_ROLES = ("panic", "smoke")


def must_test(site: Site) -> list[Device]:
    return [d for d in site.devices if d.kind in MUST_TEST_KINDS]


def host_can_test(device: Device) -> bool:
    return device.role in HOST_TESTED_ROLES


def last_passed(passes: Iterable) -> dict[str, datetime]:
    """{device: time of its last selftest.pass} from pass events, oldest first."""
    return {event.device: event.ts for event in passes}
