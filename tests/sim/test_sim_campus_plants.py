"""Plants wired to the real firmware through the sim board I/O channel, and device power cycles."""

from __future__ import annotations

import asyncio
import json

import pytest
from sim_modbus_helpers import PoliteMaster
from sim_test_support import write_site

from protocols import registers as R
from sim import Campus

pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]

SITE = """
    [site]
    name = "plant wiring"
    timezone = "UTC"

    [[zones]]
    name = "z"
    description = "test zone"

    [[buses]]
    name = "line"
    baud = 115200
    port = "/dev/null"

    [[devices]]
    name = "gate"
    bus = "line"
    unit = 1
    role = "gate"
    zone = "z"
    [devices.plant]
    travel_s = 1.0

    [[devices]]
    name = "bollard"
    bus = "line"
    unit = 2
    role = "bollard"
    zone = "z"

    [[devices]]
    name = "station"
    bus = "line"
    unit = 3
    role = "panic"
    zone = "z"

    [[devices]]
    name = "detector"
    bus = "line"
    unit = 4
    role = "smoke"
    zone = "z"
"""

GATE_STATE = R.address(R.GATE, "state")
GATE_INPUTS = R.address(R.GATE, "inputs")
PANIC_STATE = R.address(R.PANIC, "state")
PANIC_HOLD = R.address(R.PANIC, "hold_ms")
BOLLARD_INPUTS = R.address(R.BOLLARD, "inputs")
RAW_ADC = R.address(R.SMOKE, "raw_adc")


def bit(names, name):
    return 1 << names.index(name)


async def until(predicate, timeout_s: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path, SITE)


async def test_plants_drive_firmware_inputs_and_follow_its_outputs(site, tmp_path):
    async with (
        Campus.start(site, tmp_path / "state") as campus,
        PoliteMaster(campus.ports["line"], 115200) as master,
    ):
        # gate: the firmware's motor output moves the leaf; the limit switch tells it where it is
        assert await master.write(1, R.address(R.GATE, "command"), 1)  # open
        assert await until(lambda: campus.plant("gate").inputs()["limit_open"] == 1, 8.0)
        opened = await master.wait_for(
            1, GATE_STATE, lambda v: v == R.GATE_STATE_NAMES.index("open"), 6.0
        )
        assert opened == [R.GATE_STATE_NAMES.index("open")]
        await campus.inject("obstruct", "gate", "on")
        inputs = await master.wait_for(
            1, GATE_INPUTS, lambda v: v & bit(R.GATE_INPUT_NAMES, "photo_eye_blocked"), 6.0
        )
        assert inputs is not None and inputs[0] & bit(R.GATE_INPUT_NAMES, "photo_eye_blocked")

        # bollard: a load on top reaches its input terminal
        await campus.inject("load", "bollard", "on")
        loaded = await master.wait_for(
            2, BOLLARD_INPUTS, lambda v: v & bit(R.BOLLARD_INPUT_NAMES, "load_on_top"), 6.0
        )
        assert loaded is not None and loaded[0] & bit(R.BOLLARD_INPUT_NAMES, "load_on_top")

        # panic: a person's press latches the alarm; the red LED output reaches the plant
        await campus.inject("panic", "station")
        alarm = await master.wait_for(3, PANIC_STATE, lambda v: v == 1, 6.0)
        assert alarm == [1]
        assert await until(lambda: campus.plant("station").outputs["led_alarm"] == 1, 6.0)
        await asyncio.sleep(campus.plant("station").params.press_s + 0.2)
        assert await master.read(3, PANIC_STATE) == [1]  # latched after the release (GB 50394)
        await campus.inject("panic-reset", "station")
        assert await master.wait_for(3, PANIC_STATE, lambda v: v == 0, 6.0) == [0]

        # smoke: obscuration reaches the ADC at one count per 0.01 %/m above clean air
        await campus.inject("smoke", "detector", 2.5)
        raw = await master.wait_for(4, RAW_ADC, lambda v: v >= R.SMOKE_CLEAN_AIR_COUNTS + 240, 6.0)
        assert raw is not None and abs(raw[0] - (R.SMOKE_CLEAN_AIR_COUNTS + 250)) <= 10


async def test_power_cycle_kills_the_process_keeps_the_plant_and_the_configuration(site, tmp_path):
    async with (
        Campus.start(site, tmp_path / "state") as campus,
        PoliteMaster(campus.ports["line"], 115200) as master,
    ):
        assert await master.write(3, PANIC_HOLD, 500)
        await asyncio.sleep(1.0)  # the firmware batches persisted writes (500 ms)
        station = campus.device("station")
        first_pid = station.process.pid
        await campus.inject("hold", "station", "on")  # held past the new 500 ms hold time
        assert await until(lambda: campus.plant("station").outputs["led_alarm"] == 1, 6.0)

        result = await campus.inject("power", "station", "off")
        assert result["device"]["powered"] is False
        assert station.process.pid is None
        assert await master.read(3, PANIC_STATE, attempts=1) is None  # nobody answers
        assert campus.plant("station").outputs["led_alarm"] == 0  # de-energised
        assert await master.read(4, 0) == [R.ROLE_SMOKE]  # the rest of the bus lives on

        await campus.inject("power", "station", "on")
        assert await until(lambda: station.booted, 15.0)
        assert station.process.pid not in (None, first_pid)
        assert await master.read(3, PANIC_HOLD) == [500]  # the flash kept the parameter
        status = json.loads(json.dumps(campus.status()))
        assert next(d for d in status["devices"] if d["name"] == "station")["boots"] == 2


async def test_cut_drop_silences_one_device_only(site, tmp_path):
    async with (
        Campus.start(site, tmp_path / "state") as campus,
        PoliteMaster(campus.ports["line"], 115200) as master,
    ):
        await campus.inject("cut", "detector", "on")
        assert await master.read(4, 0, attempts=1) is None
        assert await master.read(3, 0) == [R.ROLE_PANIC]
        await campus.inject("cut", "detector", "off")
        assert await master.read(4, 0) == [R.ROLE_SMOKE]
