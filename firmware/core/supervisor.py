# Feeds the hardware watchdog only while every safety task has checked in within its own period:
# a task that hangs or dies stops the feeding and the watchdog resets the board.
import asyncio

from core.ticks import ticks_diff, ticks_ms

_CHECK_MS = 500  # well inside the 2 s watchdog; a stalled task is judged by its own limit


class Supervisor:
    def __init__(self, watchdog):
        self.watchdog = watchdog
        self.names = []
        self.limits = []
        self.seen = []

    def register(self, name, max_gap_ms):
        """A callable the task named name calls each time round its loop."""
        index = len(self.names)
        self.names.append(name)
        self.limits.append(max_gap_ms)
        self.seen.append(ticks_ms())

        def alive():
            self.seen[index] = ticks_ms()

        return alive

    def stalled(self):
        now = ticks_ms()
        for i in range(len(self.names)):
            if ticks_diff(now, self.seen[i]) > self.limits[i]:
                return self.names[i]
        return None

    async def run(self):
        while True:
            if self.stalled() is None:
                self.watchdog.feed()
            await asyncio.sleep_ms(_CHECK_MS)
