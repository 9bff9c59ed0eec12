"""Drills actuate the devices like the real thing, are marked drill, and raise no real alarm."""

from hil.scenarios.waiting import eventually


async def _mode(campus) -> str:
    return (await campus.status())["mode"]


async def test_lockdown_drill_locks_the_barriers_and_is_marked_drill(campus):
    await campus.host.drill("lockdown", "HIL: term drill")

    async def locked() -> bool:
        status = await campus.status()
        return status["mode"] == "drill" and all(
            d["state"] in ("locked", "up") for d in status["devices"] if d["role"] in ("gate", "bollard")
        )

    await eventually(locked, 15.0, "barriers locked down by the drill")
    await campus.host.drill("end", "HIL: drill over")

    async def normal() -> bool:
        return await _mode(campus) == "normal"

    await eventually(normal, 10.0, "normal after the drill ends")
    events = await campus.host.events()
    assert any(e["kind"] == "drill.start" and e.get("drill") for e in events)
    real_alarms = [e for e in events if e["kind"].startswith("alarm.") and not e.get("drill")]
    assert real_alarms == [], "a drill must never send a real alarm to the police"


async def test_fire_drill_opens_the_evacuation_routes(campus):
    await campus.host.drill("fire", "HIL: evacuation drill")

    async def open_routes() -> bool:
        for gate in campus.names("gate"):
            if await campus.target.physical_state(gate) != "open":
                return False
        return True

    await eventually(open_routes, 15.0, "evacuation gates open in the fire drill")
    assert await _mode(campus) == "drill"
