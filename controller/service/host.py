"""The host: buses, devices, policy, event store, alarm transmission, local I/O, control socket.

Latency path of a panic press (the life-safety path):
  poll response decoded (t0) -> change -> policy step() (pure, in the same call) -> commands
  submitted to every bus's life-safety lane -> broadcast frame written (t1) -> mode read back per
  device, then the physical state (t2).
Nothing on that path waits for the disk: log entries go to one writer task that appends them to
the event store in order (SQLite WAL, synchronous=FULL), and the policy state is saved after every
decision that changed it, so kill -9 loses at most what was not yet decided.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from controller.bus.cycle import cycle_estimate_s
from controller.bus.gateway_link import make_link
from controller.bus.lanes import LanePeriods
from controller.bus.scheduler import BusScheduler
from controller.devices.model import Change, DeviceView
from controller.patrol.host_hook import PatrolHook
from controller.policy import PolicyState, Tick, step
from controller.policy.decision import AlarmReport, Decision
from controller.policy.inputs import DeviceRestore, DeviceTrouble, SmokeTestMode
from controller.service.actions import Actions
from controller.service.control_server import ControlServer
from controller.service.diag_relay import DiagRelay
from controller.service.dispatcher import Dispatcher, Trigger
from controller.service.host_locks import hold_host, release_all
from controller.service.identity_hookup import operator_store, sessions
from controller.service.maintenance import Maintenance
from controller.service.paths import StatePaths
from controller.service.permissions import secure_state_dir
from controller.service.policy_inputs import policy_event
from controller.service.ports import BusPort
from controller.service.reconcile import StartupReconciler
from controller.service.registry import Registry
from controller.service.startup_state import open_startup_state
from controller.service.status_extra import lockdown_status, pending_clear
from controller.service.status_truth import truthful_status
from controller.service.store_trouble import StoreTrouble
from controller.site.model import Site
from controller.store.errors import StoreUnavailable
from controller.store.writer import EventWriter
from protocols import events as E
from protocols import registers as R

_LOG = logging.getLogger(__name__)
TICK_S = 1.0


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def trigger_now(source: str) -> Trigger:
    return Trigger(source, time.monotonic(), utc_now().isoformat(timespec="milliseconds"))


class Host:
    def __init__(self, site: Site, paths: StatePaths, ports: dict[str, BusPort], *,
                 policy_clock: Callable[[], datetime] = utc_now, turnaround_s: float | None = None,
                 local_io_factory: Callable[[Host], Any] | None = None):
        self.site = site
        self.paths = paths
        self.policy_clock = policy_clock
        secure_state_dir(paths.root)  # umask 0o027, dir 0750: owner and group only
        # refused (LockHeld) before a byte is written when another host has the dir or a port
        self._locks = hold_host(paths.root, [p.port for p in ports.values()])
        opened = open_startup_state(paths)  # a damaged store or state is moved aside, never fatal
        self.store, self.state = opened.store, opened.state
        self.store_trouble = StoreTrouble(self, opened.problems)
        self.writer = EventWriter(self.store, self.store_trouble.changed)
        self.reconciler = StartupReconciler(self, opened.presses)
        self.registry = Registry(site, self._on_changes, self._desired_mode)
        self.maintenance = Maintenance(self)  # technicians' windows (diag maintenance)
        self.patrol = PatrolHook(site, policy_clock, self.log)
        self.schedulers: dict[str, BusScheduler] = {}
        for bus, port in ports.items():
            link = make_link(bus, port.port, port.baud, port.parity, port.stopbits, turnaround_s)
            self.schedulers[bus] = BusScheduler(
                link, self.registry.on_bus(bus), self, heartbeat_s=site.policy.heartbeat_s,
                periods=LanePeriods(smoke_s=site.policy.smoke_poll_s,
                                    barrier_idle_s=site.policy.barrier_idle_poll_s),
                comm_loss_s=float(site.policy.comm_loss_timeout_s))
        self.dispatcher = Dispatcher(self.registry, self.schedulers, self.log)
        self.dispatcher.desired_mode.update(self._modes_for(self.state))
        self._tasks: list[asyncio.Task] = []
        self._alarm_tasks: set[asyncio.Task] = set()
        self._offline_timers: dict[str, asyncio.TimerHandle] = {}
        self._troubled: set[str] = set()
        self._fault_timers: dict[str, asyncio.TimerHandle] = {}
        self._raised_faults: set[str] = set()
        self._buses_down: set[str] = set()
        self.alarm_service = None
        self.uplink = None  # controller/uplink: the campus uplink to the district, when [uplink]
        self.local_io = None
        self._local_io_factory = local_io_factory
        self.control = None
        self.started_mono = time.monotonic()
        self.operators = operator_store(self)  # the roster: who operators are (state dir)
        self.sessions = sessions()  # console sign-ins (in memory)
        self.actions = Actions(self)  # the one way a person or a guard-room input acts

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self.writer.run(), name="event-writer"))
        self.log(E.SERVICE_START, f"host started for {self.site.name} ({self.site.path}); "
                 f"mode {self.state.mode}", data={"mode": self.state.mode,
                                                  "buses": list(self.schedulers),
                                                  "timezone": self.site.timezone})
        self.store_trouble.startup_problems()
        if self.site.alarm.receivers:
            from controller.alarm.config import AlarmConfig
            from controller.alarm.service import AlarmService

            self.alarm_service = AlarmService(AlarmConfig.from_site(self.site), self.paths.alarm_outbox,
                                              log_event=self.log)
            self.reconciler.set_outbox_lookup(self.alarm_service.outbox.has_source)
            await self.alarm_service.start()
        if self.site.uplink is not None:
            from controller.uplink.service import start_for_host
            self.uplink = await start_for_host(self)
        if self._local_io_factory is not None:
            self.local_io = self._local_io_factory(self)
            if self.local_io is not None and self.local_io.key_switch_on() != self.state.key_switch:
                from controller.policy.inputs import KeySwitchOff, KeySwitchOn
                self.decide(KeySwitchOn() if self.local_io.key_switch_on() else KeySwitchOff(),
                            trigger_now("key_switch"))
        for scheduler in self.schedulers.values():
            await scheduler.start()
        self._tasks.append(asyncio.create_task(self._ticker(), name="policy-tick"))
        self.control = ControlServer(self)
        await self.control.start()
        self.diag = DiagRelay(self)  # `campusguard diag` through this host (DIR/diag.sock)
        await self.diag.start()
        self._update_siren()
        from controller.operations.host_link import start_operations
        self.operations = start_operations(self)

    async def stop(self) -> None:
        if self.control is not None:
            await self.control.stop()
        if getattr(self, "operations", None) is not None:
            await self.operations.close()
        if getattr(self, "diag", None) is not None:
            await self.diag.stop()
        self.maintenance.close()
        for task in self._tasks[1:]:
            task.cancel()
        for scheduler in self.schedulers.values():
            await scheduler.close()  # fails what is still queued (a bus that never came up)
        await self.dispatcher.drain()
        for timer in [*self._offline_timers.values(), *self._fault_timers.values()]:
            timer.cancel()
        if self._alarm_tasks:  # let queued reports reach the durable outbox first
            await asyncio.wait(list(self._alarm_tasks), timeout=5)
        if self.alarm_service is not None:
            await self.alarm_service.stop()
        if self.local_io is not None:
            self.local_io.close()
        self.log(E.SERVICE_STOP, "host stopped", data={"mode": self.state.mode})
        with contextlib.suppress(StoreUnavailable, asyncio.TimeoutError):  # said in _LOG, status
            await asyncio.wait_for(self.flush(), 5.0)
        if self.uplink is not None:
            await self.uplink.stop()
        self._tasks[0].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._tasks[0]
        self.store.close()
        release_all(self._locks)

    # ------------------------------------------------------------------ event log
    def log(self, kind: str, message: str, *, device: str | None = None, zone: str | None = None,
            drill: bool = False, data: dict | None = None, user: str | None = None,
            role: str | None = None, reason: str | None = None) -> None:
        """Queue one event for the store (kept in memory, in order, until it is durable)."""
        self.writer.event(dict(kind=kind, message=message, device=device, zone=zone, drill=drill,
                               data=data or {}, user=user, role=role, reason=reason))

    async def flush(self) -> None:
        """Returns once everything logged so far is durable in the store; raises
        controller.store.errors.StoreUnavailable (what failed, the fix) when it cannot be."""
        await self.writer.flush()

    # ------------------------------------------------------------------ policy
    def decide(self, event: Any, trigger: Trigger, change: Change | None = None) -> Decision | None:
        try:
            decision = step(self.site, self.state, event, self.policy_clock())
        except Exception as exc:
            _LOG.exception("policy step failed")
            self.log(E.POLICY_DECISION, f"policy failed on {type(event).__name__}: {exc!r}",
                     data={"error": repr(exc)})
            if change is not None:
                self._log_change(change)
            return None
        changed = decision.state != self.state
        self.state = decision.state
        for command in decision.commands:
            self.dispatcher.execute(command, trigger)
        timing = {k: v for k, v in (change.data if change else {}).items() if k != "t0_mono"}
        for entry in decision.log:
            data = dict(entry.data)
            if change is not None and entry.kind == change.kind and entry.device == change.device:
                data.update(timing)
            self.log(entry.kind, entry.message, device=entry.device, zone=entry.zone,
                     drill=entry.drill, data=data, user=data.get("user"), role=data.get("role"),
                     reason=data.get("reason"))
        if change is not None and not decision.log:
            self._log_change(change)
        if changed:
            self.writer.state(self.state.to_json())
            self._update_siren()
        for report in decision.alarms:
            self._alarm(report)
        return decision

    def _log_change(self, change: Change) -> None:
        data = {k: v for k, v in change.data.items() if k != "t0_mono"}
        self.log(change.kind, change.message, device=change.device, zone=change.zone, data=data)

    def _alarm(self, report: AlarmReport) -> None:
        data = {"report": report.kind, "zone": report.zone, "device": report.device,
                "drill": report.drill, "restore": report.restore, "user": report.user}
        if self.alarm_service is None:
            self.log(E.ALARM_QUEUED, f"{'TEST ' if report.drill else ''}report {report.kind}"
                     f"{' restore' if report.restore else ''}: no alarm receiver configured in "
                     f"{self.site.path}, kept in this log only", device=report.device,
                     zone=report.zone, drill=report.drill, data=data)
            return
        task = asyncio.create_task(self.store_trouble.submit_alarm(report))
        self._alarm_tasks.add(task)
        task.add_done_callback(self._alarm_tasks.discard)

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self.decide(Tick(), trigger_now("tick"))
            self.patrol.tick()

    def _update_siren(self) -> None:
        if self.local_io is not None:  # a failing store is trouble the guard room must hear
            self.local_io.set_siren(self.state.mode != "normal" or not self.writer.health.ok)

    # ------------------------------------------------------------------ devices
    def _desired_mode(self, name: str) -> int | None:
        return self.dispatcher.desired_mode.get(name)

    def _modes_for(self, state: PolicyState) -> dict[str, int]:
        """Mode each device should hold after a restart, from the saved policy state."""
        out = {}
        for dev in self.site.devices:
            if not dev.role:
                continue
            zones = state.zones(self.site)
            zone_mode = zones.get(dev.zone, "normal")
            out[dev.name] = {"fire": R.MODE_FIRE, "lockdown": R.MODE_LOCKDOWN}.get(zone_mode, R.MODE_NORMAL)
        return out

    def _on_changes(self, view: DeviceView, changes: tuple[Change, ...]) -> None:
        changes = self.reconciler.filter(view, changes)  # first sight after start: evidence
        for change in changes:
            if change.kind == E.DEVICE_STATE:
                self._log_change(change)
                self.dispatcher.state_changed(view.name, view.state)
                if view.role == "smoke" and view.state == "test":  # a self-test reached it
                    self.decide(SmokeTestMode(view.name), trigger_now("selftest"))
                continue
            if self._debounced_fault(view, change) or self.patrol.on_change(change):
                continue
            event = policy_event(change, view)
            if event is None:
                self._log_change(change)
                continue
            trigger = Trigger(change.kind, change.data.get("t0_mono", time.monotonic()),
                              change.data.get("t0", ""))
            self.decide(event, trigger, change)

    def _debounced_fault(self, view: DeviceView, change: Change) -> bool:
        """A plain device fault becomes trouble only after policy.trouble_after_s (a fault that
        clears sooner is in the device's own fault log); tamper and monitoring act at once."""
        fault = change.data.get("fault")
        key = f"{view.name}/{fault}"
        if change.kind == E.TROUBLE_FAULT:
            def still_there() -> None:
                self._fault_timers.pop(key, None)
                current = self.registry.view(view.name)
                if current is not None and fault in current.faults:
                    self._raised_faults.add(key)
                    self._on_changes(current, (change,))
            if key in self._raised_faults:
                return False  # the timer fired and the fault is still there: to the policy
            if key in self._fault_timers:
                return True
            self._fault_timers[key] = asyncio.get_running_loop().call_later(
                float(self.site.policy.trouble_after_s), still_there)
            return True
        if change.kind == E.TROUBLE_RESTORE and change.data.get("restored") == E.TROUBLE_FAULT:
            timer = self._fault_timers.pop(key, None)
            if timer is not None:
                timer.cancel()
                return True
            self._raised_faults.discard(key)
        return False

    # BusListener
    def device_online(self, bus: str, device: str) -> None:
        obj = self.registry.devices[device]
        obj.set_online(True)
        timer = self._offline_timers.pop(device, None)
        if timer is not None:
            timer.cancel()
        self.log(E.DEVICE_ONLINE, f"{device} online on {bus} (unit {obj.unit}), provisioned",
                 device=device, zone=obj.setup.zone, data={"bus": bus, "unit": obj.unit})
        if device in self._troubled:
            self._troubled.discard(device)
            self.decide(DeviceRestore(device, "offline", f"answering on {bus} again"),
                        trigger_now("device.online"))

    def device_offline(self, bus: str, device: str, reason: str) -> None:
        obj = self.registry.devices[device]
        obj.set_online(False)
        # the scheduler's evidence rule (controller/bus/health.py) is the debounce of offline:
        # trouble at once; trouble_after_s debounces device-reported faults only
        delay = 0.0

        def still_offline() -> None:
            self._offline_timers.pop(device, None)
            if self.maintenance.holds(device):
                return  # the technician has it; the window's end looks again
            if self.schedulers[bus].health[device].online is False:
                self._troubled.add(device)
                self.decide(DeviceTrouble(device, "offline", reason), trigger_now("device.offline"))

        self._offline_timers[device] = asyncio.get_running_loop().call_later(delay, still_offline)

    def bus_state(self, bus: str, up: bool, reason: str) -> None:
        if not up and bus not in self._buses_down:
            self._buses_down.add(bus)
            self.decide(DeviceTrouble(bus, "bus", reason), trigger_now("bus.down"))
        elif up and bus in self._buses_down:
            self._buses_down.discard(bus)
            self.decide(DeviceRestore(bus, "bus", reason), trigger_now("bus.up"))

    # ------------------------------------------------------------------ status
    def status(self) -> dict[str, Any]:
        buses = {}
        for name, scheduler in self.schedulers.items():
            stats = scheduler.stats
            buses[name] = {
                "port": scheduler.link.port, "baud": scheduler.link.baud, "up": bool(scheduler.bus_up),
                "cycle_ms": round(stats.last_cycle_s * 1000, 1),
                "max_cycle_ms": round(stats.max_cycle_s * 1000, 1),
                "estimated_cycle_ms": round(cycle_estimate_s(scheduler) * 1000, 1),
                "cycles": stats.cycles, "transactions": stats.transactions,
                "failures": stats.failures, "reopens": stats.reopens,
                "fillers": dict(stats.fillers),  # filler slots taken per lane (bus/scheduler.py)
                "line_error_pct": round(scheduler.line.error_rate * 100, 1),  # bus/health.py
            }
        return truthful_status(self.state, self.site, self.maintenance, {
            "site": self.site.name,
            "mode": self.state.mode,
            "zones": self.state.zones(self.site),
            "devices": [v.as_status() for v in self.registry.views()],
            "buses": buses,
            "lockdowns": [lockdown_status(self.site, ld) for ld in self.state.lockdowns],
            "pending_clear": pending_clear(self.site, self.state),
            "drill": None if self.state.drill is None else self.state.drill.kind,
            "alarm": self.alarm_service.status() if self.alarm_service is not None else None,
            "store": self.store_trouble.status(),
            "uplink": self.uplink.status() if self.uplink is not None else None,
        })
