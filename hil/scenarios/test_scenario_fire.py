"""Fire: evacuation opens egress; during a lockdown one detector opens nothing, two do."""

import asyncio

from hil.scenarios.waiting import eventually

SMOKE_PCT_PER_M = 5.0  # well over the default 3 %/m alarm threshold


async def _egress_open(campus) -> bool:
    gates = [g for g in campus.names("gate")]
    bollards = campus.names("bollard")
    for gate in gates:
        if await campus.target.physical_state(gate) != "open":
            return False
    for bollard in bollards:
        if await campus.target.physical_state(bollard) != "down":
            return False
    return True


async def test_one_detector_opens_the_evacuation_routes(campus):
    for bollard in campus.names("bollard"):
        await campus.target.place(bollard, 1.0)  # raised: fire must lower the fire lane
    detector = campus.names("smoke")[0]
    await campus.target.smoke(detector, SMOKE_PCT_PER_M)

    async def fire_mode() -> bool:
        return (await campus.status())["mode"] == "fire"

    await eventually(fire_mode, 10.0, "fire mode (NFPA 72: control within 10 s)")
    await eventually(lambda: _egress_open(campus), 10.0, "evacuation gates open and fire-lane bollards down")


async def _lockdown(campus) -> None:
    await campus.host.lockdown("HIL: armed intruder")

    async def locked() -> bool:
        return (await campus.status())["mode"] == "lockdown"

    await eventually(locked, 10.0, "lockdown")


async def test_fire_during_lockdown_one_detector_opens_nothing(campus):
    await _lockdown(campus)
    await campus.target.smoke(campus.names("smoke")[0], SMOKE_PCT_PER_M)
    await asyncio.sleep(4.0)  # detector alarm + several poll cycles
    status = await campus.status()
    assert status["mode"] == "lockdown", "GB 50116 §4.1.6: one detector alone must not open a locked-down campus"
    for gate in campus.names("gate"):
        assert await campus.target.physical_state(gate) == "closed"


async def test_fire_during_lockdown_two_detectors_open_the_routes(campus):
    await _lockdown(campus)
    first, second = campus.names("smoke")[:2]
    await campus.target.smoke(first, SMOKE_PCT_PER_M)
    await campus.target.smoke(second, SMOKE_PCT_PER_M)
    await eventually(lambda: _egress_open(campus), 15.0, "two detectors ('AND' logic) open the evacuation routes")
