"""The benchmark's own measurement, end to end on a small generated site: a panic press is timed
from the plant input to the lockdown frame leaving the host, through the wire tap."""

from pathlib import Path

import pytest

from hil.bench.session import BenchSession
from hil.bench.sweep_sites import write_site
from hil.bench.trials import guard_trial, panic_trial
from hil.bench.wire_bound import BusTiming, detect_then_broadcast
from hil.targets.sim_target import SimTarget
from hil.targets.target import TargetUnavailable
from protocols import registers as R

HOLD_MS = R.find(R.PANIC, "hold_ms")[R.DEFAULT]


async def test_panic_and_guard_trials_measure_the_wire(request, tmp_path: Path):
    if request.config.getoption("--target") != "sim":
        pytest.skip("the benchmark trials run on the simulator target")
    site = write_site(tmp_path, 7, 115200)  # the smallest bench bus: 4 barriers, 2 panic, 1 smoke
    target = SimTarget(site, tmp_path / "sim")
    try:
        await target.start()
    except TargetUnavailable as exc:
        pytest.skip(str(exc))
    session = BenchSession(target, tmp_path / "bench")
    try:
        await session.open(host_ready_timeout_s=60.0)
        sample = await panic_trial(session, "bench-panic-1", 0.1, confirm=False)
        bus = BusTiming("bench-bus", 115200)
        bound = detect_then_broadcast(bus, [bus]).total_ms
        # physics first: nothing can beat the station's hold time plus the wire
        assert sample.commanded_ms > HOLD_MS + bound
        # the stages add up and are in order
        assert sample.latched_ms is not None and sample.detected_ms is not None
        assert HOLD_MS * 0.9 <= sample.latched_ms <= sample.detected_ms <= sample.commanded_ms
        # GB 50394 / DB15: a one-key alarm acts within 2 s; a generous safety bound, not a target
        assert sample.commanded_ms < 2000.0
        guard = await guard_trial(session, 0.1)
        assert bound / 5 < guard.commanded_ms < 2000.0
        tap = session.taps["bench-bus"]
        assert any(f.unit == 0 and f.to_bus for f in tap.frames), "the lockdown went out as a broadcast"
    finally:
        await session.close()
        await target.close()
