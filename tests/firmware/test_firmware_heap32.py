# The firmware's heap on a 32-bit MicroPython: the gate (the biggest role) booted from .py sources
# in the WebAssembly port under Node.js by tools/firmware_heap32.py, which also answers five Modbus
# requests and ticks the role. Skipped when node or the npm package is missing.
import json
import shutil
import subprocess
import sys

import pytest
from firmware_paths import REPO

_PACKAGE = REPO / "tools/heap32/node_modules/@micropython/micropython-webassembly-pyscript"
_INSTALL = "npm install --prefix tools/heap32 --no-audit --no-fund"

pytestmark = [
    pytest.mark.skipif(
        shutil.which("node") is None, reason="node is not installed: apt-get install nodejs"
    ),
    pytest.mark.skipif(
        not (_PACKAGE / "micropython.mjs").exists(),
        reason="the MicroPython WebAssembly npm package is missing: " + _INSTALL,
    ),
]


@pytest.fixture(scope="module")
def gate32():
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "tools/firmware_heap32.py"),
            "--roles",
            "gate",
            "--ports",
            "wasm",
            "--form",
            "py",
            "--hi",
            "128",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return json.loads(proc.stdout)[0]["wasm32"]


def test_gate_boots_and_serves_on_32_bit_micropython(gate32):
    # ok: every boot step ran, five requests got good replies, 20 ticks ran, at 128 KiB
    assert gate32["ok"], gate32["error"]
    # Measured: 84 KiB smallest heap (4 KiB steps) and 65.7 KB live after boot; 88 KiB and 66.7 KB
    # with the w2-roles register map (firmware/README.md, "Footprint"). These bounds catch a
    # regression of a few KB more than that.
    assert gate32["min_kib"] is not None and gate32["min_kib"] <= 92, gate32
    assert gate32["after_boot"] <= 72 * 1024, gate32


@pytest.mark.xfail(
    strict=True,
    reason="issue 15 goal not met yet: the gate needs 84 KiB here (collections only at main.py's "
    "gc.collect() points, bytecode on the heap; see firmware/README.md 'Footprint')",
)
def test_gate_goal_boots_within_64_kib_on_32_bit(gate32):
    assert gate32["min_kib"] <= 64, gate32
