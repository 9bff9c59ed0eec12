"""At each device's first poll after the host started: its evidence, fed to the policy.

A device holding lockdown or fire mode while the state the host started from says its zone is
normal, and every latched panic station, become policy input events (controller/policy/
recovery.py), so a restart after a crash or a store failure never returns the campus to normal
on its own. Panic presses are named press_count@alarm_uptime_s: the key is written with the
panic.alarm event (events.db station_presses, same transaction) and with the alarm's outbox
entry (source_key, same row), so the host knows at restart whether that press was already
logged and already queued for the receiving centre, and does each exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from controller.devices.model import Change, DeviceView
from controller.policy.recovery import DeviceModeAtStart, PanicLatchedAtStart
from protocols import events as E
from protocols import registers as R

if TYPE_CHECKING:
    from controller.policy.decision import AlarmReport
    from controller.service.host import Host

_LATCHED = ("alarm", "acknowledged")


def press_key(view: DeviceView) -> str:
    """press_count@alarm_uptime_s of a panic station; "" for inputs that count nothing."""
    if view.press_count is None:
        return ""
    return f"{view.press_count}@{view.detail.get('alarm_uptime_s', '?')}"


def report_source(device: str, press: str) -> str:
    return f"panic:{device}:{press}"


class StartupReconciler:
    def __init__(self, host: Host, presses: dict[str, str],
                 reported: Callable[[str], bool] | None = None) -> None:
        self.host = host
        self.presses = dict(presses)  # station -> press already in the log (from events.db)
        self._reported = reported  # outbox lookup, set once the alarm service runs
        self._seen: set[str] = set()
        self._keys: dict[str, str] = {}  # station -> press of its latest panic.alarm
        self._start_modes: dict[str, int] | None = None  # what the host wanted at first sight

    def set_outbox_lookup(self, reported: Callable[[str], bool]) -> None:
        self._reported = reported

    def filter(self, view: DeviceView, changes: tuple[Change, ...]) -> tuple[Change, ...]:
        """Changes the host still handles as usual; evidence at first sight goes to the policy."""
        for change in changes:
            if change.kind == E.PANIC_ALARM:
                key = press_key(view)
                change.data["press_key"] = key
                self._keys[view.name] = key
        if self._start_modes is None:
            self._start_modes = dict(self.host.dispatcher.desired_mode)
        if view.name in self._seen:
            return changes
        self._seen.add(view.name)
        self._mode_evidence(view)
        if view.role in ("panic", "panic-input") and view.state in _LATCHED:
            return self._latched_station(view, changes)
        return changes

    def source_for(self, report: AlarmReport) -> str | None:
        """The outbox source_key of a report the host is about to queue."""
        if report.kind != E.PANIC_ALARM or report.restore or report.drill or not report.device:
            return None
        key = self._keys.get(report.device)
        return report_source(report.device, key) if key else None

    # ------------------------------------------------------------------ evidence
    def _mode_evidence(self, view: DeviceView) -> None:
        mode = view.detail.get("mode")
        if mode not in ("lockdown", "fire"):
            return
        saved = self.host.state.zones(self.host.site).get(view.zone, "normal")
        if saved == mode or saved == "fire":
            return  # the state agrees (or is already the stronger one)
        assert self._start_modes is not None
        if self.host.dispatcher.desired_mode.get(view.name) != self._start_modes.get(view.name):
            return  # the host has commanded this device since: its mode is no longer evidence
        from controller.service.host import trigger_now

        self.host.decide(DeviceModeAtStart(view.name, view.zone, mode, saved),
                         trigger_now("reconciled"))
        self._hold_modes()

    def _latched_station(self, view: DeviceView, changes: tuple[Change, ...]) -> tuple[Change, ...]:
        from controller.service.host import trigger_now

        key = press_key(view)
        if key:
            logged = self.presses.get(view.name) == key
        else:  # an input module's panic input: the saved state is the only record
            logged = any(p.device == view.name for p in self.host.state.panics)
        reported = logged
        if key and self.host.alarm_service is not None and self._reported is not None:
            reported = self._reported(report_source(view.name, key))
        self._keys[view.name] = key
        rest = tuple(c for c in changes if c.kind != E.PANIC_ALARM)
        pressed = next((c for c in changes if c.kind == E.PANIC_ALARM), None)
        change = pressed or Change(E.PANIC_ALARM, view.name, view.zone,
                                   f"panic station {view.name} latched at start",
                                   {"press_key": key})
        change.data["press_key"] = key
        self.host.decide(PanicLatchedAtStart(view.name, view.zone, key, logged, reported,
                                             view.state == "acknowledged"),
                         trigger_now("reconciled"), change)
        self._hold_modes()
        return rest

    def _hold_modes(self) -> None:
        """The device's poll writes the mode the host wants right after this returns: make it
        the restored one now, before the dispatcher's broadcast runs (never a normal write in
        between)."""
        wanted = self.host._modes_for(self.host.state)
        for name, mode in wanted.items():
            if mode != R.MODE_NORMAL:
                self.host.dispatcher.desired_mode[name] = mode



