"""Arrival and dismissal windows, in the site's timezone; lockdown and fire override them, and a
schedule never undoes a lockdown."""

from datetime import datetime, timezone

from policy_driver import commanded, kinds

from controller.policy import GuardClear, GuardLockdown, Tick
from protocols import events as ev

PICKUP = {"pickup-bollard-1", "pickup-bollard-2"}
# Tuesday 2026-11-24 07:19 in Shanghai (UTC+8): one minute before the morning window.
BEFORE_ARRIVAL = datetime(2026, 11, 23, 23, 19, tzinfo=timezone.utc)


def test_window_opens_the_gate_and_raises_the_pickup_bollards_then_undoes_it(make_campus):
    campus = make_campus(now=BEFORE_ARRIVAL)
    assert not campus(Tick(), after_s=30).commands  # 07:19:30: not yet
    start = campus(Tick(), after_s=30)  # 07:20:00
    assert commanded(campus.site, start, "open") == {"east-pedestrian-gate"}
    assert commanded(campus.site, start, "raise") == PICKUP
    assert kinds(start) == [ev.SCHEDULE_START]
    assert not campus(Tick(), after_s=60).commands  # no repeat inside the window
    end = campus(Tick(), after_s=50 * 60)  # 08:11
    assert commanded(campus.site, end, "close") == {"east-pedestrian-gate"}
    assert commanded(campus.site, end, "lower") == PICKUP
    assert kinds(end) == [ev.SCHEDULE_END]


def test_no_window_at_the_same_utc_time_on_a_holiday(make_campus):
    # Thursday 2026-10-01 07:20 Shanghai is a listed holiday.
    campus = make_campus(now=datetime(2026, 9, 30, 23, 19, tzinfo=timezone.utc))
    assert not campus(Tick(), after_s=120).commands


def test_lockdown_overrides_the_window_and_the_window_end_does_not_undo_it(make_campus):
    campus = make_campus(now=BEFORE_ARRIVAL)
    campus(Tick(), after_s=60)
    lockdown = campus(GuardLockdown("li.na", "guard", None, "intruder"))
    assert commanded(campus.site, lockdown, "close") == campus.names("gate")
    assert commanded(campus.site, lockdown, "efo") == campus.names("bollard")
    assert ev.POLICY_DECISION in kinds(lockdown)  # "schedule overridden", with the reason
    end = campus(Tick(), after_s=60 * 60)
    assert not end.commands
    assert campus.state.mode == "lockdown"
    # cleared inside no window: gates unlock but nothing opens by itself
    clear = campus(GuardClear("zhang.wei", "supervisor", None, "all clear"))
    assert not commanded(campus.site, clear, "open") and not commanded(campus.site, clear, "lower")


def test_window_starting_during_a_lockdown_is_not_applied_and_does_not_resume(make_campus):
    campus = make_campus(now=BEFORE_ARRIVAL)
    campus(GuardLockdown("li.na", "guard", None, "intruder"))
    start = campus(Tick(), after_s=60)
    assert not start.commands and "not applied" in start.log[0].message
    campus(GuardClear("zhang.wei", "supervisor", None, "all clear"))
    assert not commanded(campus.site, campus(Tick()), "open")
