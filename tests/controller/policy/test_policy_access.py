"""Doors and intrusion zones in the policy: a zone lockdown locks that zone's doors (through
common.mode: the door firmware refuses entry, REX still works), a campus lockdown every door, a fire
puts doors in fire mode (evacuation-route doors release); schedule windows unlock doors and arm
intrusion zones, and a lockdown never undoes an arming."""

from datetime import datetime, timezone

from policy_driver import QUIET, commanded, kinds

from controller.policy import GuardClear, GuardFireConfirm, GuardLockdown, Tick
from controller.policy.inputs import IntrusionAlarm, IntrusionBypass
from controller.policy.targets import desired_modes
from protocols import events as ev

TEACHING_DOORS = {"classroom-1a-door", "classroom-1b-door"}
FENCES = {"north-fence-intrusion", "south-fence-intrusion"}
# Tuesday 2026-11-24 07:19 in Shanghai: one minute before the morning window.
BEFORE_ARRIVAL = datetime(2026, 11, 23, 23, 19, tzinfo=timezone.utc)


def test_zone_lockdown_locks_that_zones_doors_and_campus_lockdown_every_door(make_campus):
    campus = make_campus(now=BEFORE_ARRIVAL)
    campus(GuardLockdown("li.na", "guard", "teaching", "intruder in the teaching block"))
    modes = desired_modes(campus.site, campus.state)
    assert {modes[d] for d in TEACHING_DOORS} == {"lockdown"}
    assert modes["dormitory-main-door"] == modes["kindergarten-room-door"] == "normal"
    campus(GuardLockdown("li.na", "guard", None, "campus lockdown"))
    modes = desired_modes(campus.site, campus.state)
    assert {modes[d] for d in campus.names("door")} == {"lockdown"}


def test_fire_puts_every_door_in_fire_mode(make_campus):
    campus = make_campus(now=BEFORE_ARRIVAL)
    campus(GuardFireConfirm("li.na", "guard", "fire in the kitchen"))
    modes = desired_modes(campus.site, campus.state)
    assert {modes[d] for d in campus.names("door")} == {"fire"}


def test_window_unlocks_classroom_doors_and_a_lockdown_is_never_undone_by_it(make_campus):
    campus = make_campus(now=BEFORE_ARRIVAL)
    campus(Tick(), after_s=30)
    start = campus(Tick(), after_s=30)  # 07:20
    assert commanded(campus.site, start, "unlock") == TEACHING_DOORS | {"kindergarten-room-door"}
    lockdown = campus(GuardLockdown("li.na", "guard", None, "intruder"))
    assert not commanded(campus.site, lockdown, "unlock") & campus.names("door")
    end = campus(Tick(), after_s=60 * 60)  # past 08:10: the window is held, nothing moves
    assert not commanded(campus.site, end, "unlock") and not commanded(campus.site, end, "lock")
    clear = campus(GuardClear("zhang.wei", "supervisor", None, "all clear"))
    assert not commanded(campus.site, clear, "unlock") & campus.names("door")


def test_night_window_arms_the_perimeter_and_a_lockdown_never_disarms_it(make_campus):
    campus = make_campus(now=QUIET)  # Sunday 20:00 in Shanghai
    start = campus(Tick())
    assert commanded(campus.site, start, "arm") == FENCES
    lockdown = campus(GuardLockdown("li.na", "guard", None, "intruder"))
    assert not commanded(campus.site, lockdown, "disarm")
    later = campus(Tick(), after_s=5 * 3600)  # past midnight and 05:00: still held
    assert not commanded(campus.site, later, "disarm")


def test_burglary_is_reported_and_waits_for_a_guard_even_in_lockdown(make_campus):
    campus = make_campus(now=QUIET)
    campus(GuardLockdown("li.na", "guard", None, "intruder"))
    alarm = campus(IntrusionAlarm("north-fence-intrusion", "perimeter", (2,)))
    assert [r.kind for r in alarm.alarms] == [ev.INTRUSION_ALARM]
    assert alarm.alarms[0].zone == "perimeter" and not alarm.alarms[0].restore
    assert ev.INTRUSION_ALARM in kinds(alarm) and "stays shown" in alarm.log[0].message
    assert "north-fence-intrusion" in campus.state.unacknowledged
    assert not commanded(campus.site, alarm, "disarm")
    bypass = campus(IntrusionBypass("south-fence-intrusion", "perimeter", (1,)))
    assert [(r.kind, r.restore) for r in bypass.alarms] == [(ev.INTRUSION_BYPASS, False)]
