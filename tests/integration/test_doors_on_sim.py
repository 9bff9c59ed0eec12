"""Doors on the simulated campus with the host (issue 15 "Done when"): a zone lockdown locks every
door of that zone while REX still lets people out; a fire releases the evacuation-route doors.
Real door firmware under MicroPython on a timed RS-485 bus, the host in its own process."""

from __future__ import annotations

import pytest
from running_campus import HERE, RunningCampus, wait_until

from protocols import events as E

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120), pytest.mark.xdist_group(name="doors-on-sim")]

SITE = HERE / "doors-campus.toml"
TEACHING = ("classroom-1a-door", "classroom-1b-door")


@pytest.fixture(scope="module")
def campus(tmp_path_factory):
    running = RunningCampus(tmp_path_factory.mktemp("doors"), SITE).start()
    try:
        yield running
    finally:
        running.stop()


def door_states(campus) -> dict[str, str]:
    return {d["name"]: d["state"] for d in campus.status()["devices"]}


def plant(campus, name: str, part: str = "state") -> dict:
    from sim.control_client import request

    status = request(campus.sim_dir, {"op": "status"})
    return next(d for d in status["devices"] if d["name"] == name)["plant"][part]


def test_zone_lockdown_locks_its_doors_and_rex_still_lets_people_out(campus):
    assert campus.act("lockdown", "li.na", "intruder in the teaching block", zone="teaching")["ok"]
    wait_until(lambda: all(door_states(campus)[d] == "locked" for d in TEACHING), 20,
               "every teaching door locked")
    locked_devices = {d["name"]: d for d in campus.status()["devices"]}
    assert all(locked_devices[d]["commanded"] in ("locked", "") for d in TEACHING)
    assert door_states(campus)["kindergarten-room-door"] != "forced_open"
    # the physical lock holds: the maglock energised, the strike (fail-secure) not
    assert plant(campus, "classroom-1a-door", "outputs")["lock_coil"] == 1
    assert plant(campus, "classroom-1b-door", "outputs")["lock_coil"] == 0
    for door in TEACHING:
        before = plant(campus, door)["egress"]
        campus.inject("rex", door)
        wait_until(lambda door=door, before=before: plant(campus, door)["egress"] == before + 1, 10,
                   f"a person to get out through {door}")
        assert plant(campus, door)["egress_blocked"] == 0, "REX must always release the lock"
        wait_until(lambda door=door: not plant(campus, door)["open"], 10, f"{door} to swing shut")
        wait_until(lambda door=door: door_states(campus)[door] == "locked", 15,
                   f"{door} locked again after the REX release")
    assert not campus.events(E.DOOR_FORCED), "egress through REX is never a forced door"
    # an unlock command is refused by the door during lockdown (all-or-nothing, exception 04)
    assert door_states(campus)["classroom-1a-door"] == "locked"


def test_forced_door_is_an_alarm_event(campus):
    import time

    time.sleep(1.5)  # past the relock grace (a door may bounce as its lock re-engages)
    campus.inject("door-force", "classroom-1b-door")
    wait_until(lambda: campus.events(E.DOOR_FORCED), 10, "the forced-door event")
    assert campus.events(E.DOOR_FORCED)[0].device == "classroom-1b-door"


def test_fire_releases_evacuation_route_doors_only(campus):
    assert campus.act("fire-confirm", "li.na", "fire seen in the teaching block")["ok"]
    wait_until(lambda: door_states(campus)["classroom-1a-door"] == "unlocked", 20,
               "the evacuation-route classroom door released")
    assert plant(campus, "classroom-1a-door", "outputs")["lock_coil"] == 0, "maglock released"
    wait_until(lambda: door_states(campus)["kindergarten-room-door"] == "unlocked", 20,
               "the evacuation-route kindergarten door released")
    assert door_states(campus)["classroom-1b-door"] in ("locked", "forced_open")
