"""The term report: every figure matches the events and ledger entries that produced it, and
`campusguard report` writes report.json (the DESIGN.md keys) and report.html in both languages."""

import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from controller.operations.duty import DutyRoster
from controller.operations.gate_log import GateLog
from controller.operations.hazards import HazardRegister
from controller.operations.ledger import Ledger
from controller.report.render_html import render
from controller.report.term_report import ReportError, build_report, period
from controller.store.event_store import EventStore
from tests.controller.operations.ops_site import TEXT, ops_site

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour, minute=0, second=0.0, year=2026):
    whole = int(second)
    return datetime(year, month, day, hour, minute, whole, int((second - whole) * 1e6),
                    tzinfo=SH).astimezone(timezone.utc)


def drill(store, kind, start, *, by="zhang.wei", ended_by="li.na", minutes=10, confirm=(),
          aborted=False):
    store.append("drill.start", f"{kind} drill", user=by, drill=True, data={"kind": kind}, ts=start)
    for device, state, seconds in confirm:
        store.append("command.confirmed", "ok", device=device, drill=True,
                     data={"stage": "physical", "state": state},
                     ts=start + timedelta(seconds=seconds))
    store.append("drill.end", "end", user=ended_by, drill=True,
                 data={"kind": kind, "aborted": aborted}, ts=start + timedelta(minutes=minutes))


def populate_term(tmp_path):
    """An autumn term of events and ledger entries (figures asserted below)."""
    store = EventStore(tmp_path / "events.db")
    drill(store, "fire", at(9, 10, 10), confirm=[("main-gate-barrier", "open", 4.2)])
    drill(store, "fire", at(11, 12, 10), confirm=[("main-gate-barrier", "open", 3.5)])
    drill(store, "lockdown", at(10, 15, 14),
          confirm=[("side-gate", "closed", 3.0), ("main-gate-barrier", "locked", 5.25)])
    drill(store, "evacuation", at(11, 20, 9), confirm=[], aborted=True, minutes=1)
    panic = at(11, 24, 9, 30)
    store.append("panic.alarm", "press", device="station", zone="main-gate", ts=panic)
    store.append("command.sent", "lockdown", data={"trigger": "panic.alarm", "t0_to_t1_ms": 3.1},
                 ts=panic + timedelta(milliseconds=4))
    store.append("lockdown.set", "locked", ts=panic + timedelta(milliseconds=120))
    store.append("panic.reset", "reset", device="station", ts=panic + timedelta(minutes=20))
    for day in (3, 4, 5):
        store.append("patrol.round_complete", "round", ts=at(11, day, 21))
    store.append("patrol.missed", "missed cp-3", device="cp-3", ts=at(11, 5, 22))
    # a read in a round is a visit; the one after the window closed is a late checkpoint
    store.append("patrol.read", "in round", device="cp-1",
                 data={"uid": 1, "operator": "li.na", "rounds": ["r 1"], "late": False},
                 ts=at(11, 5, 21, 5))
    store.append("patrol.read", "late", device="cp-3",
                 data={"uid": 1, "operator": "li.na", "rounds": [], "late": True},
                 ts=at(11, 5, 22, 10))
    store.append("trouble.offline", "offline", device="side-gate", data={"trouble": "offline"},
                 ts=at(11, 6, 8))
    store.append("trouble.restore", "back", device="side-gate", data={"trouble": "offline"},
                 ts=at(11, 6, 9))
    store.append("panic.alarm", "outside the term", device="station", ts=at(8, 20, 9))
    store.close()
    with Ledger(tmp_path) as ledger:
        reg = HazardRegister(ledger)
        late = reg.add("Fire door blocked", "zhang.wei", at(10, 3, 18), "li.na", severity="major",
                       now=at(10, 1, 9))
        reg.close(late.id, "cleared", "zhang.wei", now=at(10, 5, 9))
        ok = reg.add("Fence", "zhang.wei", at(10, 10, 18), "li.na", now=at(10, 1, 9))
        reg.close(ok.id, "fixed", "zhang.wei", now=at(10, 8, 9))
        reg.add("Camera dark", "chen.jie", at(12, 1, 18), "li.na", now=at(11, 28, 9))
        log = GateLog(ledger)
        v = log.check_in("vehicle", "canteen", "delivery", "li.na", plate="A1", now=at(11, 2, 9))
        log.check_out(v.id, now=at(11, 2, 9, 30))
        log.check_in("person", "Grade 2", "meeting", "li.na", name="Wang", now=at(11, 3, 15))
        roster = DutyRoster(ledger)
        roster.sign_on("li.na", "gatehouse-night", now=at(11, 1, 19))
        roster.sign_off("li.na", now=at(11, 2, 7))
    return tmp_path


@pytest.fixture
def term_dir(tmp_path):
    return populate_term(tmp_path)


def test_every_figure_matches_what_happened(term_dir):
    site = ops_site()
    term, first, last = period(site, "autumn", None, None)
    report = build_report(site, term_dir, term, first, last, now=at(12, 1, 12))
    d = report["drills"]
    assert (d["fire"]["count"], d["fire"]["target"], d["fire"]["met"]) == (2, 2, True)
    assert (d["lockdown"]["count"], d["lockdown"]["target"]) == (1, 1)
    assert (d["evacuation"]["count"], d["evacuation"]["met"], d["aborted"]) == (0, False, 1)
    assert d["whole_school_months"] == {"required": [11], "drilled": [9, 10, 11], "missing": []}
    # monthly drills (a school): December and January of the autumn term had none
    assert d["cadence"] == {"every": "month", "periods": 5, "missing": ["2026-12", "2027-01"]}
    lock = next(r for r in d["records"] if r["kind"] == "lockdown")
    assert lock["started_by"] == "zhang.wei" and lock["ended_by"] == "li.na"
    assert lock["secured"]["ms"] == 5250.0 and lock["secured"]["devices"] == 2
    fire = [r for r in d["records"] if r["kind"] == "fire"]
    assert [r["egress_open"]["ms"] for r in fire] == [4200.0, 3500.0]
    assert report["patrol"]["rounds_done"] == 3 and report["patrol"]["missed_checkpoints"] == 1
    assert report["patrol"]["late_checkpoints"] == 1
    assert [(x["device"], x["operator"]) for x in report["patrol"]["late"]] == [("cp-3", "li.na")]
    alarms = report["alarms"]
    assert len(alarms) == 1  # the August press is outside the term
    assert alarms[0]["to_lockdown_ms"] == 120.0 and alarms[0]["detected_to_frame_ms"] == 3.1
    h = report["hazards"]
    assert (h["open"], h["closed"], h["overdue"], h["closed_in_time"]) == (1, 2, 1, 1)
    assert (h["major"], h["major_closed_pct"]) == (1, 100.0)
    g = report["gate_log"]
    assert (g["visits"], g["vehicles"], g["people"], g["not_signed_out"]) == (2, 1, 1, 1)
    night = report["duty"]["windows"]["gatehouse-night"]
    assert night["covered_h"] == 12.0
    bus = report["availability"]["gate-bus"]
    assert bus["offline_s"] == 3600.0 and bus["devices"] == 3


def test_report_needs_a_period_and_a_known_term():
    site = ops_site()
    with pytest.raises(ReportError, match="--term NAME"):
        period(site, None, None, None)
    with pytest.raises(ReportError, match="autumn"):
        period(site, "spring", None, None)
    with pytest.raises(ReportError, match="before"):
        period(site, None, date(2026, 10, 2), date(2026, 10, 1))
    term, _, _ = period(site, None, date(2026, 10, 1), date(2026, 10, 31))
    assert term is not None and term.name == "autumn"  # a range inside a term takes its targets


def test_html_speaks_chinese_and_english(term_dir):
    site = ops_site()
    term, first, last = period(site, "autumn", None, None)
    report = build_report(site, term_dir, term, first, last, now=at(12, 1, 12))
    zh, en = render(report, "zh-CN", {}), render(report, "en", {})
    assert "应急演练" in zh and "隐患整改台账" in zh and 'lang="zh-CN"' in zh
    assert "Drills" in en and "Hazard register" in en
    assert "2026-09-10 10:00" in en  # site-local time, not UTC


def test_cli_writes_report_json_and_html(term_dir, tmp_path):
    site_file = tmp_path / "site.toml"
    site_file.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "campusguard.cli", "report", "--state-dir",
                           str(term_dir), "--site", str(site_file), "--term", "autumn", "--out",
                           str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for key in ("from", "to", "drills", "patrol", "alarms", "hazards"):
        assert key in report
    for kind in ("fire", "lockdown", "evacuation"):
        assert {"count", "target"} <= set(report["drills"][kind])
    assert {"rounds_done", "rounds_required"} <= set(report["patrol"])
    assert {"open", "closed", "overdue"} <= set(report["hazards"])
    assert "学期安全工作报告" in (out / "report.html").read_text(encoding="utf-8")
    assert "Term safety report" in (out / "report.en.html").read_text(encoding="utf-8")
    assert (out / "drills.png").stat().st_size > 1000
    bad = subprocess.run([sys.executable, "-m", "campusguard.cli", "report", "--state-dir",
                          str(term_dir), "--site", str(site_file), "--term", "nope", "--out",
                          str(out)], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "autumn" in bad.stderr and "Traceback" not in bad.stderr


def test_patrol_rounds_required_come_from_the_sites_patrol_routes():
    from controller.patrol.config import load_patrol
    from controller.report.term_report import _rounds_required
    from controller.site import load_site

    demo = load_site()
    routes = load_patrol(demo).routes
    assert routes, "the demo campus has a patrol route"
    week = (date(2026, 11, 2), date(2026, 11, 8))
    expected = sum(route.rounds for route in routes for offset in range(7)
                   if ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[offset] in route.days)
    assert _rounds_required(demo, *week) == expected
    assert _rounds_required(ops_site(), *week) is None  # no [patrol]: no figure, not zero
