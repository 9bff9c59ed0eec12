"""Wires the operations watcher into a running host (two lines in Host.start and Host.stop)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from controller.identity import Actor
from controller.operations.ledger import Ledger
from controller.operations.watcher import OperationsWatcher

if TYPE_CHECKING:
    from controller.service.host import Host


def start_operations(host: Host) -> OperationsWatcher:
    ledger = Ledger(host.paths.root)
    watcher = OperationsWatcher(
        host.site, ledger,
        read_events=lambda **query: host.store.query(**query),
        write_event=lambda kind, message, device=None, data=None: host.log(
            kind, message, device=device, zone=host.site.zone_of(device) if device else None,
            data=data or {}),
        gate_states=lambda: {v.name: v.state for v in host.registry.views() if v.role == "gate"},
        busy=lambda: host.state.mode != "normal",
        # each rule acts within a minute; a short duty grace (tests, drills) is checked faster
        period_s=min(10.0, host.site.operations.duty_grace_s / 2),
        start_selftest=lambda device: _scheduled_selftest(host, device))
    watcher.start(last_event_id=host.store.last_id())
    return watcher


# The host itself runs a scheduled smoke self-test, as a technician would; it goes through the
# same action path and policy (normal mode only, one test per device at a time), logged as such.
SCHEDULE = Actor("host-schedule", "technician", "schedule",
                 "the host's [operations.smoke_selftest] window", "schedule")
_running: set[asyncio.Task] = set()


def _scheduled_selftest(host: Host, device: str) -> None:
    task = asyncio.ensure_future(host.actions.perform(
        "selftest", SCHEDULE, device=device, reason="scheduled self-test"))
    _running.add(task)
    task.add_done_callback(_running.discard)
