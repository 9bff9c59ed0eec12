"""Faults: comm loss, power loss mid-rise, a noisy bus, a dead device, the host killed."""

import asyncio
import time

from hil.scenarios.waiting import eventually

COMM_LOSS_S = 8  # scenario-campus.toml policy.comm_loss_timeout_s


async def test_comm_loss_each_role_falls_back_safely(campus):
    gate, bollard = campus.names("gate")[0], campus.names("bollard")[0]
    station, detector = campus.names("panic")[0], campus.names("smoke")[0]
    await campus.host.stop()  # the host goes away: no more heartbeats
    await asyncio.sleep(COMM_LOSS_S + 1.5)
    gate_out = await campus.target.outputs(gate)
    assert gate_out["motor_open"] == 0 and gate_out["motor_close"] == 0, "gate: stop on comm loss"
    assert (await campus.target.outputs(bollard))["valve_down"] == 0, "bollard: fail-secure, never lowers"
    # the stations keep working on their own
    pressed = await campus.target.press_panic(station)
    assert await campus.target.wait_output(station, "led_alarm", 1, pressed, 3.0) is not None, "panic latches locally"
    smoked = await campus.target.smoke(detector, 5.0)
    assert await campus.target.wait_output(detector, "relay", 1, smoked, 5.0) is not None, "smoke relay works locally"


async def test_bollard_losing_power_mid_rise_holds_then_finishes(campus):
    bollard = campus.names("bollard")[0]
    started = time.monotonic()
    await campus.host.lockdown("HIL: power cut during the rise")
    rising = await campus.target.wait_output(bollard, "efo_valve", 1, started, 10.0)
    assert rising is not None, "the bollard never began its emergency rise"
    await asyncio.sleep(0.2)
    await campus.act(lambda: campus.target.power(bollard, False))
    held = campus.target.plant_state(bollard)["position"] if hasattr(campus.target, "plant_state") else None
    await asyncio.sleep(1.0)
    if held is not None:
        assert 0.0 < held < 1.0, "power was cut mid-rise"
        assert campus.target.plant_state(bollard)["position"] >= held - 1e-6, "UFGS: must not lower on failure"
    await campus.act(lambda: campus.target.power(bollard, True))

    async def up() -> bool:
        return await campus.target.physical_state(bollard) == "up"

    await eventually(up, 20.0, "the bollard finishes rising once power is back (host re-sends lockdown)")


async def test_one_percent_byte_corruption_still_locks_down(campus):
    await campus.act(lambda: campus.target.noise("line-a", 0.01))
    await asyncio.sleep(1.0)
    await campus.target.press_panic(campus.names("panic")[0])

    async def locked() -> bool:
        status = await campus.status()
        return status["mode"] == "lockdown" and all(
            d["state"] in ("locked", "up") for d in status["devices"] if d["role"] in ("gate", "bollard")
        )

    await eventually(locked, 20.0, "lockdown through a bus corrupting 1 % of characters")


async def test_dead_device_does_not_delay_the_lockdown(campus):
    dead = campus.names("smoke")[1]
    await campus.act(lambda: campus.target.power(dead, False))

    async def offline() -> bool:
        return not (await campus.device_status(dead))["online"]

    await eventually(offline, 15.0, "the host marks the dead detector offline")
    pressed = await campus.target.press_panic(campus.names("panic")[0])
    gate = campus.names("gate")[0]
    locked = await campus.target.wait_output(gate, "lock", 1, pressed, 5.0)
    assert locked is not None and locked - pressed < 2.0, "GB 50394 2 s: a dead device must not hold up the lockdown"


async def test_host_killed_mid_lockdown_resumes_it(campus):
    await campus.host.lockdown("HIL: lockdown before the host crash")

    async def locked() -> bool:
        return (await campus.status())["mode"] == "lockdown"

    await eventually(locked, 10.0, "lockdown")
    await campus.host.kill()
    await campus.host.start(ready_timeout_s=60.0, want_online=len(campus.target.devices))
    status = await campus.status()
    assert status["mode"] == "lockdown", "a kill -9 must not lose the lockdown"
    for gate in campus.names("gate"):
        assert await campus.target.physical_state(gate) == "closed"
    kinds = [e.get("kind") for e in await campus.host.events()]
    assert "lockdown.set" in kinds
