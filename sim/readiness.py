"""Is every simulated device really on its bus? Ask each one, at its own unit, what it is.

A device process that booted (its sockets connected) may still be deaf at its unit: a flash
directory it cannot find, a config it rejected (it then answers at unit 247), a role it does not
run. `sim up` reports ready only when every device answers a read of `common.role` (FC 03,
register 0) at the unit the site gives it with the role the site gives it; a third-party device
answers its own profile (any reply from its unit, exception or not, proves it is there).

The probe is one more drop on the bus (like a technician's laptop on the line), used only while
the campus starts, before the host's pty has anyone on it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from protocols import registers, rtu
from protocols.crc import crc_ok
from sim.bus import TimedBus

_READ_HOLDING = 0x03
_ROLE_REGISTER = registers.address(registers.COMMON, "role")
_REPLY_WAIT_S = 0.3  # device turnaround on a loaded 2-core host, plus the wire time
_RETRY_PAUSE_S = 0.2


@dataclass(frozen=True)
class Expected:
    name: str  # device name in the site file
    bus: str  # its bus
    unit: int  # the unit the site gives it
    role: str  # gate|bollard|panic|smoke, or "" for a third-party device


@dataclass(frozen=True)
class Answer:
    device: Expected
    ok: bool
    found: str  # what answered: "role gate", "exception 2", "nothing", "role bollard"


class _ProbeTap:
    """A drop that only listens for the answer to its own question."""

    name = "ready-probe"
    connected = True
    is_host = True  # it asks like a master does

    def __init__(self) -> None:
        self.heard = bytearray()

    def deliver(self, data: bytes) -> None:
        self.heard.extend(data)


async def _ask(bus: TimedBus, tap: _ProbeTap, unit: int) -> bytes | None:
    """The reply frame from `unit` to a read of register 0, or None."""
    tap.heard.clear()
    bus.transmit(tap, rtu.build_adu(unit, bytes([_READ_HOLDING, 0, _ROLE_REGISTER, 0, 1])))
    deadline = time.monotonic() + bus.wire_time_s(8 + 7) + _REPLY_WAIT_S
    while time.monotonic() < deadline:
        await asyncio.sleep(0.005)
        frame = bytes(tap.heard)
        for length in (7, 5):  # a register value, or an exception
            if len(frame) >= length and frame[0] == unit and crc_ok(frame, length):
                await asyncio.sleep(bus.t35_s)
                return frame[:length]
    await asyncio.sleep(bus.t35_s)
    return None


def _judge(device: Expected, frame: bytes | None) -> Answer:
    if frame is None:
        return Answer(device, False, "nothing")
    if frame[1] & 0x80:
        return Answer(device, not device.role, f"exception {frame[2]}")
    code = (frame[3] << 8) | frame[4]
    role = registers.ROLE_NAMES[code] if code < len(registers.ROLE_NAMES) else f"#{code}"
    if not device.role:
        return Answer(device, True, f"role {role}")
    return Answer(device, role == device.role, f"role {role}")


async def probe_bus(bus: TimedBus, devices: list[Expected], deadline: float) -> list[Answer]:
    """Ask every device on one bus until each answered rightly or the deadline passed."""
    tap = _ProbeTap()
    bus.attach(tap)
    try:
        answers = {d.name: Answer(d, False, "nothing") for d in devices}
        while True:
            waiting = [d for d in devices if not answers[d.name].ok]
            if not waiting:
                break
            for device in waiting:
                answers[device.name] = _judge(device, await _ask(bus, tap, device.unit))
            if all(a.ok for a in answers.values()) or time.monotonic() >= deadline:
                break
            await asyncio.sleep(_RETRY_PAUSE_S)
        return [answers[d.name] for d in devices]
    finally:
        bus.detach(tap)


def describe_failures(failed: list[Answer]) -> str:
    lines = []
    for answer in failed:
        d = answer.device
        want = f"role {d.role}" if d.role else "its profile"
        lines.append(f"  {d.name} (bus {d.bus}, unit {d.unit}): expected {want}, "
                     f"got {answer.found}")
    return "\n".join(lines)
