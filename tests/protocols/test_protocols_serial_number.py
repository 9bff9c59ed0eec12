"""The device serial-number rule, with golden values: what the simulator and `campusguard flash`
wrote before the rule moved to protocols/, so serials already on devices stay the same."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from protocols.serial_number import serial_number

REPO = Path(__file__).resolve().parents[2]
MICROPYTHON = Path(sys.executable).parent / "micropython"

# (site name, device name, serial): the demo campus, flash without a site ("" site), non-ASCII
GOLDEN = (
    ("Sunrise Primary School (demo)", "main-gate-slider", 942434581),
    ("", "gate-3", 545387245),
    ("校园", "门-1", 446429232),
)


@pytest.mark.parametrize("site, device, serial", GOLDEN)
def test_golden_serials_on_cpython(site, device, serial):
    assert serial_number(site, device) == serial


def test_serial_depends_on_site_and_device():
    serials = {serial_number(s, d) for s in ("a", "b") for d in ("x", "y")}
    assert len(serials) == 4 and all(0 <= s <= 0xFFFFFFFF for s in serials)


@pytest.mark.micropython
def test_golden_serials_under_micropython():
    script = "from protocols.serial_number import serial_number\n" + "".join(
        "print(serial_number(%r, %r))\n" % (site, device) for site, device, _ in GOLDEN)
    done = subprocess.run([str(MICROPYTHON), "-c", script], env=dict(os.environ, MICROPYPATH=str(REPO)),
                          capture_output=True, text=True, timeout=30, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(serial) for _, _, serial in GOLDEN]
