"""The host against the simulated campus (issue 5 "Done when"): real firmware under MicroPython
on timed RS-485 buses (ptys), the host in its own process, both driven through their sockets."""

from __future__ import annotations

import time

import pytest
from running_campus import RunningCampus, wait_until

from protocols import events as E

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

GATES = ("main-gate-barrier", "side-gate")
BOLLARDS = ("fire-lane-bollard",)


@pytest.fixture
def campus(tmp_path):
    running = RunningCampus(tmp_path).start()
    try:
        yield running
    finally:
        running.stop()


def barrier_states(campus) -> dict[str, str]:
    return {d["name"]: d["state"] for d in campus.status()["devices"] if d["name"] in GATES + BOLLARDS}


def test_panic_press_locks_down_every_barrier_and_two_guards_clear_it(campus):
    campus.inject("panic", "kindergarten-panic")
    wait_until(lambda: barrier_states(campus) == {"main-gate-barrier": "locked", "side-gate": "locked",
                                                  "fire-lane-bollard": "up"}, 20,
               "every gate locked and every bollard up")
    status = campus.status()
    assert status["mode"] == "lockdown"
    assert all(mode == "lockdown" for mode in status["zones"].values())

    why = campus.events(E.LOCKDOWN_SET)
    assert why and "kindergarten-panic" in why[0].message, "the log says why"
    sent = [e for e in campus.events(E.COMMAND_SENT) if e.data.get("broadcast")]
    # building-bus also carries third-party devices: no broadcast may write our mode register there
    assert {e.data["bus"] for e in sent} == {"gate-bus"}, "one broadcast on the bus that is all ours"
    assert all(e.data["trigger"] == E.PANIC_ALARM and e.data["t0_to_t1_ms"] >= 0 for e in sent)
    physical = [e for e in campus.events(E.COMMAND_CONFIRMED) if e.data["stage"] == "physical"]
    assert {e.device for e in physical} >= set(GATES + BOLLARDS)

    first = campus.act("clear", "li.na", "all clear from police")
    assert campus.status()["mode"] == "lockdown", "one guard alone never clears"
    assert first["ok"]
    campus.act("clear", "chen.jie", "confirmed all clear")
    wait_until(lambda: campus.status()["mode"] == "normal", 5, "the second guard's clear")
    assert campus.events(E.LOCKDOWN_CLEAR)


def test_one_smoke_detector_during_lockdown_opens_no_gate_two_do(campus):
    assert campus.act("lockdown", "li.na", "intruder reported at the fence")["ok"]
    wait_until(lambda: barrier_states(campus)["main-gate-barrier"] == "locked", 20, "gate locked")

    campus.inject("smoke", "classroom-smoke", 5.0)
    wait_until(lambda: campus.events(E.FIRE_CONFIRM_PENDING), 15, "the one-detector rule to hold")
    time.sleep(2.0)  # long enough for a wrongly opened gate to be moving
    assert barrier_states(campus)["main-gate-barrier"] == "locked"
    assert campus.status()["mode"] == "lockdown"

    campus.inject("smoke", "gym-smoke-sensor", 5.0)  # a third-party sensor (profile data)
    wait_until(lambda: campus.events(E.FIRE_CONFIRMED), 15, "the second detector to confirm fire")
    wait_until(lambda: barrier_states(campus)["main-gate-barrier"] == "open", 20,
               "the evacuation-route gate to open")
    wait_until(lambda: barrier_states(campus)["fire-lane-bollard"] == "down", 20,
               "the fire-lane bollard to lower")
    assert barrier_states(campus)["side-gate"] == "locked", "a gate off the evacuation route stays shut"


def test_fire_drill_actuates_devices_and_raises_no_real_alarm(campus):
    start_id = max((e.id for e in campus.events()), default=0)
    assert campus.act("drill", "li.na", "term fire drill", kind="fire")["ok"]
    wait_until(lambda: barrier_states(campus)["main-gate-barrier"] == "open", 20,
               "the drill to open the evacuation gate")
    assert campus.status()["mode"] == "drill"
    campus.act("drill", "li.na", "drill over", kind="end")
    # trouble reports (a device fault) are real whenever they happen; what the drill itself causes
    # must all be test reports
    reports = [e for e in campus.events(E.ALARM_QUEUED) if e.id > start_id
               and E.family(e.data["report"]) != "trouble"]
    assert reports, "the drill is reported (as a test report)"
    assert all(e.drill for e in reports), [e.message for e in reports if not e.drill]
    assert all(e.drill for e in campus.events(E.COMMAND_SENT) if e.id > start_id)


def test_dead_device_does_not_delay_the_lockdown_command_to_the_others(campus):
    campus.inject("power", "side-gate", "off")  # dead, and not yet known to be dead
    t0 = time.monotonic()
    assert campus.act("lockdown", "zhang.wei", "armed intruder")["ok"]
    wait_until(lambda: barrier_states(campus)["main-gate-barrier"] == "locked"
               and barrier_states(campus)["fire-lane-bollard"] == "up", 20, "live barriers secured")
    sent = [e for e in campus.events(E.COMMAND_SENT) if e.data.get("bus") == "gate-bus"]
    assert sent[0].data["t0_to_t1_ms"] < 500, "the frame waits for one transaction, not a dead device"
    confirmed = wait_until(lambda: {e.device: e.data["t0_to_t2_ms"] for e in campus.events(E.COMMAND_CONFIRMED)
                                    if e.device in ("main-gate-barrier", "fire-lane-bollard")}
                           if len({e.device for e in campus.events(E.COMMAND_CONFIRMED)} &
                                  {"main-gate-barrier", "fire-lane-bollard"}) == 2 else None,
                           10, "both live barriers confirmed")
    assert min(confirmed.values()) < 3000
    assert "side-gate" not in {e.device for e in campus.events(E.COMMAND_CONFIRMED)}
    wait_until(lambda: not campus.device("side-gate")["online"], 10, "the dead gate marked offline")
    assert time.monotonic() - t0 < 30


def test_kill_9_of_the_host_loses_no_event_and_keeps_the_lockdown(campus):
    campus.inject("panic", "sports-hall-panic")  # a panic button on a third-party input module
    wait_until(lambda: campus.status()["mode"] == "lockdown", 15, "lockdown")
    reply = campus.act("ack", "li.na", "guard on the way")
    assert reply["ok"]
    seen = [(e.id, e.kind, e.message) for e in campus.events()]  # all the host has stored so far
    campus.kill_host()
    after = {(e.id, e.kind, e.message) for e in campus.events()}
    assert set(seen) <= after, "every event the store had is still there after kill -9"
    assert any(k == E.OPERATOR_ACTION for _, k, _ in seen), "the acknowledged action was durable"

    campus.start_host(wait_for_devices=False)
    assert campus.status()["mode"] == "lockdown", "a restarted host keeps the lockdown"
    assert any(e.kind == E.SERVICE_START for e in campus.events() if e.id > max(i for i, _, _ in seen))
