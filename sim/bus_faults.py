"""What can go wrong on an RS-485 line, and the counters that show it happened."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BusFaults:
    corrupt_rate: float = 0.0  # probability that a character has one bit flipped on the way
    drop_rate: float = 0.0  # probability that a character is lost (receivers see nothing)
    noise_rate: float = 0.0  # fraction of line time taken by random noise bursts (EMI)
    latency_s: float = 0.0  # added delay on every delivery (repeaters, converters)


@dataclass(frozen=True)
class BusCounters:
    frames: int = 0  # transmissions: a talker starting a new burst of characters (noise excluded)
    bytes: int = 0  # characters put on the wire by devices and the host (noise excluded)
    collisions: int = 0  # times two talkers overlapped on the line
    corrupted_bytes: int = 0  # characters delivered with different bits than were sent
    dropped_bytes: int = 0  # characters lost on the line
    noise_bytes: int = 0  # characters of noise bursts
    early_replies: int = (
        0  # device transmissions that began less than t3.5 after the last char heard
    )
    host_early_requests: int = (
        0  # the same for the host (masters must keep t3.5 between frames too)
    )
    cut_bytes: int = 0  # characters sent by a drop cut off the line (nobody heard them)
    host_overruns: int = 0  # characters the host side could not take (its pty buffer was full)
    host_baud_mismatch_bytes: int = 0  # characters garbled because the host's port was set to
    # another speed than the bus runs at (both directions)

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)
