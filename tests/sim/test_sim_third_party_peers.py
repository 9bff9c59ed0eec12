"""Third-party devices emulated from their profiles, read through the pty by pymodbus and mbpoll,
with faults injected through the control socket the CLI uses."""

from __future__ import annotations

import asyncio
import json

import pytest
from pymodbus.client import AsyncModbusSerialClient
from pymodbus.exceptions import ModbusException

from sim import Campus
from sim.control_client import request
from sim.errors import SimError

pytestmark = pytest.mark.timeout(60)


async def mbpoll_read(mbpoll: str, port: str, unit: int, table: str, count: int) -> list[int]:
    process = await asyncio.create_subprocess_exec(
        mbpoll,
        "-m",
        "rtu",
        "-b",
        "19200",
        "-P",
        "none",
        "-a",
        str(unit),
        "-t",
        table,
        "-r",
        "1",
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
    assert process.returncode == 0, err.decode()
    values = []
    for line in out.decode().splitlines():
        if line.startswith("["):
            values.append(int(line.split()[-1], 0))
    return values


async def client_for(port: str) -> AsyncModbusSerialClient:
    client = AsyncModbusSerialClient(port, baudrate=19200, timeout=0.3, retries=0)
    assert await client.connect()
    return client


async def cli(state_dir, action: str, target: str, *rest: str) -> dict:
    """An injection through the control socket, as `campusguard sim inject` sends it."""
    value = rest[-1] if rest else None
    result = await asyncio.to_thread(
        request, state_dir, {"op": "inject", "action": action, "target": target, "value": value}
    )
    return {"ok": True, "result": result}


async def test_pymodbus_and_mbpoll_read_the_profiles_through_the_pty(
    third_party_site, tmp_path, mbpoll
):
    state = tmp_path / "state"
    async with Campus.start(third_party_site, state) as campus:
        described = json.loads((state / "sim.json").read_text())
        assert described["ready"] is True
        port = described["buses"]["b1"]["port"]
        assert port == campus.ports["b1"] and port.startswith("/dev/pts/")
        assert {d["role"] for d in described["devices"]} == {"generic-rs485-smoke", "generic-di-8"}

        client = await client_for(port)
        try:
            await cli(state, "panic", "pool-panic")  # closed for 1 s, as a person presses it
            inputs = await client.read_discrete_inputs(0, count=8, device_id=31)
            assert inputs.bits[:8] == [False, True, False, False, False, False, False, False]
            await cli(state, "smoke", "gym-smoke", "--level", "4.5")
            await asyncio.sleep(1.0)  # the smoke ramps at 5 %/m per second
            smoke = await client.read_holding_registers(0, count=3, device_id=30)
            assert smoke.registers == [1, 450, 0]  # alarm, 4.50 %/m at scale 0.01, no fault
            refused = await client.read_holding_registers(10, count=1, device_id=30)
            assert refused.isError() and refused.exception_code == 2
        finally:
            client.close()
        assert await mbpoll_read(mbpoll, port, 30, "4", 3) == [1, 450, 0]
        await cli(state, "smoke", "gym-smoke", "--level", "0")
        await cli(state, "chamber", "gym-smoke", "dead")
        assert await mbpoll_read(mbpoll, port, 30, "4", 3) == [0, 0, 1]
        assert campus.bus("b1").counters.frames >= 8


async def test_faults_corrupt_drop_and_cut_reach_the_host(third_party_site, tmp_path):
    state = tmp_path / "state"
    async with Campus.start(third_party_site, state) as campus:
        client = await client_for(campus.ports["b1"])
        bus = campus.bus("b1")

        async def read_ok(unit: int) -> bool:
            try:
                reply = (
                    await client.read_holding_registers(0, count=1, device_id=unit)
                    if unit == 30
                    else await client.read_discrete_inputs(0, count=8, device_id=unit)
                )
            except ModbusException:
                return False
            return not reply.isError()

        try:
            assert await read_ok(30) and await read_ok(31)

            await cli(state, "corrupt", "b1", "--rate", "1")
            assert not await read_ok(30)
            assert bus.counters.corrupted_bytes > 0
            await cli(state, "corrupt", "b1", "--rate", "0")

            await cli(state, "drop", "b1", "--rate", "1")
            assert not await read_ok(30)
            assert bus.counters.dropped_bytes > 0
            await cli(state, "drop", "b1", "--rate", "0")
            await asyncio.sleep(0.05)
            assert await read_ok(30)

            cut = await cli(state, "cut", "gym-smoke", "on")
            assert cut["result"]["device"]["cut"] is True
            assert not await read_ok(30)
            assert await read_ok(31)  # the rest of the line still works
            await cli(state, "cut", "gym-smoke", "off")
            assert await read_ok(30)

            before = bus.counters.noise_bytes
            await cli(state, "noise", "b1", "--rate", "0.05")
            await asyncio.sleep(0.3)
            await cli(state, "noise", "b1", "--rate", "0")
            assert bus.counters.noise_bytes > before
        finally:
            client.close()


async def test_unknown_device_is_refused_with_the_names_to_use(third_party_site, tmp_path):
    state = tmp_path / "state"
    async with Campus.start(third_party_site, state):
        with pytest.raises(SimError, match="no device or input named 'no-such-thing'"):
            await cli(state, "panic", "no-such-thing")
        with pytest.raises(SimError, match="give a fraction 0..1"):
            await cli(state, "noise", "b1", "--rate", "7")
