"""Patrol in the term report: per local day, per route and per duty shift, against the programme's
goals (daily rate >= 90 %, at least two rounds a shift), from a real event log of three nights.

The route: cp-a then cp-b at 19:00, 21:00, 23:00 and 01:00 (the next morning, still the evening's
round). The gatehouse-night duty window (19:00 -> 07:00) holds all four; the leader's office hours
hold none."""

from datetime import date, timedelta

import pytest

from controller.report.render_html import render, write_plots
from controller.report.term_report import build_report
from controller.store.event_store import EventStore
from tests.controller.operations.ops_site import ops_site
from tests.controller.operations.test_term_report import at

PATROL = '''
[[zones]]
name = "grounds"
description = "Grounds"

[[devices]]
name = "cp-a"
bus = "gate-bus"
unit = 11
role = "checkpoint"
zone = "grounds"

[[devices]]
name = "cp-b"
bus = "gate-bus"
unit = 12
role = "checkpoint"
zone = "grounds"

[[patrol.routes]]
name = "night"
checkpoints = ["cp-a", "cp-b"]
first = "19:00"
every_min = 120
rounds = 4
window_min = 30
'''
HOURS = (19, 21, 23, 1)  # round k starts at HOURS[k - 1]; round 4 on the next calendar day


def _round_at(day: int, number: int, minute: int):
    hour = HOURS[number - 1]
    return at(11, day + (number == 4), hour, minute)


def done(store, day: int, number: int, *, with_day: bool = True) -> None:
    data = {"route": "night", "round": number, "operator": "li.na",
            "times": [["cp-a", "x"], ["cp-b", "y"]]}
    if with_day:  # a log from before the tracker wrote the day: found from the route
        data["day"] = f"2026-11-{day:02d}"
    store.append("patrol.round_complete", "round", device="cp-b", data=data,
                 ts=_round_at(day, number, 10))


def missed(store, day: int, number: int, checkpoints=("cp-a", "cp-b")) -> None:
    for cp in checkpoints:
        store.append("patrol.missed", f"TROUBLE: {cp}", device=cp,
                     data={"route": "night", "round": number, "checkpoint": cp,
                           "day": f"2026-11-{day:02d}", "trouble": "patrol"},
                     ts=_round_at(day, number, 30) + timedelta(seconds=1))


@pytest.fixture
def nights(tmp_path):
    """Mon 2 Nov: all four rounds. Tue 3 Nov: round 1 only (round 2 skips cp-a, round 3 skips
    cp-b, round 4 nobody). Wed 4 Nov, the report made at 22:00: round 1 done, round 2 nobody,
    rounds 3 and 4 not due yet."""
    store = EventStore(tmp_path / "events.db")
    for number in (1, 2, 3):
        done(store, 2, number)
    done(store, 2, 4, with_day=False)
    done(store, 3, 1)
    missed(store, 3, 2, ["cp-a"])
    missed(store, 3, 3, ["cp-b"])
    missed(store, 3, 4)
    done(store, 4, 1)
    missed(store, 4, 2)
    store.append("patrol.read", "late", device="cp-a",
                 data={"uid": 1, "operator": "li.na", "rounds": [], "late": True},
                 ts=at(11, 3, 21, 40))
    store.close()
    return tmp_path


def report_of(state_dir):
    site = ops_site(PATROL)
    return build_report(site, state_dir, None, date(2026, 11, 2), date(2026, 11, 4),
                        now=at(11, 4, 22))


def test_patrol_per_day_route_and_shift_match_the_log(nights):
    p = report_of(nights)["patrol"]
    # 12 rounds asked for, 6 done; the two whose window is still open are not judged yet: 6 / 10
    assert (p["rounds_done"], p["rounds_required"], p["rounds_pending"], p["completion_pct"]) \
        == (6, 12, 2, 60.0)
    assert (p["missed_checkpoints"], p["late_checkpoints"]) == (6, 1)
    assert p["daily_rate_goal_pct"] == 90 and p["shift_rounds_goal"] == 2
    assert p["days"] == [
        {"date": "2026-11-02", "rounds_required": 4, "rounds_done": 4, "pending": 0,
         "missed_checkpoints": 0, "rate_pct": 100.0},
        {"date": "2026-11-03", "rounds_required": 4, "rounds_done": 1, "pending": 0,
         "missed_checkpoints": 4, "rate_pct": 25.0},
        {"date": "2026-11-04", "rounds_required": 4, "rounds_done": 1, "pending": 2,
         "missed_checkpoints": 2, "rate_pct": 50.0}]
    assert p["days_below_goal"] == ["2026-11-03", "2026-11-04"]
    assert p["routes"] == [{"route": "night", "rounds_required": 12, "rounds_done": 6,
                            "pending": 2, "missed_checkpoints": 6, "rate_pct": 60.0}]
    night, leader = p["shifts"]
    # the 3 Nov night had one round done: under two; the 4 Nov night is not over
    assert night == {"window": "gatehouse-night", "shifts": 3, "patrolled": True,
                     "rounds_required": 12, "rounds_done": 6, "pending": 2,
                     "missed_checkpoints": 6, "rate_pct": 60.0,
                     "under_two": ["2026-11-03T11:00:00.000Z"], "scheduled_under_two": 0}
    assert (leader["window"], leader["shifts"], leader["patrolled"], leader["under_two"]) == \
        ("leader", 3, False, [])


def test_a_round_after_midnight_without_its_day_in_the_log_is_found_from_the_route(nights):
    # round 4 of 2 Nov was logged at 01:10 on 3 Nov without "day": it is still the 2nd's
    assert report_of(nights)["patrol"]["days"][0]["rounds_done"] == 4


def test_every_day_at_goal_lists_no_day_below_it(tmp_path):
    store = EventStore(tmp_path / "events.db")
    for day in (2, 3, 4):
        for number in (1, 2, 3, 4):
            if (day, number) < (4, 3):
                done(store, day, number)
    store.close()
    p = report_of(tmp_path)["patrol"]
    assert p["days_below_goal"] == []
    assert [d["rate_pct"] for d in p["days"]] == [100.0, 100.0, 100.0]
    assert p["shifts"][0]["under_two"] == []


def test_site_without_routes_has_no_breakdown(tmp_path):
    EventStore(tmp_path / "events.db").close()
    site = ops_site()
    p = build_report(site, tmp_path, None, date(2026, 11, 2), date(2026, 11, 4),
                     now=at(11, 4, 22))["patrol"]
    assert p["rounds_required"] is None and "days" not in p


def test_html_shows_patrol_per_day_route_and_shift_in_both_languages(nights, tmp_path):
    report = report_of(nights)
    plots = write_plots(report, tmp_path)
    assert (tmp_path / plots["patrol"]).stat().st_size > 1000
    zh, en = render(report, "zh-CN", plots), render(report, "en", plots)
    assert "每日巡查率目标 ≥90%" in zh and "按值班班次" in zh and "无路线在此时段巡查" in zh
    assert "Daily patrol rate goal ≥ 90 %" in en and "Per duty shift" in en
    assert '<tr><td>2026-11-03</td><td>4</td><td>1</td><td>0</td><td>4</td>' \
        '<td><span class="bad">25 %</span></td></tr>' in en
    assert '<td><span class="good">100 %</span></td>' in en
    assert "2026-11-03, 2026-11-04" in en  # the days below the goal
    assert '<img src="patrol.png"' in en
    assert "2026-11-03 21:40" in en  # the late read, in site-local time
    assert "6 / 12 (60 %; Window still open: 2)" in en  # judged over the rounds already due
