"""What the host saw on a bus: every request, answer and failure, counted per unit and kept for the
session (a file per port) so `campusguard diag bus` can report error rates across commands."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field

COUNTER_NAMES = ("requests", "answers", "timeouts", "crc_errors", "frame_errors", "exceptions",
                 "wrong_unit", "stray_bytes")


@dataclass
class BusCounters:
    """Mutable tally; one per unit plus a total. Rates are per request."""

    requests: int = 0  # frames sent that expected an answer
    answers: int = 0  # valid answers (normal or exception)
    timeouts: int = 0  # no byte at all before the deadline
    crc_errors: int = 0  # a frame arrived with a bad CRC (noise, collision, wrong baud)
    frame_errors: int = 0  # bytes arrived that were not a frame (truncated, unknown function)
    exceptions: int = 0  # the device refused with a Modbus exception
    wrong_unit: int = 0  # a valid frame from another unit than asked
    stray_bytes: int = 0  # bytes found on the line before sending (late answers, noise)

    def add(self, other: BusCounters) -> None:
        for name in COUNTER_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def rates(self) -> dict:
        n = max(self.requests, 1)
        return {
            "timeout_rate": round(self.timeouts / n, 4),
            "crc_error_rate": round(self.crc_errors / n, 4),
            "exception_rate": round(self.exceptions / n, 4),
            "error_rate": round((self.timeouts + self.crc_errors + self.frame_errors
                                 + self.wrong_unit) / n, 4),
        }


@dataclass
class SessionStats:
    """Counters for one port: total and per unit."""

    port: str
    # which device node is behind the port name: a pty or USB adapter made anew (a new simulator,
    # a replugged adapter) is a new line, whose counts must not mix with an earlier user's
    instance: str = ""
    started: float = field(default_factory=time.time)  # when this session's counting began
    total: BusCounters = field(default_factory=BusCounters)
    units: dict[int, BusCounters] = field(default_factory=dict)

    def unit(self, unit: int) -> BusCounters:
        if unit not in self.units:
            self.units[unit] = BusCounters()
        return self.units[unit]

    def count(self, unit: int, name: str, n: int = 1) -> None:
        setattr(self.total, name, getattr(self.total, name) + n)
        counters = self.unit(unit)
        setattr(counters, name, getattr(counters, name) + n)

    def as_dict(self) -> dict:
        return {
            "port": self.port,
            "instance": self.instance,
            "started": self.started,
            "total": {**asdict(self.total), **self.total.rates()},
            "units": {str(u): {**asdict(c), **c.rates()} for u, c in sorted(self.units.items())},
        }


def port_instance(port: str) -> str:
    """Identity of the device node behind a port path (device number, inode, creation time);
    "" for a URL or a path that is not there."""
    if "://" in port:
        return ""
    try:
        st = os.stat(port)
    except OSError:
        return ""
    return "%d:%d:%d" % (st.st_rdev, st.st_ino, st.st_ctime_ns)


def default_session_dir() -> str:
    """$CAMPUSGUARD_DIAG_SESSION, else a per-user directory under the runtime/temp dir."""
    env = os.environ.get("CAMPUSGUARD_DIAG_SESSION")
    if env:
        return env
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    return os.path.join(base, "campusguard-diag-%d" % os.getuid())


def _session_file(session_dir: str, port: str) -> str:
    return os.path.join(session_dir, re.sub(r"[^A-Za-z0-9_.-]", "_", port) + ".json")


def load_session(session_dir: str, port: str, instance: str | None = None) -> SessionStats:
    """The counts kept for port; a fresh session when they were counted on another device node
    behind the same name (instance given and different)."""
    stats = SessionStats(port=port, instance=instance or "")
    try:
        with open(_session_file(session_dir, port)) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return stats
    if instance is not None and data.get("instance", "") != instance:
        return stats
    stats.started = float(data.get("started", stats.started))
    stats.total = BusCounters(**{k: data["total"].get(k, 0) for k in COUNTER_NAMES})
    for unit, counters in data.get("units", {}).items():
        stats.units[int(unit)] = BusCounters(**{k: counters.get(k, 0) for k in COUNTER_NAMES})
    return stats


def save_session(session_dir: str, stats: SessionStats) -> None:
    """Add this command's counters to the session file (atomic replace)."""
    os.makedirs(session_dir, exist_ok=True)
    merged = load_session(session_dir, stats.port, stats.instance)
    merged.total.add(stats.total)
    for unit, counters in stats.units.items():
        merged.unit(unit).add(counters)
    path = _session_file(session_dir, stats.port)
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        json.dump(merged.as_dict(), f)
    os.replace(tmp, path)


def clear_session(session_dir: str, port: str) -> None:
    try:
        os.remove(_session_file(session_dir, port))
    except FileNotFoundError:
        pass
