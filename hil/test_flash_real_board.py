"""Flash a real ESP32 or RP2040 board and prove it on a real RS-485 bus.

Needs hardware, so it skips without it. To run it, wire the board's RS-485 transceiver to a
USB-RS-485 adapter and say where both are:

    CAMPUSGUARD_BOARD=esp32            # or rp2
    CAMPUSGUARD_BOARD_PORT=/dev/ttyUSB0      # the board's USB (MicroPython REPL) port
    CAMPUSGUARD_BUS_PORT=/dev/ttyUSB1        # the USB-RS-485 adapter on the board's bus
    .venv/bin/python -m pytest hil/test_flash_real_board.py

The board ends up configured as a gate at unit 200 (an address no demo device uses); its previous
config.json is saved in the test's temporary directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.hardware

BOARD = os.environ.get("CAMPUSGUARD_BOARD", "esp32")
BOARD_PORT = os.environ.get("CAMPUSGUARD_BOARD_PORT", "")
BUS_PORT = os.environ.get("CAMPUSGUARD_BUS_PORT", "")


def _skip_reason() -> str:
    if not BOARD_PORT or not BUS_PORT:
        return ("no board: set CAMPUSGUARD_BOARD_PORT (the board's USB port) and "
                "CAMPUSGUARD_BUS_PORT (the RS-485 adapter on its bus) to run this test")
    for name, port in (("CAMPUSGUARD_BOARD_PORT", BOARD_PORT), ("CAMPUSGUARD_BUS_PORT", BUS_PORT)):
        if not Path(port).exists():
            return "no board: %s=%s does not exist (plugged in?)" % (name, port)
    mpremote = Path(sys.executable).with_name("mpremote")
    probe = subprocess.run([str(mpremote), "connect", BOARD_PORT, "eval", "1+1"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0 or "2" not in probe.stdout:
        return "no MicroPython board answers on %s: %s" % (
            BOARD_PORT, (probe.stderr or probe.stdout).strip()[-200:])
    return ""


def test_flash_a_real_board_and_prove_it(tmp_path):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("campusguard")), "flash", "--board", BOARD,
         "--port", BOARD_PORT, "--role", "gate", "--unit", "200", "--baud", "115200",
         "--bus-port", BUS_PORT, "--backup-dir", str(tmp_path / "backups"),
         "--bundle-dir", str(tmp_path / "bundle"), "--boot-timeout", "20", "--json"],
        capture_output=True, text=True, timeout=600)
    result = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr + done.stdout
    assert result["proof"]["result"] == "PASS", result["proof"]
    assert [s["step"] for s in result["steps"]] == ["backup", "clean", "copy", "config", "reset"]
