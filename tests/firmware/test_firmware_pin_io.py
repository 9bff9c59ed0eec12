# The ESP32/RP2040 io layer (board/pin_board.py) under the MicroPython unix port with a fake
# `machine`: digital inputs are edge-driven (the IRQ captures the time and signals, the io task
# reads the pins and wakes the role), analogue inputs are read on demand, a missed edge is re-read.
import os
import subprocess

import pytest
from firmware_paths import FIRMWARE, HERE, MICROPYTHON, REPO

pytestmark = pytest.mark.micropython


def test_pin_io_edges_wake_the_role_with_the_isr_time():
    env = dict(os.environ, MICROPYPATH=f".frozen:{FIRMWARE}:{REPO}")
    out = subprocess.run([str(MICROPYTHON), str(HERE / "pin_io" / "pin_io_check.py")], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("pin io: ok"), out.stdout
