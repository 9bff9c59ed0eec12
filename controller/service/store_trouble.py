"""A failing event store is trouble, raised at once on every channel that needs no disk.

- status: the "store" section (ok/failing, since, error, fix, pending events, dropped);
- the guard-room siren relay (local_io) sounds while the store fails;
- the policy gets DeviceTrouble("event-store", "fault"): a trouble report (Contact ID 380) goes to
  the alarm receiving centre. Honest limit: that report waits in the alarm outbox, a SQLite file
  in the same state dir; if the outbox cannot be written either (same full disk), the report is
  not queued: the failure is shown in status (store.alarm_outbox_error) and the service log, and
  the siren and status remain the channels that work.
Problems found at start (a damaged events.db or policy state moved aside) are raised the same way
and printed with their fix.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from controller.policy.inputs import DeviceRestore, DeviceTrouble
from controller.store.failure import describe
from controller.store.health import StoreHealth
from protocols import events as E

if TYPE_CHECKING:
    from controller.policy.decision import AlarmReport
    from controller.service.host import Host

_LOG = logging.getLogger(__name__)
DEVICE = "event-store"  # the name trouble about the store carries in the log and in reports


class StoreTrouble:
    def __init__(self, host: Host, problems: list[str]) -> None:
        self.host = host
        self.problems = list(problems)
        self.outbox_error = ""

    def _trigger(self, what: str):
        from controller.service.host import trigger_now

        return trigger_now(what)

    def startup_problems(self) -> None:
        host = self.host
        host.writer.health.problems = list(self.problems)
        for problem in self.problems:
            print(f"campusguard: TROUBLE at start: {problem}", file=sys.stderr, flush=True)
            _LOG.error("trouble at start: %s", problem)
        raised = any(t.device == DEVICE for t in host.state.troubles)
        if self.problems:
            if raised:  # the saved trouble was about something else: say the new finding
                host.decide(DeviceRestore(DEVICE, "fault", "superseded at start"),
                            self._trigger("store.start"))
            host.decide(DeviceTrouble(DEVICE, "fault", " | ".join(self.problems)),
                        self._trigger("store.start"))
        elif raised:
            host.decide(DeviceRestore(DEVICE, "fault", "events.db opened and checked at start"),
                        self._trigger("store.start"))

    def changed(self, health: StoreHealth) -> None:
        """The event writer's callback: failing <-> ok."""
        host = self.host
        if health.ok:
            host.decide(DeviceRestore(DEVICE, "fault", "events are written again"),
                        self._trigger("store.ok"))
        else:
            host.decide(DeviceTrouble(DEVICE, "fault", health.error), self._trigger("store.failing"))
        host._update_siren()

    async def submit_alarm(self, report: AlarmReport) -> None:
        host = self.host
        assert host.alarm_service is not None
        try:
            await host.alarm_service.submit(report, host.reconciler.source_for(report))
        except Exception as exc:  # the outbox is on disk too: say so, on the channels that work
            self.outbox_error = describe(exc, host.paths.alarm_outbox)
            _LOG.error("alarm report %s not queued: %s", report.kind, self.outbox_error)
            host.log(E.ALARM_FAILED, f"report {report.kind} could NOT be queued for the receiving "
                     f"centre: {self.outbox_error}", device=report.device, zone=report.zone,
                     drill=report.drill, data={"report": report.kind, "error": self.outbox_error})
            return
        self.outbox_error = ""

    def status(self) -> dict[str, Any]:
        out = self.host.writer.health.as_status()
        out["alarm_outbox_error"] = self.outbox_error
        return out
