"""The per-bus priority scheduler: one worker owns the line, one transaction at a time.

A *priority cycle* is: every hold-up device (panic stations, panic input modules) once with the
minimal read, then ONE filler slot. Life-safety jobs (lockdown/fire commands and their
verification) are taken before every step, so a command waits for at most the transaction already
on the wire. The time to see a press is therefore one poll of each hold-up device on the bus plus
one filler: it grows with the number of panic stations, never with smoke detectors or barriers.

The filler slot takes the periodic item most overdue relative to its period (lanes.py):
  SMOKE        each smoke detector every LanePeriods.smoke_s (site [policy] smoke_poll_s)
  BARRIER      a barrier moving or commanded-not-confirmed every barrier_moving_s (0.2 s), else
               every barrier_idle_s (site [policy] barrier_idle_poll_s)
  heartbeat    each online device every heartbeat_s
A heartbeat gap past half the devices' comm-loss timeout goes first (a device in comm loss runs
its fallback). Only when none is due, DIAGNOSTICS: re-probing offline devices, queued technician jobs,
periodic audits. An overloaded bus stretches every period in proportion, starving none (a smoke
lane that took every slot once left devices without heartbeats, in comm loss). cycle.py computes
the cycle; `stats` measures it and counts the filler slots per lane.

A device whose transaction failed is *suspect*: it is polled every cycle (whatever its lane) and
retried at once, until it answers or the run of failures is evidence of a dead device
(health.py: the run spans >= 1 s and is longer than noise on this line can explain). Offline
devices are skipped and re-probed in the diagnostics lane with back-off (HealthPolicy): a dead
device costs at most one short timeout per re-probe period.
A vanished port (USB adapter pulled) is closed and reopened with back-off; queued jobs wait.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from controller.bus.errors import BusError, BusUnavailable
from controller.bus.health import DeviceHealth, HealthPolicy, LineQuality
from controller.bus.lanes import Lane, LanePeriods
from controller.bus.link import BusLink

Job = Callable[[BusLink], Awaitable[Any]]
_LOG = logging.getLogger(__name__)


class BusDevice(Protocol):
    """What the scheduler needs of a device: controller/devices/ implements it."""

    name: str
    unit: int
    lane: Lane  # HOLDUP, SMOKE or BARRIER

    async def poll(self, link: BusLink) -> None: ...
    # optional: `async def audit(link)` (full read, periodic), `wants_fast_poll` (barrier moving)

    async def provision(self, link: BusLink) -> None: ...

    async def heartbeat(self, link: BusLink) -> None: ...


class BusListener(Protocol):
    def device_online(self, bus: str, device: str) -> None: ...

    def device_offline(self, bus: str, device: str, reason: str) -> None: ...

    def bus_state(self, bus: str, up: bool, reason: str) -> None: ...


@dataclass
class BusStats:
    cycles: int = 0
    last_cycle_s: float = 0.0
    max_cycle_s: float = 0.0
    transactions: int = 0
    failures: int = 0
    reopens: int = 0
    fillers: dict = None  # type: ignore[assignment]  # lane name -> filler slots it took

    def __post_init__(self) -> None:
        if self.fillers is None:
            self.fillers = {}


@dataclass(order=True)
class _Queued:
    lane: int
    seq: int
    job: Job = None  # type: ignore[assignment]
    future: asyncio.Future = None  # type: ignore[assignment]


class BusScheduler:
    def __init__(self, link: BusLink, devices: Sequence[BusDevice], listener: BusListener,
                 heartbeat_s: float = 5.0, health: HealthPolicy | None = None,
                 clock: Callable[[], float] = time.monotonic, periods: LanePeriods | None = None,
                 comm_loss_s: float = 30.0):
        self.link = link
        self.name = link.name
        self.devices = list(devices)
        self.listener = listener
        self.heartbeat_s = heartbeat_s
        self.clock = clock
        policy = health or HealthPolicy()
        self.line = LineQuality(policy)  # the line's failure rate: how many failures mean dead
        self.line.devices = len(self.devices)
        self.health = {d.name: DeviceHealth(policy, self.line, d.name) for d in self.devices}
        self.periods = periods or LanePeriods()
        # a heartbeat gap past half the devices' comm-loss timeout goes before anything periodic
        self.heartbeat_deadline_s = max(comm_loss_s / 2, heartbeat_s) if comm_loss_s else float("inf")
        self._last_heartbeat = {d.name: 0.0 for d in self.devices}
        self._last_poll = {d.name: float("-inf") for d in self.devices}  # filler lanes' polls
        self._last_audit = {d.name: 0.0 for d in self.devices}
        self._queue: list[_Queued] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.bus_up: bool | None = None
        self.stats = BusStats()
        self._closed = False

    # ------------------------------------------------------------------ public
    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"bus-{self.name}")

    async def close(self) -> None:
        self._closed = True
        task, self._task = self._task, None
        # A cancel can be lost inside a library await that completes at the same moment
        # (asyncio.wait_for on 3.11): cancel again until the worker has ended, never hang here.
        while task is not None and not task.done():
            task.cancel()
            self._wake.set()
            await asyncio.wait([task], timeout=1.0)
        for item in self._queue:
            if not item.future.done():
                item.future.cancel()
        self._queue.clear()
        self.link.close()

    def submit(self, job: Job, lane: Lane = Lane.LIFE_SAFETY) -> asyncio.Future:
        """Queue job (a coroutine function taking the link); the future gets its result/exception."""
        future = asyncio.get_running_loop().create_future()
        if self._closed:
            future.set_exception(BusUnavailable(f"bus {self.name!r} is closed (host stopping)"))
            return future
        heapq.heappush(self._queue, _Queued(int(lane), next(self._seq), job, future))
        self._wake.set()
        return future

    @property
    def queued(self) -> int:
        """Jobs waiting for the line (life-safety and diagnostics)."""
        return sum(1 for item in self._queue if not item.future.done())

    def is_online(self, device: str) -> bool:
        return self.health[device].online is True

    # ------------------------------------------------------------------ worker
    async def _run(self) -> None:
        while not self._closed:
            if not self.link.is_open:
                await self._reopen()
                continue
            try:
                await self._one_cycle()
            except BusUnavailable as exc:
                self._set_bus(False, str(exc))
                self.link.close()
            except asyncio.CancelledError:
                raise
            except Exception:  # never let the worker die: a bus without it is polled by no one
                _LOG.exception("bus %s: unexpected error in the poll cycle; polling goes on", self.name)
                self.stats.failures += 1
                await asyncio.sleep(0.05)

    async def _reopen(self) -> None:
        delay = 0.2
        while True:
            try:
                await self.link.open()
            except BusUnavailable as exc:
                self._set_bus(False, str(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            if self.bus_up is False:
                self.stats.reopens += 1
            self._set_bus(True, f"port {self.link.port} open")
            return

    def _set_bus(self, up: bool, reason: str) -> None:
        if self.bus_up != up:
            self.bus_up = up
            self.listener.bus_state(self.name, up, reason)

    async def _one_cycle(self) -> None:
        started = self.clock()
        did_work = False
        for device in self.devices:
            health = self.health[device.name]
            # a device in a failure run is polled every cycle too, so a dead one is found as fast
            if device.lane == Lane.HOLDUP and health.polled or health.suspect:
                await self._run_life_safety()
                await self._poll(device)
                if self.health[device.name].suspect:  # retried at once: a lost frame costs one
                    await self._run_life_safety()    # timeout, a dead device is found sooner
                    await self._poll(device)
                did_work = True
        await self._run_life_safety()
        did_work = await self._filler_slot() or did_work
        elapsed = self.clock() - started
        self.stats.cycles += 1
        self.stats.last_cycle_s = elapsed
        self.stats.max_cycle_s = max(self.stats.max_cycle_s, elapsed)
        if not did_work:
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=0.01)
            except asyncio.TimeoutError:
                pass

    def _poll_period(self, device: BusDevice) -> float:
        if device.lane == Lane.SMOKE:
            return self.periods.smoke_s
        if getattr(device, "wants_fast_poll", False):
            return self.periods.barrier_moving_s
        return self.periods.barrier_idle_s

    def _most_overdue(self, now: float):
        """(lane name, device) of the periodic item most overdue relative to its period, or None.

        Smoke polls, barrier polls and heartbeats share the filler slot by lateness/period: on a
        bus with room every item keeps its period; on an overloaded one every period stretches in
        proportion (smoke at 2 s and heartbeats at 5 s both double) and none starves, so no
        device falls into comm loss because smoke detectors took every slot."""
        best, best_score = None, 1.0
        for device in self.devices:
            health = self.health[device.name]
            if device.lane in (Lane.SMOKE, Lane.BARRIER) and health.polled:
                period = self._poll_period(device)
                score = (now - self._last_poll[device.name]) / period
                lane = "smoke" if device.lane == Lane.SMOKE else "barrier"
                # ties (first contact: both infinite) go to the lower lane
                if score > best_score or (best is not None and score == best_score
                                          and device.lane < best[1].lane):
                    best, best_score = (lane, device), score
            if health.online:
                score = (now - self._last_heartbeat[device.name]) / self.heartbeat_s
                if score > best_score:
                    best, best_score = ("heartbeat", device), score
        return best

    async def _filler_slot(self) -> bool:
        """One transaction (one device poll) of the slower lanes; True when one ran."""
        now = self.clock()
        urgent = [d for d in self.devices if self.health[d.name].online
                  and now - self._last_heartbeat[d.name] >= self.heartbeat_deadline_s]
        if urgent:
            device = min(urgent, key=lambda d: self._last_heartbeat[d.name])
            return await self._filler("heartbeat", device, self._heartbeat)
        item = self._most_overdue(now)
        if item is None:
            return await self._diagnostics_slot(now)
        lane, device = item
        return await self._filler(lane, device, self._heartbeat if lane == "heartbeat" else self._timed_poll)

    async def _filler(self, lane: str, device: BusDevice, run) -> bool:
        self.stats.fillers[lane] = self.stats.fillers.get(lane, 0) + 1
        await run(device)
        return True

    async def _timed_poll(self, device: BusDevice) -> None:
        self._last_poll[device.name] = self.clock()
        await self._poll(device)

    async def _heartbeat(self, device: BusDevice) -> None:
        # one that failed stays due (retried next slot), so a garbled frame never stretches a
        # device's heartbeat gap towards its comm-loss timeout
        now = self.clock()
        await self._guarded(device, device.heartbeat)
        if self.health[device.name].failures == 0:
            self._last_heartbeat[device.name] = now

    async def _run_life_safety(self) -> None:
        while self._queue and self._queue[0].lane == Lane.LIFE_SAFETY:
            await self._run_queued(heapq.heappop(self._queue))

    async def _run_queued(self, item: _Queued) -> None:
        if item.future.done():
            return
        try:
            result = await item.job(self.link)
        except BusUnavailable:
            heapq.heappush(self._queue, item)  # keep it: it runs once the port is back
            raise
        except Exception as exc:  # the caller gets it; the worker keeps the bus
            if not item.future.done():
                item.future.set_exception(exc)
            return
        if not item.future.done():
            item.future.set_result(result)

    async def _diagnostics_slot(self, now: float) -> bool:
        for device in self.devices:
            if self.health[device.name].probe_due(now):
                return await self._filler("probe", device, self._poll)
        if self._queue:
            self.stats.fillers["job"] = self.stats.fillers.get("job", 0) + 1
            await self._run_queued(heapq.heappop(self._queue))
            return True
        audits = [d for d in self.devices if self.health[d.name].online and hasattr(d, "audit")
                  and now - self._last_audit[d.name] >= self.periods.audit_s]
        if audits:
            device = min(audits, key=lambda d: self._last_audit[d.name])
            self._last_audit[device.name] = now
            return await self._filler("audit", device, lambda d: self._guarded(d, d.audit))
        return False

    async def _poll(self, device: BusDevice) -> None:
        await self._guarded(device, device.poll)

    async def _guarded(self, device: BusDevice, action: Callable[[BusLink], Awaitable[None]]) -> None:
        health = self.health[device.name]
        self.stats.transactions += 1
        try:
            await action(self.link)
        except BusUnavailable:
            raise
        except (BusError, ValueError, AttributeError, IndexError, KeyError) as exc:
            # BusError, or a reply that decoded to something else than what was asked (a garbled
            # frame that passed its CRC): a failed transaction of this device either way
            _LOG.debug("%s: %s: %s", self.name, device.name, exc)
            self.stats.failures += 1
            if health.failure(self.clock()):
                self.listener.device_offline(self.name, device.name, str(exc))
            return
        if health.online is not True:
            try:
                await device.provision(self.link)
            except BusUnavailable:
                raise
            except BusError as exc:
                _LOG.debug("%s: %s: provisioning: %s", self.name, device.name, exc)
                self.stats.failures += 1
                if health.failure(self.clock()):
                    self.listener.device_offline(self.name, device.name, str(exc))
                return
            self._last_heartbeat[device.name] = self._last_audit[device.name] = self.clock()
        self.line.last_answer_at = self.clock()
        if health.success():
            self.listener.device_online(self.name, device.name)
