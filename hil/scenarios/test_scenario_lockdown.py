"""Lockdown: from a panic station, from a guard, for one zone."""

from hil.scenarios.waiting import eventually

BARRIER_FINAL = {"gate": ("locked", "closed"), "bollard": ("up",)}


async def _all_barriers_locked_down(campus, names) -> bool:
    status = await campus.status()
    states = {d["name"]: (d["role"], d["state"]) for d in status["devices"]}
    return status["mode"] == "lockdown" and all(
        states[name][1] in BARRIER_FINAL[states[name][0]] for name in names
    )


async def test_panic_press_locks_down_every_barrier_and_acknowledges_the_station(campus):
    barriers = campus.names("gate") + campus.names("bollard")
    station = campus.names("panic")[0]
    await campus.target.press_panic(station)
    await eventually(lambda: _all_barriers_locked_down(campus, barriers), 15.0, "every barrier locked down")
    for gate in campus.names("gate"):
        assert await campus.target.physical_state(gate) == "closed"
        assert (await campus.target.outputs(gate))["lock"] == 1
    for bollard in campus.names("bollard"):
        assert await campus.target.physical_state(bollard) == "up"
    # GB 50394: the station latches and shows the guard room received it
    await eventually(lambda: _output_is(campus, station, "led_received", 1), 5.0, "station shows 'received'")
    assert (await campus.target.outputs(station))["led_alarm"] == 1


async def _output_is(campus, device, terminal, value) -> bool:
    return (await campus.target.outputs(device)).get(terminal) == value


async def test_guard_command_locks_down_and_only_an_authorised_clear_ends_it(campus):
    barriers = campus.names("gate") + campus.names("bollard")
    await campus.host.lockdown("HIL: intruder reported at the fence")
    await eventually(lambda: _all_barriers_locked_down(campus, barriers), 15.0, "every barrier locked down")
    await campus.host.clear("HIL: all clear", user="zhang.wei")

    async def normal() -> bool:
        return (await campus.status())["mode"] == "normal"

    await eventually(normal, 10.0, "campus back to normal after the supervisor's clear")


async def test_zone_lockdown_moves_only_that_zone(campus):
    side_gates = campus.names("gate", zone="side")
    front_gates = campus.names("gate", zone="front")
    await campus.host.lockdown("HIL: incident at the side gate", zone="side")

    async def side_locked() -> bool:
        status = await campus.status()
        states = {d["name"]: d["state"] for d in status["devices"]}
        return status["zones"].get("side") == "lockdown" and all(states[g] == "locked" for g in side_gates)

    await eventually(side_locked, 15.0, "side zone locked down")
    status = await campus.status()
    assert status["zones"].get("front") == "normal"
    for gate in front_gates:
        assert (await campus.target.outputs(gate))["lock"] == 0, "a gate outside the zone was locked"
    commanded = {d["name"]: d["commanded"] for d in status["devices"]}
    for name in campus.names("bollard", zone="front"):
        assert commanded[name] in (None, "", "down"), "a bollard outside the zone was commanded: %s" % commanded[name]
