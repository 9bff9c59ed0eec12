"""The host's operations watcher on a real event log and ledger, stepped with explicit times."""

from datetime import datetime, timedelta, timezone

import pytest

from controller.operations.duty import DutyRoster
from controller.operations.hazards import HazardRegister
from controller.operations.ledger import Ledger
from controller.operations.watcher import DUTY_GAP, GATE_OPEN, HAZARD_OVERDUE, OperationsWatcher
from controller.store.event_store import EventStore
from tests.controller.operations.ops_site import ops_site

# Monday 2026-11-02 20:00 in Shanghai (12:00 UTC): the night gatehouse window is staffed.
NIGHT = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(tmp_path):
    store = EventStore(tmp_path / "events.db")
    ledger = Ledger(tmp_path)
    gates = {"side-gate": "closed", "main-gate-barrier": "closed"}
    busy = {"on": False}

    def write(kind, message, device=None, data=None):
        store.append(kind, message, device=device, data=data or {})

    watcher = OperationsWatcher(ops_site(), ledger, lambda **query: store.query(**query),
                                write, lambda: dict(gates), lambda: busy["on"])
    watcher.last_event_id = store.last_id()
    yield watcher, store, ledger, gates, busy
    store.close()
    ledger.close()


def kinds(store, kind):
    return [e for e in store.query(kind=kind)]


def test_a_staffed_window_with_nobody_on_duty_is_trouble_within_a_minute(world):
    watcher, store, ledger, _, _ = world
    watcher.step(NIGHT)
    assert kinds(store, DUTY_GAP) == []  # not yet: the grace is 60 s
    watcher.step(NIGHT + timedelta(seconds=61))
    gaps = kinds(store, DUTY_GAP)
    assert len(gaps) == 1 and gaps[0].data["window"] == "gatehouse-night"
    watcher.step(NIGHT + timedelta(seconds=90))
    assert len(kinds(store, DUTY_GAP)) == 1  # once per gap
    DutyRoster(ledger).sign_on("li.na", "gatehouse-night", now=NIGHT + timedelta(seconds=95))
    watcher.step(NIGHT + timedelta(seconds=100))
    restores = [e for e in kinds(store, "trouble.restore") if e.data.get("trouble") == "duty_gap"]
    assert len(restores) == 1


def test_a_window_not_required_on_a_vacation_day_raises_nothing(world):
    watcher, store, ledger, _, _ = world
    DutyRoster(ledger).sign_on("li.na", "gatehouse-night")
    # Monday 2027-01-25 10:00 local: winter vacation; the leader window is off on vacations.
    day = datetime(2027, 1, 25, 2, 0, tzinfo=timezone.utc)
    watcher.step(day)
    watcher.step(day + timedelta(minutes=5))
    assert kinds(store, DUTY_GAP) == []


def test_every_trouble_becomes_a_hazard_and_overdue_hazards_are_trouble(world):
    watcher, store, ledger, _, _ = world
    DutyRoster(ledger).sign_on("li.na", "any")
    store.append("trouble.offline", "TROUBLE: side-gate offline", device="side-gate",
                 data={"trouble": "offline"}, ts=NIGHT)
    store.append("trouble.restore", "Restored", device="side-gate", ts=NIGHT)
    watcher.step(NIGHT)
    hazards = HazardRegister(ledger).all()
    assert [(h.source, h.device, h.owner) for h in hazards] == \
        [("trouble.offline", "side-gate", "zhang.wei")]
    assert hazards[0].deadline == NIGHT + timedelta(days=3)
    assert len(kinds(store, "hazard.opened")) == 1
    watcher.step(NIGHT + timedelta(days=3, seconds=1))
    overdue = kinds(store, HAZARD_OVERDUE)
    assert len(overdue) == 1 and "overdue" in overdue[0].message
    watcher.step(NIGHT + timedelta(days=3, seconds=20))
    assert len(kinds(store, HAZARD_OVERDUE)) == 1
    # a restarted host's watcher continues where the last one stopped
    assert ledger.get_meta("last_event_id") == str(watcher.last_event_id)


def test_a_gate_left_open_outside_its_window_is_an_alert(world):
    watcher, store, ledger, gates, busy = world
    DutyRoster(ledger).sign_on("li.na", "any")
    gates["side-gate"] = "open"
    watcher.step(NIGHT)
    watcher.step(NIGHT + timedelta(minutes=4))
    assert kinds(store, GATE_OPEN) == []
    watcher.step(NIGHT + timedelta(minutes=5, seconds=1))
    alerts = kinds(store, GATE_OPEN)
    assert len(alerts) == 1 and alerts[0].device == "side-gate"
    # inside the arrival window (Tuesday 07:45 local) an open side gate is expected
    gates["main-gate-barrier"] = "closed"
    morning = datetime(2026, 11, 2, 23, 45, tzinfo=timezone.utc)
    watcher.step(morning)
    watcher.step(morning + timedelta(minutes=30))
    assert len(kinds(store, GATE_OPEN)) == 1
    # a fire or a drill explains an open evacuation gate
    busy["on"] = True
    gates["main-gate-barrier"] = "open"
    watcher.step(NIGHT + timedelta(days=1))
    watcher.step(NIGHT + timedelta(days=1, minutes=30))
    assert len(kinds(store, GATE_OPEN)) == 1


def test_a_device_not_self_tested_within_its_interval_becomes_a_hazard_entry(world):
    watcher, store, ledger, _, _ = world
    DutyRoster(ledger).sign_on("li.na", "any")
    watcher.step(NIGHT)  # first run: the clock for never-tested devices starts now
    assert HazardRegister(ledger).all() == []
    store.append("selftest.pass", "walk test passed", device="station",
                 ts=NIGHT + timedelta(days=20))
    watcher.step(NIGHT + timedelta(days=31))
    assert HazardRegister(ledger).all() == []  # tested 11 days ago: not due
    watcher.step(NIGHT + timedelta(days=51))
    due = HazardRegister(ledger).all()
    assert [(h.source, h.device) for h in due] == [("selftest.due", "station")]
    assert "last passed" in due[0].title
    watcher.step(NIGHT + timedelta(days=52))
    assert len(HazardRegister(ledger).all()) == 1  # once


def test_a_failed_self_test_becomes_a_hazard_entry(world):
    watcher, store, ledger, _, _ = world
    DutyRoster(ledger).sign_on("li.na", "any")
    store.append("selftest.fail", "Self-test of station FAILED: no confirmation in 60 s",
                 device="station", data={"device": "station"}, ts=NIGHT)
    watcher.step(NIGHT)
    entries = [h for h in HazardRegister(ledger).all() if h.source == "selftest.fail"]
    assert [(h.device, h.owner, h.closed_at) for h in entries] == [("station", "zhang.wei", None)]
    assert "FAILED" in entries[0].title
    store.append("selftest.fail", "Self-test of station FAILED again", device="station", ts=NIGHT)
    watcher.step(NIGHT + timedelta(seconds=10))
    assert len([h for h in HazardRegister(ledger).all() if h.source == "selftest.fail"]) == 1


def test_watcher_messages_give_site_local_times(world):
    watcher, store, _, _, _ = world
    watcher.step(NIGHT)
    watcher.step(NIGHT + timedelta(seconds=61))
    gap = kinds(store, DUTY_GAP)[0]
    # NIGHT is 12:00 UTC = 20:00 in Shanghai
    assert "2026-11-02 20:00:00 Asia/Shanghai" in gap.message and "UTC" not in gap.message


SMOKE_WINDOW = '''
[[devices]]
name = "lab-smoke"
bus = "gate-bus"
unit = 4
role = "smoke"
zone = "main-gate"

[operations.smoke_selftest]
days = ["sat"]
start = "09:00"
end = "11:00"
'''


def test_the_host_self_tests_smoke_detectors_due_a_test_in_the_sites_window(tmp_path):
    store, ledger = EventStore(tmp_path / "events.db"), Ledger(tmp_path)
    started, busy = [], {"on": False}
    watcher = OperationsWatcher(
        ops_site(SMOKE_WINDOW), ledger, lambda **query: store.query(**query),
        lambda kind, message, device=None, data=None: store.append(kind, message, device=device),
        dict, lambda: busy["on"], start_selftest=started.append)
    try:
        saturday_0930 = datetime(2026, 11, 7, 1, 30, tzinfo=timezone.utc)  # Asia/Shanghai
        watcher.step(saturday_0930 - timedelta(hours=1))  # 08:30: before the window
        watcher.step(saturday_0930 + timedelta(days=2))  # Monday 09:30: not a window day
        assert started == []
        busy["on"] = True  # a lockdown, fire or drill: every detector stays live
        watcher.step(saturday_0930)
        assert started == []
        busy["on"] = False
        watcher.step(saturday_0930)
        assert started == ["lab-smoke"]  # the panic station is walk-tested by a guard, never here
        watcher.step(saturday_0930 + timedelta(minutes=10))
        assert started == ["lab-smoke"]  # not passed yet: tried again only after an hour
        store.append("selftest.pass", "passed", device="lab-smoke",
                     ts=saturday_0930 + timedelta(minutes=11))
        watcher.step(saturday_0930 + timedelta(hours=1, minutes=20))
        assert started == ["lab-smoke"]  # passed 70 min ago: not due for selftest_days
        watcher.step(saturday_0930 + timedelta(days=35))  # a Saturday 35 days on: due again
        assert started == ["lab-smoke", "lab-smoke"]
    finally:
        store.close()
        ledger.close()


def test_a_smoke_selftest_window_that_ends_before_it_starts_is_named_with_its_fix():
    from controller.site import SiteError

    with pytest.raises(SiteError) as caught:
        ops_site(SMOKE_WINDOW.replace('end = "11:00"', 'end = "08:00"'))
    assert "smoke_selftest" in str(caught.value) and "start" in str(caught.value)


def test_a_trouble_message_on_several_lines_still_becomes_one_hazard_entry(world):
    watcher, store, ledger, _, _ = world
    DutyRoster(ledger).sign_on("li.na", "any")
    store.append("trouble.fault", "TROUBLE: side-gate motor\nover-current\tcode 7" + "x" * 400,
                 device="side-gate", data={"trouble": "fault"}, ts=NIGHT)
    watcher.step(NIGHT)
    entries = HazardRegister(ledger).all()
    assert len(entries) == 1 and entries[0].title.startswith(
        "TROUBLE: side-gate motor over-current code 7") and len(entries[0].title) == 200
