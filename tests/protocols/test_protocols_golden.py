"""The golden Modbus vectors on CPython, and the same vectors under the real MicroPython unix port."""

import os
import subprocess
import sys
from pathlib import Path

import protocols_golden_vectors
import pytest

REPO = Path(__file__).resolve().parents[2]
MICROPYTHON = Path(sys.executable).parent / "micropython"
RUNNER = Path(__file__).with_name("micropython_vectors_runner.py")
VECTORS = protocols_golden_vectors.all_vectors()


@pytest.mark.parametrize(
    "check,vector", [(c, v) for _, c, v in VECTORS], ids=[n for n, _, _ in VECTORS]
)
def test_golden_vector_on_cpython(check, vector):
    check(vector)


@pytest.mark.micropython
def test_golden_vectors_under_micropython_with_64k_heap():
    env = dict(os.environ, MICROPYPATH=str(REPO))
    done = subprocess.run(
        [str(MICROPYTHON), "-X", "heapsize=64k", str(RUNNER)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    # every vector ran (none skipped by a crash) and passed; the firmware hot paths allocate nothing
    assert "protocols vectors: %d passed, 0 failed" % len(VECTORS) in out, out
    assert "protocols no-alloc: 11 passed, 0 failed" in out, out
