"""Drills actuate the devices, are marked drill everywhere and raise no real police alarm; a real
alarm during a drill is never swallowed."""

from policy_driver import commanded, kinds

from controller.policy import (
    DrillEnd,
    DrillStart,
    GuardClear,
    GuardLockdown,
    PanicPressed,
    SmokeAlarm,
)
from protocols import events as ev


def test_fire_drill_actuates_marked_drill_and_only_test_reports(campus):
    start = campus(DrillStart("fire", "li.na", "guard", "autumn term fire drill"))
    site = campus.site
    assert commanded(site, start, "open") == {"main-gate-slider", "main-gate-barrier",
                                              "east-pedestrian-gate"}
    assert all(c.drill for c in start.commands)
    assert all(entry.drill for entry in start.log)
    assert [(a.kind, a.drill) for a in start.alarms] == [(ev.DRILL_START, True)]
    assert campus.state.mode == "drill"
    assert set(campus.state.zones(site).values()) == {"fire"}
    end = campus(DrillEnd("li.na", "guard", "drill over"), after_s=600)
    assert end.commands[0].action == "mode_normal" and all(c.drill for c in end.commands)
    assert [(a.kind, a.drill, a.restore) for a in end.alarms] == [(ev.DRILL_START, True, True)]
    assert campus.state.mode == "normal"


def test_lockdown_drill_locks_and_ends_without_a_clear(campus):
    start = campus(DrillStart("lockdown", "chen.jie", "guard", "lockdown drill"))
    assert commanded(campus.site, start, "efo") == campus.names("bollard")
    assert all(c.drill for c in start.commands)
    refused = campus(GuardClear("zhang.wei", "supervisor", None, "clear"))
    assert "drill is running" in refused.log[-1].message
    end = campus(DrillEnd("chen.jie", "guard", "done"))
    assert commanded(campus.site, end, "unlock") == campus.names("gate")


def test_real_panic_during_a_drill_is_real(campus):
    campus(DrillStart("lockdown", "chen.jie", "guard", "lockdown drill"))
    real = campus(PanicPressed("dormitory-panic", "dormitory"))
    assert (ev.PANIC_ALARM, False) in [(a.kind, a.drill) for a in real.alarms]
    assert (ev.LOCKDOWN_SET, False) in [(a.kind, a.drill) for a in real.alarms]
    assert ev.DRILL_END in kinds(real)
    assert campus.state.drill is None and campus.state.mode == "lockdown"
    assert not any(c.drill for c in real.commands)


def test_real_smoke_during_a_fire_drill_is_real(campus):
    campus(DrillStart("fire", "chen.jie", "guard", "fire drill"))
    real = campus(SmokeAlarm("canteen-kitchen-smoke", "canteen"))
    assert (ev.FIRE_CONFIRMED, False) in [(a.kind, a.drill) for a in real.alarms]
    assert campus.state.mode == "fire"


def test_no_drill_during_a_real_lockdown_or_by_a_technician(campus):
    denied = campus(DrillStart("fire", "liu.yang", "technician", "test"))
    assert campus.state.drill is None and not denied.alarms
    campus(GuardLockdown("li.na", "guard", None, "intruder"))
    refused = campus(DrillStart("fire", "li.na", "guard", "drill"))
    assert "real lockdown" in refused.log[-1].message
    assert not refused.commands and campus.state.drill is None
