"""Patrol rounds (pure): in-order reads inside a window complete a round; a skipped checkpoint is
trouble at the first tick after its window closes; reads outside every window are late; the site
loader refuses a bad [patrol] with the key and the fix."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from controller.patrol.config import load_patrol
from controller.patrol.tracker import PatrolTracker
from controller.site import SiteError, load_site, load_site_text
from protocols import events as E

TZ = ZoneInfo("Asia/Shanghai")
ROUTE = ["main-gate-checkpoint", "teaching-checkpoint", "dormitory-checkpoint",
         "canteen-checkpoint"]
LI_NA = 0x12D04D2


@pytest.fixture(scope="module")
def site():
    return load_site()


def _tracker(site, started):
    return PatrolTracker(load_patrol(site), TZ, started)


def at(hh, mm, ss=0, day=24):
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=TZ)


def test_reads_in_order_complete_the_round_with_times_and_operator(site):
    tracker = _tracker(site, at(19, 0))
    logs = []
    for i, cp in enumerate(ROUTE):
        logs += tracker.on_read(cp, LI_NA, at(20, 1 + i))
    done = [entry for entry in logs if entry.kind == E.PATROL_ROUND_COMPLETE]
    assert len(done) == 1 and done[0].data["operator"] == "li.na" and done[0].data["round"] == 1
    assert done[0].data["times"] == [[cp, f"20:0{1 + i}:00"] for i, cp in enumerate(ROUTE)]
    assert not tracker.on_tick(at(20, 31))


def test_skipped_checkpoint_is_trouble_at_the_first_tick_after_the_close(site):
    tracker = _tracker(site, at(19, 0))
    for cp in (ROUTE[0], ROUTE[2], ROUTE[3]):
        tracker.on_read(cp, LI_NA, at(20, 5))
    tracker.on_read(ROUTE[1], LI_NA, at(20, 6))  # backwards: not a visit in order
    assert not tracker.on_tick(at(20, 29, 59))
    missed = tracker.on_tick(at(20, 30, 1))
    assert [(m.kind, m.device) for m in missed] == [(E.PATROL_MISSED, "teaching-checkpoint")]
    assert not tracker.on_tick(at(20, 31)), "reported once"


def test_a_round_after_midnight_belongs_to_the_day_its_sequence_started(site):
    # the night round runs 20:00, 22:00, 00:00, 02:00, 04:00: round 3 is on the 25th by the clock
    tracker = _tracker(site, at(19, 0))
    logs = []
    for i, cp in enumerate(ROUTE):
        logs += tracker.on_read(cp, LI_NA, at(0, 1 + i, day=25))
    done = [entry for entry in logs if entry.kind == E.PATROL_ROUND_COMPLETE]
    assert [(d.data["round"], d.data["day"], d.data["start"]) for d in done] == \
        [(3, "2026-11-24", "2026-11-25T00:00:00+08:00")]
    tracker.on_read(ROUTE[0], LI_NA, at(2, 5, day=25))
    missed = tracker.on_tick(at(2, 30, 1, day=25))
    fourth = [m for m in missed if m.data["round"] == 4]  # rounds 1 and 2 nobody walked
    assert [(m.device, m.data["day"]) for m in fourth] == [(cp, "2026-11-24") for cp in ROUTE[1:]]
    assert {m.data["round"] for m in missed} == {1, 2, 4}


def test_late_and_unknown_reads_are_logged_not_counted(site):
    tracker = _tracker(site, at(19, 0))
    late = tracker.on_read(ROUTE[0], 0xBEEF, at(20, 45))
    assert late[0].data["late"] and "unknown tag 0xBEEF" in late[0].message
    elsewhere = tracker.on_read("field-checkpoint", LI_NA, at(20, 46))  # on no route
    assert len(elsewhere) == 1 and not elsewhere[0].data["late"]
    assert elsewhere[0].data["rounds"] == [] and "on no patrol route" in elsewhere[0].message
    assert len(late) == 1


def test_rounds_over_before_the_host_started_are_not_reported(site):
    tracker = _tracker(site, at(23, 0))
    assert not tracker.on_tick(at(23, 0, 5))  # 20:00, 22:00 rounds were before the start
    missed = tracker.on_tick(at(0, 31, day=25))  # the 00:00 round of the 24th's sequence
    assert {m.device for m in missed} == set(ROUTE)


def test_bad_patrol_is_a_site_problem_with_the_fix(site):
    text = site.path.read_text() + '\n[[patrol.tags]]\nuid = 5\noperator = "nobody"\n'
    with pytest.raises(SiteError) as err:
        load_site_text(text, "bad.toml")
    assert "operator = 'nobody'" in str(err.value) and "name a user" in str(err.value)
