"""The demo campus on the real firmware: every device answers pymodbus and mbpoll through the ptys,
and the round trip on each bus is no faster than the wire allows."""

from __future__ import annotations

import asyncio
import json

import pytest
from sim_modbus_helpers import PoliteMaster
from sim_test_support import REPO

from protocols import registers
from sim import Campus

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]

DEMO = REPO / "sites" / "demo-campus.toml"
PRODUCT = {role: b"CG-" + role.upper().encode() for role in registers.ROLE_NAMES[1:]}


async def mbpoll_read(
    mbpoll: str, port: str, baud: int, unit: int, table: str, start: int, count: int
) -> list[int]:
    """mbpoll's reading (one retry, as a technician would run it again)."""
    for _ in range(2):
        process = await asyncio.create_subprocess_exec(
            mbpoll,
            "-m",
            "rtu",
            "-b",
            str(baud),
            "-P",
            "none",
            "-a",
            str(unit),
            "-t",
            table,
            "-0",
            "-r",
            str(start),
            "-c",
            str(count),
            "-o",
            "0.5",
            "-1",
            "-q",
            port,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 10)
        if process.returncode == 0:
            return [
                int(line.split()[1]) for line in out.decode().splitlines() if line.startswith("[")
            ]
    raise AssertionError(f"mbpoll unit {unit}: {err.decode()}")


async def test_every_demo_device_answers_pymodbus_and_mbpoll(tmp_path, mbpoll):
    state = tmp_path / "state"
    async with Campus.start(DEMO, state) as campus:
        described = json.loads((state / "sim.json").read_text())
        assert described["ready"] is True and len(described["devices"]) == 38
        for bus_name, bus in described["buses"].items():
            devices = [d for d in described["devices"] if d["bus"] == bus_name]
            async with PoliteMaster(bus["port"], bus["baud"]) as master:
                for device in devices:
                    if device["role"] not in PRODUCT:
                        continue
                    common = await master.read(device["unit"], 0, 28)
                    assert common is not None, f"{device['name']} did not answer"
                    assert common[0] == registers.role_code(device["role"])
                    assert common[24] == device["unit"]  # active_unit
                    identity = await master.identify(device["unit"])
                    assert identity is not None and identity[0] == b"CampusGuard"
                    assert identity[1] == PRODUCT[device["role"]]
            for device in devices:
                if device["role"] in PRODUCT:
                    values = await mbpoll_read(
                        mbpoll, bus["port"], bus["baud"], device["unit"], "4", 0, 1
                    )
                    assert values == [registers.role_code(device["role"])]
                elif device["role"] == "generic-rs485-smoke":
                    assert (
                        len(
                            await mbpoll_read(
                                mbpoll, bus["port"], bus["baud"], device["unit"], "4", 0, 3
                            )
                        )
                        == 3
                    )
                else:
                    assert (
                        len(
                            await mbpoll_read(
                                mbpoll, bus["port"], bus["baud"], device["unit"], "1", 0, 8
                            )
                        )
                        == 8
                    )
        for bus_name in described["buses"]:
            counters = campus.bus(bus_name).counters
            assert counters.collisions == 0 and counters.corrupted_bytes == 0
            assert counters.early_replies == 0, f"{bus_name}: a device answered before t3.5"


async def test_round_trip_is_never_faster_than_the_wire(tmp_path):
    from sim.measure_round_trip import measure_bus

    async with Campus.start(DEMO, tmp_path / "state") as campus:
        described = campus.describe()
        for bus_name, bus in described["buses"].items():
            device = next(
                d for d in described["devices"]
                if d["bus"] == bus_name and d["role"] in ("panic", "door")
            )
            result = await asyncio.to_thread(measure_bus, bus["port"], bus["baud"], [device], 6)
            row = result["devices"][0]
            assert int(row["answered"].split("/")[0]) >= 4  # a loaded host may lose a frame
            # physics: the reply cannot arrive before request + t3.5 + reply have crossed the wire
            assert row["measured_min_ms"] >= row["computed_floor_ms"]
            assert (
                row["measured_median_ms"] < row["computed_floor_ms"] + 100.0
            )  # generous safety bound
