"""HIL site files and the rig: real gpiozero with its mock pins, the simulator's plant models."""

import asyncio
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from hil.targets.hardware_target import HardwareTarget
from hil.targets.hil_site import HilSiteError, WireRun, load_hil_site
from hil.targets.rig import Rig
from hil.targets.rig_plants import RigPlants
from hil.targets.target import TargetActionUnsupported, TargetUnavailable

REPO = Path(__file__).resolve().parents[2]
BENCH_RIG = REPO / "hil" / "wiring" / "bench-rig.toml"

SITE = """
[site]
name = "rig"
timezone = "UTC"
[[zones]]
name = "z"
description = "test zone"
[[buses]]
name = "bus-a"
baud = 115200
port = "/dev/null"
[[devices]]
name = "gate-1"
bus = "bus-a"
unit = 1
role = "gate"
zone = "z"
[devices.plant]
travel_s = 0.2
[[devices]]
name = "panic-1"
bus = "bus-a"
unit = 2
role = "panic"
zone = "z"
"""

HIL = """
[hil]
site = "site.toml"
devices = ["gate-1", "panic-1"]
pin_factory = "mock"
settle_s = 0.01
[ports]
bus-a = "{port}"
[[wiring]]
device = "gate-1"
terminal = "motor_open"
pin = "GPIO22"
[[wiring]]
device = "gate-1"
terminal = "limit_open"
pin = "GPIO4"
[[wiring]]
device = "gate-1"
terminal = "limit_closed"
pin = "GPIO17"
[[wiring]]
device = "panic-1"
terminal = "button"
pin = "GPIO8"
"""


def _write(tmp_path, port="/dev/null", hil=HIL):
    (tmp_path / "site.toml").write_text(SITE)
    path = tmp_path / "hil.toml"
    path.write_text(hil.format(port=port))
    return path


def test_reference_bench_file_loads_and_fits_one_pi():
    hil = load_hil_site(BENCH_RIG)
    assert hil.ports == {"gate-bus": "/dev/ttyUSB0", "building-bus": "/dev/ttyUSB1"}
    assert {w.device for w in hil.wiring} == set(hil.devices)
    assert len({w.pin for w in hil.wiring}) == len(hil.wiring) <= 26  # BCM GPIO2..27
    kinds = {(w.device, w.terminal): w.kind for w in hil.wiring}
    assert kinds[("main-gate-barrier", "edge")] == "ai"
    assert kinds[("main-gate-barrier", "motor_open")] == "do"
    assert kinds[("guard-room-panic", "power")] == "power"


def test_wrong_terminal_and_missing_port_are_named(tmp_path):
    bad = HIL.replace('terminal = "limit_open"', 'terminal = "limit_opn"')
    with pytest.raises(HilSiteError, match="no terminal 'limit_opn'.*limit_open"):
        load_hil_site(_write(tmp_path, hil=bad))
    no_port = HIL.replace('bus-a = "{port}"', "")
    with pytest.raises(HilSiteError, match="bus 'bus-a' has devices on the bench but no port"):
        load_hil_site(_write(tmp_path, hil=no_port))


async def test_hardware_target_skips_without_its_port(tmp_path):
    target = HardwareTarget(_write(tmp_path, port="/dev/ttyUSB-not-here"))
    with pytest.raises(TargetUnavailable, match="ttyUSB-not-here does not exist"):
        await target.start()


async def test_no_gpio_is_a_clear_reason(tmp_path):
    target = HardwareTarget(_write(tmp_path, hil=HIL.replace('"mock"', '"lgpio"')))
    with pytest.raises(TargetUnavailable, match="no GPIO rig here"):
        await target.start()


async def test_rig_plant_moves_the_gate_when_the_board_drives_its_motor():
    factory = MockFactory(pin_class=MockPWMPin)

    wiring = (
        WireRun("gate-1", "motor_open", "GPIO22", "do"),
        WireRun("gate-1", "limit_open", "GPIO4", "di"),
        WireRun("gate-1", "limit_closed", "GPIO17", "di"),
        WireRun("gate-1", "edge", "GPIO12", "ai"),
    )
    rig = Rig(wiring, pin_factory=factory)
    plants = RigPlants(rig, {"gate-1": ("gate", {"travel_s": 0.2}, {})}, period_s=0.01)
    plants.start()
    try:
        assert factory.pin(17).state == 1 and factory.pin(4).state == 0  # closed at start
        assert factory.pin(12).state == pytest.approx(2048 / 4095, abs=0.001)  # healthy edge
        factory.pin(22).drive_high()  # the board drives motor_open
        for _ in range(100):
            await asyncio.sleep(0.01)
            if factory.pin(4).state:
                break
        assert factory.pin(4).state == 1 and factory.pin(17).state == 0
        assert plants.summary("gate-1") == "open"
    finally:
        await plants.close()
        rig.close()


async def test_hardware_target_with_mock_pins_presses_the_panic_button(tmp_path):
    target = HardwareTarget(_write(tmp_path))
    await target.start()
    try:
        await target.press_panic("panic-1")
        # the rig drives the board's button terminal (GPIO8) while the plant holds the press
        assert target._rig._pin("panic-1", "button").value == 1
        assert "pressed" in await target.physical_state("panic-1")
        with pytest.raises(TargetActionUnsupported, match="noise injector"):
            await target.noise("bus-a", 0.01)
        with pytest.raises(TargetActionUnsupported, match="power is not wired"):
            await target.power("gate-1", False)
    finally:
        await target.close()
