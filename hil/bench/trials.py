"""One trial of each benchmarked path: act on the plant, time what the host does on the wire,
then put the campus back the way it was so the next trial starts from the same place.

Times are time.monotonic() (CLOCK_MONOTONIC, shared by every process on the machine):
  t0         the plant input changed (SimTarget: the moment the board's I/O channel has it), or the
             guard's command was issued;
  commanded  the last byte of the frame that commands the last barrier left the host (wire tap);
  confirmed  the host read, from every barrier, its final state (wire tap, decoded replies).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass

from hil.bench.session import BenchSession
from hil.bench.wire_tap import WireTap
from protocols import registers as R

MODE_ADDRESS = R.address(R.COMMON, "mode")
COMMAND_ADDRESS = R.address(R.GATE, "command")  # same address in every role block
STATE_ADDRESS = R.address(R.GATE, "state")  # same address in every role block
GATE_LOCKED_ADDRESS = R.address(R.GATE, "locked")

GATE_CLOSED = R.GATE_STATE_NAMES.index("closed")
GATE_OPEN = R.GATE_STATE_NAMES.index("open")
BOLLARD_UP = R.BOLLARD_STATE_NAMES.index("up")
BOLLARD_DOWN = R.BOLLARD_STATE_NAMES.index("down")
PANIC_IDLE = R.PANIC_STATE_NAMES.index("idle")
PANIC_ALARM = R.PANIC_STATE_NAMES.index("alarm")

SMOKE_TRIAL_LEVEL = 5.0  # %/m: well over the default alarm threshold of 3 %/m


class TrialFailed(RuntimeError):
    """A trial did not see the expected frame in time (counted as a failed trial, never dropped)."""


@dataclass(frozen=True)
class Sample:
    commanded_ms: float
    confirmed_ms: float | None = None  # only the panic trial waits for confirmation
    latched_ms: float | None = None  # the device latched the event (its alarm output came on)
    detected_ms: float | None = None  # the host read the device's alarm state (wire tap)


def _lockdown_accept(role: str) -> set[tuple[int, int]]:
    accept = {(MODE_ADDRESS, R.MODE_LOCKDOWN)}
    if role == "gate":
        accept |= {(COMMAND_ADDRESS, R.GATE_COMMAND_NAMES.index("close")),
                   (COMMAND_ADDRESS, R.GATE_COMMAND_NAMES.index("lock"))}
    elif role == "bollard":
        accept.add((COMMAND_ADDRESS, R.BOLLARD_COMMAND_NAMES.index("efo")))
    return accept


def _fire_accept(role: str) -> set[tuple[int, int]]:
    accept = {(MODE_ADDRESS, R.MODE_FIRE)}
    if role == "gate":
        accept.add((COMMAND_ADDRESS, R.GATE_COMMAND_NAMES.index("open")))
    elif role == "bollard":
        accept.add((COMMAND_ADDRESS, R.BOLLARD_COMMAND_NAMES.index("lower")))
    return accept


async def wait_commanded(session: BenchSession, t0: float, mode: int, timeout_s: float) -> float:
    """When the last barrier (lockdown: every barrier; fire: every egress barrier) was commanded."""
    jobs = []
    for bus, devices in session.barrier_buses().items():
        if mode == R.MODE_FIRE:
            devices = [d for d in devices if d.evacuation_route or d.fire_lane]
            accept = {d.unit: _fire_accept(d.role) for d in devices}
        else:
            accept = {d.unit: _lockdown_accept(d.role) for d in devices}
        if accept:
            tap = session.taps[bus]
            jobs.append(tap.wait_until(lambda tap=tap, accept=accept: tap.commanded_at(t0, accept), timeout_s))
    times = await asyncio.gather(*jobs)
    if not times or any(t is None for t in times):
        raise TrialFailed("no %s command seen on every barrier bus within %.0f s"
                          % (R.MODE_NAMES[mode], timeout_s))
    return max(times)


def _confirmed_on(tap: WireTap, after: float, finals: dict[int, set[int]], locked_units: set[int]) -> float | None:
    """First time each unit's read showed a final state (and, for gates, locked); max over units."""
    latest = 0.0
    for unit, wanted in finals.items():
        seen = None
        for read in tap.reads:
            if read.t < after or read.unit != unit:
                continue
            state = read.value(STATE_ADDRESS)
            if state not in wanted:
                continue
            if unit in locked_units and read.value(GATE_LOCKED_ADDRESS) == 0:
                continue
            seen = read.t
            break
        if seen is None:
            return None
        latest = max(latest, seen)
    return latest


async def wait_confirmed(session: BenchSession, after: float, timeout_s: float) -> float:
    jobs = []
    for bus, devices in session.barrier_buses().items():
        finals = {d.unit: ({GATE_CLOSED} if d.role == "gate" else {BOLLARD_UP}) for d in devices}
        locked = {d.unit for d in devices if d.role == "gate"}
        tap = session.taps[bus]
        jobs.append(tap.wait_until(lambda tap=tap, f=finals, lk=locked: _confirmed_on(tap, after, f, lk), timeout_s))
    times = await asyncio.gather(*jobs)
    if any(t is None for t in times):
        raise TrialFailed("not every barrier confirmed closed/locked or up within %.0f s" % timeout_s)
    return max(times)


HEARTBEAT_ADDRESS = R.address(R.COMMON, "heartbeat")
QUIET_S = 0.5  # no command frame for this long: the host has finished the previous trial's work


async def wait_quiet(session: BenchSession, quiet_s: float = QUIET_S, timeout_s: float = 15.0) -> None:
    """Wait until the host has written no command (heartbeats aside) on any bus for quiet_s: the
    previous trial's clear and its per-device verification must not queue ahead of this one."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        last = max((w.t for tap in session.taps.values() for w in tap.writes[-50:]
                    if w.address != HEARTBEAT_ADDRESS), default=0.0)
        idle = time.monotonic() - last
        if idle >= quiet_s:
            return
        await asyncio.sleep(quiet_s - idle + 0.01)
    raise TrialFailed("the host kept writing commands for %.0f s after the previous trial" % timeout_s)


async def _settle(session: BenchSession, phase_s: float) -> None:
    """Wait for a quiet host, then a random pause so the event lands at a random phase of the
    host's poll cycle."""
    await wait_quiet(session)
    await asyncio.sleep(random.uniform(0.0, phase_s))


async def _back_to_normal(session: BenchSession, timeout_s: float) -> None:
    since = time.monotonic()
    reply = await session.host.clear("hil benchmark: end of trial", refused_ok=True)
    if reply.get("refused"):
        return  # nothing to clear: the trial never got its lockdown (its own error says why)
    await wait_commanded_normal(session, since, timeout_s)


async def wait_commanded_normal(session: BenchSession, since: float, timeout_s: float) -> None:
    jobs = []
    for bus, devices in session.barrier_buses().items():
        tap = session.taps[bus]
        accept = {d.unit: {(MODE_ADDRESS, R.MODE_NORMAL)} for d in devices}
        jobs.append(tap.wait_until(lambda tap=tap, a=accept: tap.commanded_at(since, a), timeout_s))
    if any(t is None for t in await asyncio.gather(*jobs)):
        raise TrialFailed("the host did not return the barriers to normal mode within %.0f s" % timeout_s)


async def lower_bollards(session: BenchSession, timeout_s: float = 20.0) -> None:
    """Put raised bollards back down so the next trial rises them again. Neither a clear nor
    normal mode lowers a bollard (fail-secure), so the harness does what a technician would:
    power it off, let it down by hand, power it on; then waits until the host reads it down."""
    plant_state = getattr(session.target, "plant_state", None)
    if plant_state is None:
        return  # hardware: the rig's plant is lowered the same way only where power is wired
    raised = [d for d in session.barriers()
              if d.role == "bollard" and plant_state(d.name).get("position", 0.0) > 0.0]
    for device in raised:
        await session.target.power(device.name, False)
        await session.target.place(device.name, 0.0)
    since = time.monotonic()
    for device in raised:
        await session.target.power(device.name, True)
    for device in raised:
        tap = session.taps[device.bus]

        def seen_down(unit=device.unit, tap=tap):
            return next((r.t for r in tap.reads if r.t >= since and r.unit == unit
                         and r.value(STATE_ADDRESS) == BOLLARD_DOWN), None)

        if await tap.wait_until(seen_down, timeout_s) is None:
            raise TrialFailed("%s did not come back down and online within %.0f s" % (device.name, timeout_s))


async def panic_trial(session: BenchSession, station: str, phase_s: float, *, confirm: bool = True,
                      timeout_s: float = 15.0) -> Sample:
    if confirm:
        await lower_bollards(session)  # every confirmed trial includes a full EFO rise
    await _station_idle(session, station)
    await _settle(session, phase_s)
    t0 = await session.target.press_panic(station)
    try:
        commanded = await wait_commanded(session, t0, R.MODE_LOCKDOWN, timeout_s)
        latched, detected = await _stages(session, station, t0)
        confirmed = await wait_confirmed(session, commanded, timeout_s) if confirm else None
        return Sample((commanded - t0) * 1000.0, _ms(t0, confirmed), _ms(t0, latched), _ms(t0, detected))
    finally:
        await _back_to_normal(session, timeout_s)
        await session.target.reset_panic(station)
        await asyncio.sleep(1.0)  # the key reset is held 0.5 s; the host sees the station idle


async def _station_idle(session: BenchSession, station: str, timeout_s: float = 6.0) -> None:
    """The station must be idle (red LED off) before a press: a latched alarm hides the next one
    (GB 50394: it latches until reset by hand). Turn the key again if the last reset did not take."""
    for _ in range(2):
        if not (await session.target.outputs(station)).get("led_alarm"):
            return
        since = time.monotonic()
        await session.target.reset_panic(station)
        if await session.target.wait_output(station, "led_alarm", 0, since, timeout_s) is not None:
            return
    raise TrialFailed("%s stays latched after two key resets" % station)


def _ms(t0: float, t: float | None) -> float | None:
    return None if t is None else (t - t0) * 1000.0


async def _stages(session: BenchSession, station: str, t0: float) -> tuple[float | None, float | None]:
    """When the station latched (its red LED output came on) and when the host first read its
    alarm state: splits the latency into device, polling and host software parts."""
    latched = await session.target.wait_output(station, "led_alarm", 1, t0, 0.5)
    unit = session.target.devices[station].unit
    tap = session.taps[session.target.devices[station].bus]
    detected = next((r.t for r in tap.reads if r.t >= t0 and r.unit == unit
                     and r.value(STATE_ADDRESS) in (PANIC_ALARM, PANIC_ALARM + 1)), None)
    return latched, detected


async def guard_trial(session: BenchSession, phase_s: float, timeout_s: float = 15.0) -> Sample:
    await _settle(session, phase_s)
    t0 = time.monotonic()
    lockdown = asyncio.create_task(session.host.lockdown("hil benchmark: guard command"))
    try:
        commanded = await wait_commanded(session, t0, R.MODE_LOCKDOWN, timeout_s)
        await lockdown
        return Sample((commanded - t0) * 1000.0)
    finally:
        if not lockdown.done():
            lockdown.cancel()
        await _back_to_normal(session, timeout_s)


async def smoke_trial(session: BenchSession, detector: str, phase_s: float, timeout_s: float = 30.0) -> Sample:
    await _settle(session, phase_s)
    injected = await session.target.smoke(detector, SMOKE_TRIAL_LEVEL)
    try:
        # t0: the detector confirmed its alarm (after its own verification): its relay closes
        t0 = await session.target.wait_output(detector, "relay", 1, injected, timeout_s)
        if t0 is None:
            raise TrialFailed("detector %s never closed its alarm relay within %.0f s" % (detector, timeout_s))
        commanded = await wait_commanded(session, t0, R.MODE_FIRE, timeout_s)
        return Sample((commanded - t0) * 1000.0)
    finally:
        await session.target.smoke(detector, 0.0)
        await _back_to_normal(session, timeout_s)
        # the detector's alarm latches until reset (NFPA 72): a technician's power cycle resets it
        # while the next trials use the other detectors
        await session.target.power(detector, False)
        await session.target.power(detector, True)
