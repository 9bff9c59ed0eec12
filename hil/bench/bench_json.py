"""DIR/bench.json: the benchmark results (schema in /work/shared/DESIGN.md, extended additively).

Required per path: name, bus, baud, devices, trials, p50_ms, p95_ms, p99_ms, max_ms, bound_ms,
ratio_p99. Added here: what each number was measured against (floor, deliberate and mechanical
parts), the bound's steps, the failed trials and the raw samples the plots are drawn from.
"""

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hil.bench.latency_stats import LatencySummary
from hil.bench.wire_bound import WireBound

PATH_NAMES = (
    "panic_to_commanded",
    "panic_to_confirmed",
    "smoke_to_egress_commanded",
    "guard_to_commanded",
    "event_to_receiver_ack",
)


class BenchFileError(ValueError):
    """bench.json is missing a field or has the wrong shape."""


@dataclass(frozen=True)
class PathResult:
    name: str  # one of PATH_NAMES
    bus: str  # the bus the path starts on (where the event is seen)
    baud: int  # that bus's baud
    devices: int  # devices on that bus
    trials: int  # successful trials the statistics are over
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    bound_ms: float  # wire-time lower bound (frames + mandatory Modbus gaps), hil/bench/wire_bound.py
    ratio_p99: float  # p99_ms / bound_ms
    site: str = ""  # site file the run used (demo campus or a generated sweep site)
    sweep: str = ""  # "" for the main table, "devices" or "baud" for a sweep point
    failed_trials: int = 0  # trials that timed out: never silently dropped
    min_ms: float = 0.0
    deliberate_ms: float = 0.0  # designed-in delay on the path (panic hold time, alarm verification)
    mechanical_ms: float = 0.0  # plant travel on the path (bollard EFO rise, gate travel)
    floor_ms: float = 0.0  # bound_ms + deliberate_ms + mechanical_ms: the fastest the path can be
    ratio_p99_floor: float = 0.0  # p99_ms / floor_ms
    design_bound_ms: float = 0.0  # wire time of the frames OUR host sends for the path (its poll reads)
    bound_steps: tuple[dict, ...] = ()  # [{"what", "bus", "ms"}] the critical path of the bound
    measured: str = ""  # from which moment to which, in words
    stages: dict = field(default_factory=dict)  # p50/p99 of each stage: where the time goes
    samples_ms: tuple[float, ...] = ()  # every successful trial, in order


def path_result(
    name: str,
    bus: str,
    baud: int,
    devices: int,
    summary: LatencySummary,
    bound: WireBound,
    *,
    samples_ms: tuple[float, ...],
    failed_trials: int = 0,
    deliberate_ms: float = 0.0,
    mechanical_ms: float = 0.0,
    site: str = "",
    sweep: str = "",
    measured: str = "",
    design_bound: WireBound | None = None,
    stages: dict | None = None,
) -> PathResult:
    if name not in PATH_NAMES:
        raise BenchFileError("unknown path name %r; use one of %s" % (name, ", ".join(PATH_NAMES)))
    floor = bound.total_ms + deliberate_ms + mechanical_ms
    return PathResult(
        name=name,
        bus=bus,
        baud=baud,
        devices=devices,
        trials=summary.trials,
        p50_ms=round(summary.p50_ms, 3),
        p95_ms=round(summary.p95_ms, 3),
        p99_ms=round(summary.p99_ms, 3),
        max_ms=round(summary.max_ms, 3),
        bound_ms=round(bound.total_ms, 3),
        ratio_p99=round(summary.p99_ms / bound.total_ms, 2) if bound.total_ms > 0 else 0.0,
        site=site,
        sweep=sweep,
        failed_trials=failed_trials,
        min_ms=round(summary.min_ms, 3),
        deliberate_ms=round(deliberate_ms, 3),
        mechanical_ms=round(mechanical_ms, 3),
        floor_ms=round(floor, 3),
        ratio_p99_floor=round(summary.p99_ms / floor, 2) if floor > 0 else 0.0,
        design_bound_ms=round(design_bound.total_ms, 3) if design_bound else 0.0,
        bound_steps=tuple(
            {"what": s.what, "bus": s.bus, "ms": round(s.ms, 3)} for s in bound.steps
        ),
        measured=measured,
        stages=dict(stages or {}),
        samples_ms=tuple(round(v, 3) for v in samples_ms),
    )


def describe_machine() -> str:
    """One line naming the machine: CPU model, cores, OS, Python."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d cores, %s %s, Python %s" % (
        model,
        os.cpu_count() or 0,
        platform.system(),
        platform.release(),
        platform.python_version(),
    )


@dataclass(frozen=True)
class BenchReport:
    machine: str
    command: str  # the command line that reproduces this file
    paths: tuple[PathResult, ...]
    quick: bool = False  # True: fewer trials and sweep points than the full run (say so)
    trials_requested: int = 0  # trials asked for per path
    started_utc: str = ""
    duration_s: float = 0.0
    notes: tuple[str, ...] = field(default=())  # what was skipped and why
    load_average: tuple[float, ...] = ()  # 1-minute load average at the start and the end of the run


def write_bench_json(report: BenchReport, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "bench.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(report), indent=1) + "\n")
    os.replace(tmp, path)
    return path


_REQUIRED_PATH_FIELDS = (
    "name", "bus", "baud", "devices", "trials",
    "p50_ms", "p95_ms", "p99_ms", "max_ms", "bound_ms", "ratio_p99",
)


def read_bench_json(path: Path) -> dict:
    """Load and check bench.json; BenchFileError names the missing field and the fix."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise BenchFileError(
            "%s does not exist. Fix: run `campusguard bench --out %s` first." % (path, Path(path).parent)
        ) from None
    except json.JSONDecodeError as exc:
        raise BenchFileError("%s is not JSON (%s). Fix: rerun the benchmark." % (path, exc)) from None
    for key in ("machine", "command", "paths"):
        if key not in data:
            raise BenchFileError("%s has no %r. Fix: rerun the benchmark." % (path, key))
    for index, entry in enumerate(data["paths"]):
        for key in _REQUIRED_PATH_FIELDS:
            if key not in entry:
                raise BenchFileError(
                    "%s: paths[%d] (%s) has no %r. Fix: rerun the benchmark."
                    % (path, index, entry.get("name", "?"), key)
                )
    return data
