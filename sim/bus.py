"""A timed multi-drop RS-485 line.

Every drop (the host's pty, each device's UART socket, a third-party slave) is a tap. Whatever a tap
transmits occupies the line for its real wire time, 11 bits a character at the bus's baud, and is
heard by every other connected tap when its last bit has arrived. Deliveries are paced against a
monotonic clock with absolute deadlines: the delivery task sleeps until the release time of the
next character and then hands over every character already due, so characters travel in small
chunks whose release time is the wire time of their last byte (asyncio wakes at about 1 ms
resolution, which is the chunk size).

Firmware processes are fed differently (StreamTap.paced = False): each talker's burst arrives in
one piece at the wire time of its LAST character. The end of every frame is as timed as on the wire,
but a device process starved of CPU by a loaded host no longer mistakes the gap between two chunks
for the t3.5 silence that ends a frame (it did, and lost requests, on a 2-core host at load 14).
The host's pty is always paced character by character.

Two talkers whose characters overlap in time collide: the overlapping characters are garbled for
everyone and `collisions` counts it. A tap that starts talking less than t3.5 after the last
character it heard counts in `early_replies` (a device) or `host_early_requests` (the host's pty)
(Modbus over serial line V1.02 §2.5.1.1).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
import time
from dataclasses import replace
from typing import Callable, Protocol

from protocols import rtu
from sim.bus_faults import BusCounters, BusFaults

_MIN_NOISE_SLEEP_S = 0.001


class Tap(Protocol):
    """One drop on the line.

    A tap may set `paced = False` to be fed whole bursts instead of paced chunks: each talker's
    burst arrives in one piece at the wire time of its last character (see the module doc).
    """

    name: str
    connected: bool  # False: the drop is cut off the line (hears nothing, is not heard)

    def deliver(self, data: bytes) -> None:
        """Characters heard on the line, already paced to their wire time."""


class _NoiseSource:
    name = "noise"
    connected = True

    def deliver(self, data: bytes) -> None:
        pass


class TimedBus:
    def __init__(
        self,
        name: str,
        baud: int,
        parity: str = "N",
        stopbits: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        seed: int | None = None,
    ) -> None:
        self.name = name
        self.baud = baud
        self.parity = parity
        self.stopbits = stopbits
        self.char_s = rtu.char_time_us(baud) / 1e6
        self.t35_s = rtu.t35_us(baud) / 1e6
        self.faults = BusFaults()
        self._counters = BusCounters()
        self._clock = clock
        self._random = random.Random(seed)
        self._taps: list[Tap] = []
        self._noise = _NoiseSource()
        # pending characters: [release time, sequence, value, sender]; a list so a collision can
        # garble a character still on its way
        self._pending: list[list] = []
        self._sequence = itertools.count()
        self._tx_end: dict[int, float] = {}  # id(tap) -> wire end of its last character
        # characters held for burst-fed taps (paced = False) until the burst's last one is due
        self._held: dict[tuple[int, int], bytearray] = {}
        self._line_end = float("-inf")  # wire end of the last character anyone sent
        self._wake = asyncio.Event()
        self._noise_changed = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if not self._tasks:
            self._tasks.append(asyncio.get_running_loop().create_task(self._deliver_loop()))
            self._tasks.append(asyncio.get_running_loop().create_task(self._noise_loop()))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks.clear()

    def attach(self, tap: Tap) -> None:
        self._taps.append(tap)

    def detach(self, tap: Tap) -> None:
        if tap in self._taps:
            self._taps.remove(tap)

    @property
    def counters(self) -> BusCounters:
        return self._counters

    def set_faults(self, **changes: float) -> BusFaults:
        self.faults = replace(self.faults, **changes)
        self._noise_changed.set()
        return self.faults

    def reset_counters(self) -> None:
        self._counters = BusCounters()

    # ------------------------------------------------------------------ timing figures
    def wire_time_s(self, nbytes: int) -> float:
        return rtu.frame_time_us(nbytes, self.baud) / 1e6

    # ------------------------------------------------------------------ transmit
    def transmit(self, sender: Tap, data: bytes) -> None:
        """sender puts data on the line now (its UART sends the characters back to back)."""
        if not data:
            return
        counts = self._counters
        is_noise = sender is self._noise
        if not sender.connected:
            self._counters = replace(counts, cut_bytes=counts.cut_bytes + len(data))
            return
        now = self._clock()
        key = id(sender)
        own_end = self._tx_end.get(key, float("-inf"))
        start = max(now, own_end)
        frames, early, collisions = counts.frames, counts.early_replies, counts.collisions
        others_end = max(
            (end for k, end in self._tx_end.items() if k != key), default=float("-inf")
        )
        continuing = start <= own_end + self.char_s  # its UART is still sending this burst
        host_early = counts.host_early_requests
        if not is_noise and not continuing:
            frames += 1
            if others_end <= start < others_end + self.t35_s:
                if getattr(sender, "is_host", False):
                    host_early += 1
                else:
                    early += 1
        corrupted = dropped = 0
        if others_end > start:
            collisions += 1
            corrupted += self._garble_pending(sender, start)
        faults = self.faults
        latency = faults.latency_s
        end = start
        last = len(data) - 1
        for index, byte in enumerate(data):
            end = start + (index + 1) * self.char_s
            value: int | None = byte
            if others_end > end - self.char_s:  # overlaps another talker's character
                value = self._garbage(byte)
                corrupted += 1
            elif faults.corrupt_rate and self._random.random() < faults.corrupt_rate:
                value = byte ^ (1 << self._random.randrange(8))
                corrupted += 1
            if faults.drop_rate and self._random.random() < faults.drop_rate:
                dropped += 1
                value = None  # lost on the line; still ends the burst for burst-fed taps
                if index != last:
                    continue
            # [release time, sequence, value or None, sender, last character of this burst]
            heapq.heappush(
                self._pending, [end + latency, next(self._sequence), value, sender, index == last]
            )
        self._tx_end[key] = end
        self._line_end = max(self._line_end, end)
        sent = 0 if is_noise else len(data)
        noise = len(data) if is_noise else 0
        self._counters = replace(
            counts,
            frames=frames,
            bytes=counts.bytes + sent,
            noise_bytes=counts.noise_bytes + noise,
            collisions=collisions,
            early_replies=early,
            host_early_requests=host_early,
            corrupted_bytes=counts.corrupted_bytes + corrupted,
            dropped_bytes=counts.dropped_bytes + dropped,
        )
        self._wake.set()

    def burst(self, nbytes: int) -> None:
        """A burst of random noise on the line now (it garbles whatever it overlaps)."""
        self.transmit(self._noise, bytes(self._random.randrange(256) for _ in range(nbytes)))

    def note_host_overrun(self, nbytes: int) -> None:
        self._counters = replace(
            self._counters, host_overruns=self._counters.host_overruns + nbytes
        )

    def note_host_baud_mismatch(self, nbytes: int) -> None:
        self._counters = replace(
            self._counters,
            host_baud_mismatch_bytes=self._counters.host_baud_mismatch_bytes + nbytes,
        )

    def _garbage(self, value: int) -> int:
        return value ^ self._random.randrange(1, 256)

    def _garble_pending(self, sender: Tap, start: float) -> int:
        # characters of other talkers still on the wire after `start` are destroyed too
        garbled = 0
        latency = self.faults.latency_s
        for item in self._pending:
            if item[3] is not sender and item[0] - latency > start and item[2] is not None:
                item[2] = self._garbage(item[2])
                garbled += 1
        return garbled

    # ------------------------------------------------------------------ delivery
    async def _deliver_loop(self) -> None:
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            delay = self._pending[0][0] - self._clock()
            if delay > 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), delay)
                except TimeoutError:
                    pass
                continue
            self._release_due()

    def _release_due(self) -> None:
        now = self._clock()
        chunks: dict[int, tuple[Tap, bytearray]] = {}
        order: list[int] = []
        ended: list[Tap] = []
        while self._pending and self._pending[0][0] <= now:
            _, _, value, sender, burst_end = heapq.heappop(self._pending)
            key = id(sender)
            if key not in chunks:
                chunks[key] = (sender, bytearray())
                order.append(key)
            if value is not None:
                chunks[key][1].append(value)
            if burst_end:
                ended.append(sender)
        for key in order:
            sender, data = chunks[key]
            payload = bytes(data)
            for tap in self._taps:
                if tap is sender or not tap.connected:
                    continue
                if getattr(tap, "paced", True):
                    if payload:
                        tap.deliver(payload)
                else:
                    self._held.setdefault((id(tap), key), bytearray()).extend(payload)
        for sender in ended:
            key = id(sender)
            for tap in self._taps:
                held = self._held.pop((id(tap), key), None)
                if held and tap.connected and not getattr(tap, "paced", True):
                    tap.deliver(bytes(held))

    async def _noise_loop(self) -> None:
        mean_burst = 2.0
        while True:
            rate = self.faults.noise_rate
            if rate <= 0:
                self._noise_changed.clear()
                await self._noise_changed.wait()
                continue
            bursts_per_s = rate / (mean_burst * self.char_s)
            await asyncio.sleep(max(self._random.expovariate(bursts_per_s), _MIN_NOISE_SLEEP_S))
            if self.faults.noise_rate > 0:
                self.burst(self._random.randint(1, 3))
