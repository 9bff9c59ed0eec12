"""Fire egress, and the fire-during-lockdown rule tested both ways (and the third way)."""

import pytest
from policy_driver import commanded, kinds

from controller.policy import (
    GuardClear,
    GuardFireConfirm,
    GuardLockdown,
    PanicPressed,
    SmokeAlarm,
    SmokeClear,
)
from protocols import events as ev

EVACUATION_GATES = {"main-gate-slider", "main-gate-barrier", "east-pedestrian-gate"}
FIRE_LANE = {"fire-lane-bollard-1", "fire-lane-bollard-2"}


def test_one_detector_in_normal_opens_evacuation_routes(campus):
    decision = campus(SmokeAlarm("library-stacks-smoke", "library"))
    site = campus.site
    assert decision.commands[0].action == "mode_fire"
    assert commanded(site, decision, "open") == EVACUATION_GATES
    assert commanded(site, decision, "lower") == FIRE_LANE
    assert not commanded(site, decision, "lower") & {"pickup-bollard-1", "pickup-bollard-2"}
    assert kinds(decision) == [ev.SMOKE_ALARM, ev.FIRE_CONFIRMED]
    assert "fire_in_normal = one_detector" in decision.log[1].message
    assert [a.kind for a in decision.alarms] == [ev.SMOKE_ALARM, ev.FIRE_CONFIRMED]
    assert campus.state.mode == "fire"
    assert campus.state.zones(site)["library"] == "fire"
    assert campus.state.zones(site)["teaching"] == "normal"


def test_fire_in_normal_two_detectors_waits_for_the_second(make_campus):
    campus = make_campus(fire_in_normal="two_detectors")
    first = campus(SmokeAlarm("library-stacks-smoke", "library"))
    assert not first.commands and kinds(first)[-1] == ev.FIRE_CONFIRM_PENDING
    second = campus(SmokeAlarm("library-reading-smoke", "library"))
    assert commanded(campus.site, second, "open") == EVACUATION_GATES


def _locked_down(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    assert campus.state.mode == "lockdown"


def test_during_lockdown_one_detector_opens_no_gate_two_do(campus):
    _locked_down(campus)
    one = campus(SmokeAlarm("classroom-1a-smoke", "teaching"))
    assert not one.commands
    assert kinds(one) == [ev.SMOKE_ALARM, ev.FIRE_CONFIRM_PENDING]
    pending = one.log[1]
    assert pending.data["rule"] == "fire_during_lockdown"
    assert pending.data["value"] == "two_detectors"
    assert "fire_during_lockdown = two_detectors" in pending.message
    assert "opens NO gate" in pending.message
    assert campus.state.mode == "lockdown"
    repeat = campus(SmokeAlarm("classroom-1a-smoke", "teaching"))  # same detector again
    assert not repeat.commands
    two = campus(SmokeAlarm("classroom-2a-smoke", "teaching"))
    site = campus.site
    assert commanded(site, two, "unlock") == EVACUATION_GATES
    assert commanded(site, two, "open") == EVACUATION_GATES
    assert commanded(site, two, "lower") == FIRE_LANE
    actions = [c.action for c in two.commands]
    assert actions.index("unlock") < actions.index("open")
    # the pick-up bollards stay in lockdown; the lockdown itself stays in force
    mode_fire = next(c for c in two.commands if c.action == "mode_fire")
    assert "pickup-bollard-1" not in mode_fire.targets and "efo" not in actions
    assert campus.state.mode == "fire" and campus.state.lockdowns
    assert "fire_during_lockdown = two_detectors" in two.log[-1].message


def test_during_lockdown_guard_confirm_rule_ignores_detectors(make_campus):
    campus = make_campus(fire_during_lockdown="guard_confirm")
    _locked_down(campus)
    for detector in ("classroom-1a-smoke", "classroom-1b-smoke", "classroom-2a-smoke"):
        decision = campus(SmokeAlarm(detector, "teaching"))
        assert not decision.commands
        assert decision.log[-1].data["value"] == "guard_confirm"
    confirm = campus(GuardFireConfirm("li.na", "guard", "flames seen from the guard room"))
    assert commanded(campus.site, confirm, "open") == EVACUATION_GATES


def test_during_lockdown_one_detector_rule_opens_at_once(make_campus):
    campus = make_campus(fire_during_lockdown="one_detector")
    _locked_down(campus)
    decision = campus(SmokeAlarm("classroom-1a-smoke", "teaching"))
    assert commanded(campus.site, decision, "open") == EVACUATION_GATES


@pytest.mark.parametrize("rule", ["two_detectors", "guard_confirm", "one_detector"])
def test_a_guard_confirmation_always_confirms(make_campus, rule):
    campus = make_campus(fire_during_lockdown=rule)
    _locked_down(campus)
    decision = campus(GuardFireConfirm("chen.jie", "guard", "smoke from the canteen"))
    assert commanded(campus.site, decision, "open") == EVACUATION_GATES
    assert [(a.kind, a.user) for a in decision.alarms] == [(ev.FIRE_CONFIRMED, "chen.jie")]


def test_fire_confirmation_needs_a_listed_guard(campus):
    _locked_down(campus)
    decision = campus(GuardFireConfirm("liu.yang", "technician", "I think"))
    assert not decision.commands and campus.state.fire is None


def test_fire_latches_until_cleared_and_lockdown_comes_back(campus):
    campus(GuardLockdown("li.na", "guard", None, "intruder"))
    campus(SmokeAlarm("classroom-1a-smoke", "teaching"))
    campus(SmokeAlarm("classroom-2a-smoke", "teaching"))
    campus(SmokeClear("classroom-1a-smoke", "teaching"))
    cleared_smoke = campus(SmokeClear("classroom-2a-smoke", "teaching"))
    assert not cleared_smoke.commands and campus.state.fire is not None
    decision = campus(GuardClear("zhang.wei", "supervisor", None, "fire out, intruder caught"))
    assert campus.state.mode == "normal"
    assert ev.FIRE_CLEARED in kinds(decision) and ev.LOCKDOWN_CLEAR in kinds(decision)


def test_zone_lockdown_survives_a_fire_clear_of_the_fire_only(campus):
    campus(GuardLockdown("li.na", "guard", "main-gate", "intruder"))
    campus(GuardFireConfirm("li.na", "guard", "fire in the library"))
    # clearing the zone lockdown leaves the fire; the evacuation gates stay open
    decision = campus(GuardClear("zhang.wei", "supervisor", "main-gate", "intruder caught"))
    assert campus.state.mode == "fire"
    assert not commanded(campus.site, decision, "close")


def test_desired_modes_per_device_during_a_fire_in_a_lockdown(campus):
    from controller.policy import desired_modes

    _locked_down(campus)
    campus(GuardFireConfirm("li.na", "guard", "flames"))
    modes = desired_modes(campus.site, campus.state)
    assert modes["main-gate-slider"] == "fire" and modes["fire-lane-bollard-1"] == "fire"
    assert modes["pickup-bollard-1"] == "lockdown"
    assert modes["classroom-1a-smoke"] == "fire"
    assert "sports-hall-input-module" not in modes  # third-party: no mode register
