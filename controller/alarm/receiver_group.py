"""One receiver group (police ARC, education platform, ...): its paths in order (primary first,
then backups, EN 50136 dual path), their up/down state, and the wake-up of its delivery loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from controller.alarm.path_state import PathTracker
from controller.alarm.transmitter import ReceiverTransmitter


@dataclass
class ReceiverGroup:
    name: str  # "police", "education", ...
    transmitters: list[ReceiverTransmitter]  # primary first, then backups
    paths: PathTracker  # up/down of each transmitter, same order
    wake: asyncio.Event = field(default_factory=asyncio.Event)  # new alarm or a path came back

    def status(self, queued: int | None, last_ack: str | None) -> dict:
        """{"path": up|down|unknown, "queued", "last_ack", "receivers": [...]}."""
        acks = [p.last_ack for p in self.paths.paths if p.last_ack]
        return {
            "path": self.paths.summary,
            "queued": queued,
            "last_ack": max(acks, default=None) or last_ack,
            "receivers": [
                {
                    "name": path.name, "group": self.name, "up": path.up,
                    "last_error": path.last_error, "last_ack": path.last_ack,
                    "clock_offset_s": transmitter.clock_offset.total_seconds(),
                }
                for path, transmitter in zip(self.paths.paths, self.transmitters, strict=True)
            ],
        }
