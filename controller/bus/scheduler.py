"""The per-bus priority scheduler: one worker owns the line, one transaction at a time.

A *priority cycle* is: every polled alarm device (panic, input module, smoke) once, then one
barrier (gate/bollard, round robin), then one diagnostics slot (re-probe an offline device, a
queued technician job, or a due heartbeat). Life-safety jobs are taken before every step of the
cycle, so a command waits for at most the transaction already on the wire. A press is therefore
seen within one cycle; cycle_estimate_s() computes it per bus and `stats` measures it.

A device whose transaction failed is *suspect*: it is polled every cycle (barriers too) and
retried at once, until it answers or the run of failures is evidence of a dead device
(health.py: the run spans >= 1 s and is longer than noise on this line can explain). Offline
devices are skipped by the cycle and re-probed in the diagnostics slot with back-off
(HealthPolicy): a dead device costs at most one short timeout per re-probe period.
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
from controller.bus.lanes import Lane
from controller.bus.link import BusLink

Job = Callable[[BusLink], Awaitable[Any]]
_LOG = logging.getLogger(__name__)


class BusDevice(Protocol):
    """What the scheduler needs of a device: controller/devices/ implements it."""

    name: str
    unit: int
    lane: Lane  # ALARM_POLL or BARRIER_POLL

    async def poll(self, link: BusLink) -> None: ...

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


@dataclass(order=True)
class _Queued:
    lane: int
    seq: int
    job: Job = None  # type: ignore[assignment]
    future: asyncio.Future = None  # type: ignore[assignment]


class BusScheduler:
    def __init__(self, link: BusLink, devices: Sequence[BusDevice], listener: BusListener,
                 heartbeat_s: float = 5.0, health: HealthPolicy | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.link = link
        self.name = link.name
        self.devices = list(devices)
        self.listener = listener
        self.heartbeat_s = heartbeat_s
        self.clock = clock
        policy = health or HealthPolicy()
        self.line = LineQuality(policy)  # the line's failure rate: how many failures mean dead
        self.health = {d.name: DeviceHealth(policy, self.line) for d in self.devices}
        self._last_heartbeat = {d.name: 0.0 for d in self.devices}
        self._queue: list[_Queued] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._barrier_turn = 0
        self._task: asyncio.Task | None = None
        self.bus_up: bool | None = None
        self.stats = BusStats()
        self._closed = False

    # ------------------------------------------------------------------ public
    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"bus-{self.name}")

    async def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
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

    def is_online(self, device: str) -> bool:
        return self.health[device].online is True

    # ------------------------------------------------------------------ worker
    async def _run(self) -> None:
        while True:
            if not self.link.is_open:
                await self._reopen()
                continue
            try:
                await self._one_cycle()
            except BusUnavailable as exc:
                self._set_bus(False, str(exc))
                self.link.close()

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
            # a barrier in a failure run is polled every cycle too, so a dead one is found as fast
            if device.lane == Lane.ALARM_POLL and health.polled or health.suspect:
                await self._run_life_safety()
                await self._poll(device)
                if self.health[device.name].suspect:  # retried at once: a lost frame costs one
                    await self._run_life_safety()    # timeout, a dead device is found sooner
                    await self._poll(device)
                did_work = True
        await self._run_life_safety()
        barrier = self._next_barrier()
        if barrier is not None and not self.health[barrier.name].suspect:  # polled above
            await self._poll(barrier)
            did_work = True
        await self._run_life_safety()
        did_work = await self._diagnostics_slot() or did_work
        elapsed = self.clock() - started
        self.stats.cycles += 1
        self.stats.last_cycle_s = elapsed
        self.stats.max_cycle_s = max(self.stats.max_cycle_s, elapsed)
        if not did_work:
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=0.05)
            except asyncio.TimeoutError:
                pass

    def _next_barrier(self) -> BusDevice | None:
        barriers = [d for d in self.devices if d.lane == Lane.BARRIER_POLL]
        for _ in range(len(barriers)):
            device = barriers[self._barrier_turn % len(barriers)]
            self._barrier_turn += 1
            if self.health[device.name].polled:
                return device
        return None

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

    async def _diagnostics_slot(self) -> bool:
        now = self.clock()
        for device in self.devices:
            if self.health[device.name].probe_due(now):
                await self._poll(device)
                return True
        if self._queue:
            await self._run_queued(heapq.heappop(self._queue))
            return True
        # the most overdue heartbeat first; one that failed stays due (retried next cycle), so a
        # garbled frame never stretches a device's heartbeat gap towards its comm-loss timeout
        due = [d for d in self.devices if self.health[d.name].online
               and now - self._last_heartbeat[d.name] >= self.heartbeat_s]
        if due:
            device = min(due, key=lambda d: self._last_heartbeat[d.name])
            await self._guarded(device, device.heartbeat)
            if self.health[device.name].failures == 0:
                self._last_heartbeat[device.name] = now
            return True
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
        except BusError as exc:
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
            self._last_heartbeat[device.name] = self.clock()
        if health.success():
            self.listener.device_online(self.name, device.name)
