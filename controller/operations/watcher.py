"""The host's operations watcher: the programme's rules that run on the clock.

Every `period_s` (10 s; each rule below must act within a minute):
- every new trouble and failed self-test in the event log becomes a hazard-register entry (one
  per open device+kind);
- an open hazard past its deadline is trouble (`trouble.hazard_overdue`, once per entry);
- a staffed duty window with fewer than `min_staff` operators signed on for longer than
  `duty_grace_s` is trouble (`trouble.duty_gap`, once per gap; `trouble.restore` when staffed);
- a gate left open outside every schedule window for longer than `gate_open_alert_min` (and no
  lockdown, fire or drill explains it) is an alert (`trouble.gate_open`, once per opening);
- a panic station or smoke detector whose last passed self-test is older than `selftest_days`
  (counted from the ledger's creation for one never tested) gets a hazard entry (once);
- inside the site's `[operations.smoke_selftest]` window, with the campus in normal mode, every
  smoke detector due a test is self-tested by the host (at most once an hour per detector);
- names and plates in the gate log past their retention are erased.
It reads the ledger and the event log and writes through host.log, like every other event.
Times in its messages are site-local, with the zone's name (the guard reads them on the wall).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from controller.operations.duty import DutyRoster, open_windows
from controller.operations.gate_log import GateLog
from controller.operations.hazards import HazardRegister
from controller.operations.ledger import Ledger, LedgerError, utc_now
from controller.operations.selftest_plan import host_can_test, last_passed
from controller.site.model import Site
from controller.site.operations import OffDays
from protocols import events as E

log = logging.getLogger(__name__)

HAZARD_OVERDUE = "trouble.hazard_overdue"
DUTY_GAP = "trouble.duty_gap"
GATE_OPEN = "trouble.gate_open"
SELFTEST_DUE = "selftest.due"  # hazard source: a device whose self-test is due
AUTO_RETRY = timedelta(hours=1)  # a scheduled test that failed is tried again after this
_OWN = (HAZARD_OVERDUE, DUTY_GAP, GATE_OPEN)
_NOT_HAZARDS = (E.TROUBLE_RESTORE,) + _OWN


class OperationsWatcher:
    def __init__(self, site: Site, ledger: Ledger, read_events: Callable[..., list],
                 write_event: Callable[..., Any], gate_states: Callable[[], dict[str, str]],
                 busy: Callable[[], bool], period_s: float = 10.0,
                 start_selftest: Callable[[str], Any] | None = None):
        """read_events(**EventStore.query filters) -> EventRecords; write_event(kind, message,
        device=, data=); gate_states() -> {gate name: confirmed state}; busy() -> a lockdown,
        fire or drill; start_selftest(device) asks the host's policy for a self-test."""
        self.site = site
        self.ops = site.operations
        self.off = OffDays(site.holidays, site.operations.vacations)
        self.hazards = HazardRegister(ledger)
        self.duty = DutyRoster(ledger)
        self.gate_log = GateLog(ledger, site.operations.gate_log_retention_days)
        self.read_events = read_events
        self.write_event = write_event
        self.gate_states = gate_states
        self.busy = busy
        self.period_s = period_s
        self.start_selftest = start_selftest
        self._auto_tried: dict[str, datetime] = {}
        self.last_event_id = 0
        self._gap_since: dict[str, datetime] = {}
        self._gap_reported: set[str] = set()
        self._open_since: dict[str, datetime] = {}
        self._open_reported: set[str] = set()
        self._task: asyncio.Task | None = None

    def start(self, last_event_id: int) -> None:
        """Follow the event log from where the last run stopped (from now on a first run)."""
        saved = self.hazards.ledger.get_meta("last_event_id")
        self.last_event_id = int(saved) if saved is not None else last_event_id
        self._task = asyncio.create_task(self._run(), name="operations-watcher")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                self.step(utc_now())
            except LedgerError as exc:
                self.write_event(E.TROUBLE_FAULT, f"TROUBLE: operations ledger: {exc}",
                                 data={"trouble": "ledger"})
            except Exception:  # noqa: BLE001 - the watcher must never take the host down
                log.exception("operations watcher step failed")
            await asyncio.sleep(self.period_s)

    def _local(self, when: datetime, *, seconds: bool = False) -> str:
        shown = when.astimezone(self.site.tz)
        text = f"{shown:%Y-%m-%d %H:%M:%S}" if seconds else f"{shown:%Y-%m-%d %H:%M}"
        return f"{text} {self.site.timezone}"

    # ------------------------------------------------------------------ one pass
    def step(self, now: datetime) -> None:
        self._troubles_to_hazards()
        self._overdue(now)
        self._duty(now)
        self._gates(now)
        self._selftests_due(now)
        self._scheduled_selftests(now)
        self.gate_log.purge(now)

    def _troubles_to_hazards(self) -> None:
        seen = self.last_event_id
        for event in self.read_events(after_id=self.last_event_id):
            self.last_event_id = event.id
            if not _is_hazard(event.kind):
                continue
            entry = self.hazards.from_trouble(event.kind, event.device, event.message,
                                              self.ops.hazard_owner, self.ops.hazard_days,
                                              event.ts)
            if entry is not None:
                self.write_event("hazard.opened", f"Hazard #{entry.id} registered for "
                                 f"{entry.owner}, due {self._local(entry.deadline)}: "
                                 f"{entry.title}",
                                 device=entry.device, data={"hazard": entry.id,
                                                            "source": entry.source})
        if self.last_event_id != seen:
            self.hazards.ledger.set_meta("last_event_id", str(self.last_event_id))

    def _overdue(self, now: datetime) -> None:
        for entry in self.hazards.newly_overdue(now):
            self.write_event(HAZARD_OVERDUE, f"TROUBLE: hazard #{entry.id} is overdue (owner "
                             f"{entry.owner}, deadline {self._local(entry.deadline)}): "
                             f"{entry.title}. Fix: close it with a note (`campusguard hazard "
                             f"close {entry.id} --note ...`) or escalate",
                             device=entry.device, data={"hazard": entry.id, "trouble": "hazard"})

    def _selftests_due(self, now: datetime) -> None:
        ledger = self.hazards.ledger
        first = ledger.get_meta("first_run")
        if first is None:
            ledger.set_meta("first_run", now.isoformat())
            first = now.isoformat()
        interval = timedelta(days=self.ops.selftest_days)
        baseline = datetime.fromisoformat(first)
        passed = last_passed(self.read_events(kind=E.SELFTEST_PASS))
        for dev in self.site.devices:
            if not host_can_test(dev):
                continue
            last = passed.get(dev.name, baseline)
            if now - last < interval:
                continue
            never = dev.name not in passed
            title = (f"{dev.name}: self-test due (never tested)" if never else
                     f"{dev.name}: self-test due (last passed {last:%Y-%m-%d})")
            entry = self.hazards.from_trouble(SELFTEST_DUE, dev.name, title,
                                              self.ops.hazard_owner, self.ops.hazard_days, now)
            if entry is not None:
                self.write_event("hazard.opened", f"Hazard #{entry.id}: {title}; run `campusguard "
                                 f"selftest {dev.name}`", device=dev.name,
                                 data={"hazard": entry.id, "source": SELFTEST_DUE})

    def _scheduled_selftests(self, now: datetime) -> None:
        window = self.ops.smoke_selftest
        if window is None or self.start_selftest is None or self.busy() \
                or not window.open_at(now.astimezone(self.site.tz)):
            return
        interval = timedelta(days=self.ops.selftest_days)
        passed = last_passed(self.read_events(kind=E.SELFTEST_PASS))
        for dev in self.site.devices:
            if dev.kind != "smoke" or not host_can_test(dev):
                continue
            last = passed.get(dev.name)
            if last is not None and now - last < interval:
                continue
            tried = self._auto_tried.get(dev.name)
            if tried is not None and now - tried < AUTO_RETRY:
                continue
            self._auto_tried[dev.name] = now
            self.start_selftest(dev.name)

    def _duty(self, now: datetime) -> None:
        staffed = {w.name for w, _ in open_windows(self.ops.duty, now, self.site.tz, self.off)}
        on = self.duty.signed_on()
        for window in self.ops.duty:
            key = window.name
            count = sum(s.post in (key, "any") for s in on)
            if key in staffed and count < window.min_staff:
                since = self._gap_since.setdefault(key, now)
                if key not in self._gap_reported and \
                        now - since >= timedelta(seconds=self.ops.duty_grace_s):
                    self._gap_reported.add(key)
                    self.write_event(DUTY_GAP, f"TROUBLE: duty window {key} needs "
                                     f"{window.min_staff} on duty and has {count} (since "
                                     f"{self._local(since, seconds=True)}). Fix: sign on "
                                     f"(`campusguard duty on --post {key}` or at the console)",
                                     data={"window": key, "trouble": "duty_gap",
                                           "on_duty": count, "since": since.isoformat()})
                continue
            self._gap_since.pop(key, None)
            if key in self._gap_reported:
                self._gap_reported.discard(key)
                self.write_event(E.TROUBLE_RESTORE, f"Restored: duty window {key} staffed",
                                 data={"window": key, "trouble": "duty_gap"})

    def _gates(self, now: datetime) -> None:
        local = now.astimezone(self.site.tz)
        windowed = {name for s in self.site.schedules if s.active_at(local, self.site.holidays)
                    for name in s.open}
        for name, state in self.gate_states().items():
            if state != "open" or name in windowed or self.busy():
                self._open_since.pop(name, None)
                self._open_reported.discard(name)
                continue
            since = self._open_since.setdefault(name, now)
            if name not in self._open_reported and \
                    now - since >= timedelta(minutes=self.ops.gate_open_alert_min):
                self._open_reported.add(name)
                self.write_event(GATE_OPEN, f"ALERT: gate {name} has been open outside its "
                                 f"schedule windows since {self._local(since)}. Fix: close it, or "
                                 f"register the visit or the reason in the gate log",
                                 device=name, data={"trouble": "gate_open",
                                                    "since": since.isoformat()})


def _is_hazard(kind: str) -> bool:
    """A trouble the host logged (not its own operations troubles or a restore), or a device
    that failed its self-test."""
    if kind == E.SELFTEST_FAIL:
        return True
    return kind.startswith("trouble.") and kind not in _NOT_HAZARDS
