"""Small real taps for bus tests: they record what they hear, with arrival times."""

from __future__ import annotations

import time


class RecordingTap:
    def __init__(self, name: str) -> None:
        self.name = name
        self.connected = True
        self.heard: list[tuple[float, bytes]] = []

    def deliver(self, data: bytes) -> None:
        self.heard.append((time.monotonic(), data))

    @property
    def data(self) -> bytes:
        return b"".join(chunk for _, chunk in self.heard)
