"""`campusguard bench`: run the trials, write DIR/bench.json and the PNG plots.

Order: the demo campus (panic on each bus that has panic stations -> commanded and confirmed,
guard command -> commanded, smoke -> egress commanded), the alarm path to a receiver (when
hil/alarm_bench.py exists), then the sweeps on generated one-bus sites (devices per bus, baud).
A budget stops new work in time for --quick; whatever was skipped is named in the notes.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from hil.bench.bench_json import (
    BenchReport,
    PathResult,
    describe_machine,
    path_result,
    write_bench_json,
)
from hil.bench.latency_stats import summarise
from hil.bench.plan import BenchPlan
from hil.bench.plots import plot_all
from hil.bench.session import BenchSession
from hil.bench.sweep_sites import write_site
from hil.bench.trials import Sample, TrialFailed, guard_trial, panic_trial, smoke_trial
from hil.bench.wire_bound import (
    BusTiming,
    WireBound,
    broadcast_only,
    detect_broadcast_verify,
    detect_then_broadcast,
    host_poll_reads,
    polling_floor,
)
from hil.host_process import HostError
from hil.targets.sim_target import SimTarget
from hil.targets.target import TargetUnavailable
from protocols import registers as R

REPO = Path(__file__).resolve().parents[2]
DEMO_SITE = REPO / "sites" / "demo-campus.toml"
_MAX_CONSECUTIVE_FAILURES = 3
_POLL_PHASE_S = 0.25
_SWEEP_POINT_MIN_S = 15.0  # a sweep point's fixed cost (boot the site, start the host): skip if less is left  # random extra pause before each trial: spreads events over the poll cycle

MEASURED = {
    "panic_to_commanded": "panic button down (plant input) -> last byte of the lockdown command to the last barrier leaves the host (wire tap)",
    "panic_to_confirmed": "panic button down -> the host has read every barrier in its final state (gates closed and locked, bollards up)",
    "guard_to_commanded": "lockdown request written to the host control socket (what `campusguard lockdown` sends) -> last byte of the lockdown command leaves the host",
    "smoke_to_egress_commanded": "detector confirms its alarm (its alarm relay closes) -> last egress command (fire mode) leaves the host",
    "event_to_receiver_ack": "alarm report submitted -> ACK from the SIA DC-09 receiver (pysiaalarm, TCP loopback)",
}


class BenchRun:
    def __init__(self, plan: BenchPlan, work_dir: Path, heapsize: str | None = None):
        self.plan = plan
        self.heapsize = heapsize  # simulated board RAM; None: the simulator's default
        self.work_dir = work_dir
        self.started = time.monotonic()
        self.section_deadline = float("inf")  # time.monotonic() after which this section stops
        self.results: list[PathResult] = []
        self.notes: list[str] = []

    def over_budget(self) -> bool:
        now = time.monotonic()
        return now - self.started > self.plan.budget_s or now > self.section_deadline

    async def repeat(self, what: str, trials: int, one: Callable[[int], Awaitable[Sample]]) -> tuple[list[Sample], int]:
        samples: list[Sample] = []
        failed = consecutive = 0
        for index in range(trials):
            if self.over_budget():
                self.notes.append("%s: stopped after %d of %d trials (time budget)"
                                  % (what, len(samples) + failed, trials))
                break
            try:
                samples.append(await one(index))
                consecutive = 0
            except (TrialFailed, HostError) as exc:
                failed += 1
                consecutive += 1
                _progress("%s: trial %d failed: %s" % (what, index + 1, exc))
                if consecutive >= _MAX_CONSECUTIVE_FAILURES:
                    self.notes.append("%s: gave up after %d failed trials in a row, last: %s" % (what, consecutive, exc))
                    break
        return samples, failed

    def add(self, name: str, bus: BusTiming, devices: int, samples: list[float], failed: int, bound: WireBound,
            *, site: Path, sweep: str = "", deliberate_ms: float = 0.0, mechanical_ms: float = 0.0,
            design_bound: WireBound | None = None, stages: dict | None = None) -> None:
        if not samples:
            self.notes.append("%s on %s: no successful trial (%d failed)" % (name, bus.name, failed))
            _progress("%s on %s: no successful trial (%d failed)" % (name, bus.name, failed))
            return
        summary = summarise(samples)
        _progress("%-26s %-14s %6d baud %3d dev  n=%-3d p50 %8.1f  p99 %8.1f ms%s"
                  % (name, bus.name, bus.baud, devices, summary.trials, summary.p50_ms, summary.p99_ms,
                     "  [sweep %s]" % sweep if sweep else ""))
        self.results.append(path_result(
            name, bus.name, bus.baud, devices, summarise(samples), bound, samples_ms=tuple(samples),
            failed_trials=failed, deliberate_ms=deliberate_ms, mechanical_ms=mechanical_ms,
            site=_display(site), sweep=sweep, measured=MEASURED[name], design_bound=design_bound,
            stages=stages,
        ))


def _progress(line: str) -> None:
    print("bench: %s" % line, file=sys.stderr, flush=True)


def panic_stages(samples: list[Sample]) -> dict:
    """p50/p99 of press -> latched (firmware: hold time), latched -> detected (poll cycle and the
    reads), detected -> commanded (host software: policy, event store, dispatch, the frame)."""
    full = [s for s in samples if s.latched_ms is not None and s.detected_ms is not None]
    parts = {
        "press_to_latched": [s.latched_ms for s in full],
        "latched_to_detected": [s.detected_ms - s.latched_ms for s in full],
        "detected_to_commanded": [s.commanded_ms - s.detected_ms for s in full],
    }
    out = {}
    for name, values in parts.items():
        if values:
            summary = summarise(values)
            out[name] = {"p50_ms": round(summary.p50_ms, 3), "p99_ms": round(summary.p99_ms, 3),
                         "max_ms": round(summary.max_ms, 3), "trials": summary.trials}
    return out


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return path.name


def _floor_facts(site, bus: str) -> tuple[int, int]:
    """(hold-up devices, registers of the longest single read) on one bus of a sim site."""
    from sim.profile_reader import load_profile

    holdup, longest = 0, 6  # the common block audit read
    for device in site.devices:
        if device.bus != bus:
            continue
        if device.role:
            holdup += device.role == "panic"
            longest = max(longest, R.block_size(R.ROLE_BLOCKS[R.role_code(device.role)]))
        else:
            profile = load_profile(device.profile)
            holdup += profile.kind == "inputs"
            longest = max([longest] + [p.count for p in profile.points])
    return holdup, longest


def _site_facts(site_path: Path):
    from sim.site_reader import read_site

    return read_site(site_path)


async def _campus_paths(run: BenchRun, site_path: Path, label: str, *, panic_trials: int, guard_trials: int,
                        smoke_trials: int, confirm_trials: int, sweep: str = "") -> None:
    site = _site_facts(site_path)
    timing = {b.name: BusTiming(b.name, b.baud) for b in site.buses}
    on_bus = {b.name: sum(1 for d in site.devices if d.bus == b.name) for b in site.buses}
    _progress("%s: starting %s (%d devices)" % (label, _display(site_path), len(site.devices)))
    async with SimTarget(site_path, run.work_dir / (label + "-sim"), heapsize=run.heapsize) as target:
        session = BenchSession(target, run.work_dir / label)
        try:
            await session.open()
            barrier_buses = session.barrier_buses()
            targets = [timing[b] for b in barrier_buses]
            bollard_rise_ms = max((float(d.plant.get("efo_rise_s", 1.5)) * 1000.0
                                   for d in site.devices if d.role == "bollard"), default=0.0)
            stations: dict[str, list] = {}
            for device in site.devices:
                if device.role == "panic":
                    stations.setdefault(device.bus, []).append(device)
            for bus_name, on_this_bus in stations.items():
                # rotate over the bus's stations: each gets time to be reset and seen idle
                samples, failed = await run.repeat(
                    "panic_to_commanded on %s" % bus_name, panic_trials,
                    lambda i, ss=on_this_bus: panic_trial(session, ss[i % len(ss)].name, _POLL_PHASE_S,
                                                          confirm=i < confirm_trials))
                station = on_this_bus[0]
                hold_ms = float(station.params.get("hold_ms", R.find(R.PANIC, "hold_ms")[R.DEFAULT]))
                source = timing[bus_name]
                holdup, longest = _floor_facts(site, bus_name)
                run.add("panic_to_commanded", source, on_bus[bus_name], [s.commanded_ms for s in samples], failed,
                        polling_floor(source, targets, holdup, longest), site=site_path, sweep=sweep,
                        deliberate_ms=hold_ms,
                        design_bound=detect_then_broadcast(source, targets, poll_reads=host_poll_reads("panic")),
                        stages=panic_stages(samples))
                if confirm_trials:
                    run.add("panic_to_confirmed", source, on_bus[bus_name],
                            [s.confirmed_ms for s in samples if s.confirmed_ms is not None], failed,
                            detect_broadcast_verify(source, [(timing[b], len(d)) for b, d in barrier_buses.items()]),
                            site=site_path, sweep=sweep, deliberate_ms=hold_ms, mechanical_ms=bollard_rise_ms)
            if guard_trials:
                samples, failed = await run.repeat("guard_to_commanded", guard_trials,
                                                   lambda i: guard_trial(session, _POLL_PHASE_S))
                first = targets[0]
                run.add("guard_to_commanded", first, on_bus[first.name], [s.commanded_ms for s in samples], failed,
                        broadcast_only(targets), site=site_path, sweep=sweep)
            detectors = [d for d in site.devices if d.role == "smoke"]
            if smoke_trials and detectors:
                by_bus: dict[str, list[float]] = {}
                failures: dict[str, int] = {}
                samples, failed = await run.repeat(
                    "smoke_to_egress_commanded", smoke_trials,
                    lambda i: _smoke_on(session, detectors[i % len(detectors)].name, by_bus, failures, site))
                for bus_name, values in by_bus.items():
                    source = timing[bus_name]
                    run.add("smoke_to_egress_commanded", source, on_bus[bus_name], values, failures.get(bus_name, 0),
                            detect_then_broadcast(source, targets), site=site_path, sweep=sweep,
                            design_bound=detect_then_broadcast(source, targets, poll_reads=host_poll_reads("smoke")))
                if failed and not by_bus:
                    run.notes.append("smoke_to_egress_commanded: all %d trials failed" % failed)
        finally:
            if session.host is not None:
                try:
                    for bus_name, info in (await session.bus_stats()).items():
                        run.notes.append(
                            "%s %s: host's last poll cycle %s ms (its estimate %s ms, max %s ms), %s of %s "
                            "transactions failed" % (label, bus_name, info.get("cycle_ms"), info.get("estimated_cycle_ms"),
                                                     info.get("max_cycle_ms"), info.get("failures"), info.get("transactions")))
                except HostError:
                    pass
            await session.close()


async def _smoke_on(session, detector: str, by_bus: dict, failures: dict, site) -> Sample:
    bus = site.device(detector).bus
    try:
        sample = await smoke_trial(session, detector, _POLL_PHASE_S)
    except TrialFailed:
        failures[bus] = failures.get(bus, 0) + 1
        raise
    by_bus.setdefault(bus, []).append(sample.commanded_ms)
    return sample


async def _alarm_path(run: BenchRun) -> None:
    if importlib.util.find_spec("hil.alarm_bench") is None:
        run.notes.append("event_to_receiver_ack: hil/alarm_bench.py is not in this tree yet; not measured")
        return
    from hil import alarm_bench

    try:
        samples = await alarm_bench.measure_event_to_ack(run.plan.alarm_trials)
    except Exception as exc:  # a broken alarm bench must not cost the serial results
        run.notes.append("event_to_receiver_ack: the alarm bench failed: %s: %s" % (type(exc).__name__, exc))
        return
    loopback = BusTiming("tcp-loopback", 0)
    if samples:
        run.results.append(path_result(
            "event_to_receiver_ack", loopback.name, 0, 1, summarise(samples), WireBound(0.0, ()),
            samples_ms=tuple(samples), measured=MEASURED["event_to_receiver_ack"],
        ))
        run.notes.append("event_to_receiver_ack: TCP loopback has no serial wire bound: bound_ms and ratio are 0")


async def _sweeps(run: BenchRun) -> None:
    plan = run.plan
    points = [("devices", n, baud) for baud in plan.sweep_devices_bauds for n in plan.sweep_devices]
    points += [("baud", plan.sweep_bauds_devices, b) for b in plan.sweep_bauds]
    for axis, devices, baud in points:
        if run.over_budget() or time.monotonic() + _SWEEP_POINT_MIN_S > run.started + plan.budget_s:
            run.notes.append("sweep %s: %d devices at %d baud skipped (time budget %.0f s)" % (axis, devices, baud, plan.budget_s))
            continue
        site = write_site(run.work_dir / "sites", devices, baud)
        try:
            await _campus_paths(run, site, "sweep-%s-%d-%d" % (axis, devices, baud), panic_trials=plan.sweep_trials,
                                guard_trials=0, smoke_trials=0, confirm_trials=0, sweep=axis)
        except (TargetUnavailable, HostError, OSError) as exc:
            run.notes.append("sweep %s: %d devices at %d baud failed to start: %s" % (axis, devices, baud, exc))


async def run_bench(out_dir: Path, plan: BenchPlan, command: str, demo_site: Path = DEMO_SITE,
                    keep_work: bool = False, heapsize: str | None = None) -> Path:
    work = Path(tempfile.mkdtemp(prefix="cg-bench-"))
    run = BenchRun(plan, work, heapsize)
    started_utc = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    load_start = os.getloadavg()[0]
    try:
        run.section_deadline = run.started + plan.demo_budget_s
        try:
            await _campus_paths(run, demo_site, "demo", panic_trials=plan.panic_trials, guard_trials=plan.guard_trials,
                                smoke_trials=plan.smoke_trials, confirm_trials=plan.confirm_trials)
        except (TargetUnavailable, HostError, OSError) as exc:
            run.notes.append("demo campus: could not run: %s" % exc)
        run.section_deadline = float("inf")
        await _alarm_path(run)
        await _sweeps(run)
    finally:
        if keep_work:
            run.notes.append("work files (sim and host logs) kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    report = BenchReport(
        machine=describe_machine(), command=command, paths=tuple(run.results), quick=plan.quick,
        trials_requested=plan.panic_trials, started_utc=started_utc,
        duration_s=round(time.monotonic() - run.started, 1), notes=tuple(run.notes),
        load_average=(round(load_start, 2), round(os.getloadavg()[0], 2)),
    )
    path = write_bench_json(report, out_dir)
    import json

    plot_all(json.loads(path.read_text()), out_dir)
    return path
