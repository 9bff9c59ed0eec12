# The role state machines on a stepped clock: the same scenarios run here under CPython (one test
# each, for precise failure reports) and, in one test, under the real MicroPython unix port.
import os
import subprocess

import pytest
from firmware_paths import FIRMWARE, HERE, MICROPYTHON, REPO
from firmware_scenarios import run_all

SCENARIOS = run_all.scenarios()


@pytest.mark.parametrize("fn", [s[2] for s in SCENARIOS], ids=[f"{m}.{n}" for m, n, _ in SCENARIOS])
def test_firmware_scenario_cpython(fn):
    fn()


@pytest.mark.micropython
def test_firmware_scenarios_under_micropython():
    env = dict(os.environ, MICROPYPATH=f".frozen:{FIRMWARE}:{REPO}:{HERE}")
    out = subprocess.run(
        [str(MICROPYTHON), "-X", "heapsize=1m", str(HERE / "firmware_scenarios" / "run_all.py")],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    assert last == f"firmware scenarios: {len(SCENARIOS)} passed, 0 failed", out.stdout
