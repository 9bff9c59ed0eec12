"""The hazard register, the gate log and duty sign-on, on a real ledger file in a temp dir."""

import os
import stat
from datetime import datetime, timedelta, timezone

import pytest

from controller.operations.duty import DutyError, DutyRoster, coverage
from controller.operations.gate_log import GateLog, GateLogError
from controller.operations.hazards import HazardError, HazardRegister, closure_figures
from controller.operations.ledger import Ledger
from controller.site.operations import OffDays
from tests.controller.operations.ops_site import ops_site

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc)  # Monday 08:00 in Shanghai


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path) as led:
        yield led


def test_ledger_file_is_not_world_readable(tmp_path):
    Ledger(tmp_path).close()
    mode = stat.S_IMODE(os.stat(tmp_path / "operations.db").st_mode)
    assert mode & 0o007 == 0


def test_hazard_lifecycle_and_closure_figures(ledger):
    reg = HazardRegister(ledger)
    a = reg.add("Fence broken", "zhang.wei", T0 + timedelta(days=3), "li.na", now=T0)
    b = reg.add("Fire door blocked", "zhang.wei", T0 + timedelta(days=1), "li.na",
                severity="major", now=T0)
    c = reg.add("Light out", "chen.jie", T0 + timedelta(days=2), "li.na", now=T0)
    reg.close(a.id, "fence repaired", "zhang.wei", now=T0 + timedelta(days=2))  # in time
    reg.close(b.id, "door cleared", "zhang.wei", now=T0 + timedelta(days=4))  # late
    with pytest.raises(HazardError, match="already closed"):
        reg.close(a.id, "again", "x")
    with pytest.raises(HazardError, match="note"):
        reg.close(c.id, "  ", "x")
    figures = closure_figures(reg.all(), T0, T0 + timedelta(days=30), now=T0 + timedelta(days=10))
    assert (figures["total"], figures["open"], figures["closed"]) == (3, 1, 2)
    assert figures["closed_in_time"] == 1
    assert figures["overdue"] == 2  # b closed late, c open past its deadline
    assert figures["closed_in_time_pct"] == pytest.approx(33.3)  # 1 of the 3 that fell due
    assert (figures["major"], figures["major_closed"], figures["major_closed_pct"]) == (1, 1, 100.0)


def test_hazard_needs_title_and_owner(ledger):
    reg = HazardRegister(ledger)
    with pytest.raises(HazardError, match="title"):
        reg.add(" ", "x", T0, "y")
    with pytest.raises(HazardError, match="owner"):
        reg.add("t", " ", T0, "y")


def test_a_trouble_opens_one_hazard_per_device_and_overdue_is_reported_once(ledger):
    reg = HazardRegister(ledger)
    first = reg.from_trouble("trouble.offline", "side-gate", "side-gate offline", "zhang.wei", 3, T0)
    assert first is not None and first.deadline == T0 + timedelta(days=3)
    assert reg.from_trouble("trouble.offline", "side-gate", "again", "zhang.wei", 3, T0) is None
    assert reg.from_trouble("trouble.offline", "station", "x", "zhang.wei", 3, T0) is not None
    assert reg.newly_overdue(T0 + timedelta(days=1)) == []
    late = reg.newly_overdue(T0 + timedelta(days=4))
    assert {h.device for h in late} == {"side-gate", "station"}
    assert reg.newly_overdue(T0 + timedelta(days=5)) == []


def test_gate_log_keeps_personal_data_only_for_the_retention_period(ledger):
    log = GateLog(ledger, retention_days=30)
    with pytest.raises(GateLogError, match="plate"):
        log.check_in("vehicle", "office", "delivery", "li.na")
    car = log.check_in("vehicle", "office", "delivery", "li.na", plate="hu a 12345", now=T0)
    guest = log.check_in("person", "Grade 3", "parent meeting", "li.na", name="Wang Fang",
                         now=T0 + timedelta(days=20))
    log.check_out(car.id, now=T0 + timedelta(hours=1))
    with pytest.raises(GateLogError, match="already left"):
        log.check_out(car.id)
    assert car.plate == "HU A 12345"
    assert [v.id for v in log.inside()] == [guest.id]
    assert log.purge(now=T0 + timedelta(days=31)) == 1
    purged, kept = log.get(car.id), log.get(guest.id)
    assert purged.plate is None and purged.visiting == "office" and purged.time_out is not None
    assert kept.name == "Wang Fang"


def test_duty_sign_on_off_and_coverage_with_gaps_vacations_and_midnight(ledger):
    site = ops_site()
    roster = DutyRoster(ledger)
    night = site.operations.duty[0]  # 19:00 -> 07:00 local, every day
    # Sunday 2026-11-01 19:00 local = 11:00 UTC; on until 23:00 local, then a gap to 01:00,
    # then on until 07:00 local (Monday 2026-11-02 23:00 UTC).
    start = datetime(2026, 11, 1, 11, 0, tzinfo=timezone.utc)
    roster.sign_on("li.na", night.name, now=start)
    roster.sign_off("li.na", now=start + timedelta(hours=4))
    with pytest.raises(DutyError, match="not signed on"):
        roster.sign_off("li.na")
    roster.sign_on("chen.jie", "any", now=start + timedelta(hours=6))
    roster.sign_off("chen.jie", now=start + timedelta(hours=12))
    off = OffDays(site.holidays, site.operations.vacations)
    got = coverage((night,), roster.all(), start, start + timedelta(hours=12), site.tz, off,
                   now=start + timedelta(days=1))
    assert got["required_h"] == 12.0 and got["covered_h"] == 10.0
    assert got["coverage_pct"] == pytest.approx(83.3)
    assert [g["minutes"] for g in got["gaps"]] == [120.0]
    leader = site.operations.duty[1]  # weekdays, not on holidays or vacations
    winter = datetime(2027, 1, 25, tzinfo=timezone.utc)
    assert coverage((leader,), [], winter, winter + timedelta(days=3), site.tz, off,
                    now=winter + timedelta(days=4))["required_h"] == 0.0
