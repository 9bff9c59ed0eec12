"""A term of school life, compressed, on the simulated campus (issue 16 "Done when"): drills of
every kind run by the real host on the real firmware, a duty gap, visitors, a hazard closed late,
self-tests — and the term report's figures match what happened."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from running_campus import PINS, SMALL_SITE, RunningCampus, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

OPERATIONS = """
[operations]
hazard_owner = "zhang.wei"
hazard_days = 2
duty_grace_s = 5

[[operations.duty]]
name = "gatehouse"
start = "00:00"
end = "00:00"
"""


def cli(campus, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "campusguard.cli", *args, "--state-dir",
                           str(campus.state_dir)], capture_output=True, text=True, timeout=60,
                          input=stdin)


def site_cli(campus, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return cli(campus, *args, "--site", str(campus.site), stdin=stdin)


def signed(campus, user: str, *args, site: bool = True) -> subprocess.CompletedProcess:
    """A ledger verb recorded by user, proven with their PIN (as a guard at the guard room)."""
    run = site_cli if site else cli
    return run(campus, *args, "--user", user, "--pin-stdin", stdin=f"{PINS[user]}\n")


def run_drill(campus, kind: str, done) -> None:
    assert campus.act("drill", "zhang.wei", f"term {kind} drill", kind=kind)["ok"]
    wait_until(lambda: done(), 30, f"the {kind} drill to move the devices")
    assert campus.act("drill", "li.na", "drill over", kind="end")["ok"]
    wait_until(lambda: campus.status()["mode"] == "normal", 10, "the drill to end")


def states(campus) -> dict[str, str]:
    return {d["name"]: d["state"] for d in campus.status()["devices"]}


@pytest.fixture
def campus(tmp_path):
    site = tmp_path / "term-campus.toml"
    site.write_text(SMALL_SITE.read_text(encoding="utf-8") + OPERATIONS, encoding="utf-8")
    running = RunningCampus(tmp_path, site)
    try:
        yield running.start()
    finally:
        running.stop()


def test_a_compressed_term_produces_a_report_that_matches_it(campus):
    # nobody signs on: the 24-hour gatehouse window is unstaffed -> trouble within the grace
    wait_until(lambda: campus.events("trouble.duty_gap"), 30, "the duty gap trouble")
    on = signed(campus, "li.na", "duty", "on", "--post", "gatehouse")
    assert on.returncode == 0, on.stderr
    wait_until(lambda: [e for e in campus.events("trouble.restore")
                        if e.data.get("trouble") == "duty_gap"], 20, "the duty gap to end")

    egress_open = lambda: states(campus)["main-gate-barrier"] == "open" \
        and states(campus)["fire-lane-bollard"] == "down"  # noqa: E731
    run_drill(campus, "fire", egress_open)
    run_drill(campus, "lockdown", lambda: states(campus)["main-gate-barrier"] == "locked"
              and states(campus)["side-gate"] == "locked"
              and states(campus)["fire-lane-bollard"] == "up")
    run_drill(campus, "evacuation", egress_open)

    assert signed(campus, "li.na", "visitor", "in", "--kind", "vehicle", "--plate", "沪A12345",
                  "--visiting", "canteen", "--purpose", "delivery").returncode == 0
    assert signed(campus, "li.na", "visitor", "in", "--name", "Wang Fang", "--visiting",
                  "Grade 2", "--purpose", "parent meeting").returncode == 0
    assert signed(campus, "li.na", "visitor", "out", "1", site=False).returncode == 0

    tz = ZoneInfo("Asia/Shanghai")
    yesterday = (datetime.now(tz) - timedelta(days=1)).date().isoformat()
    added = signed(campus, "li.na", "hazard", "add", "Fire door wedged open", "--owner",
                   "zhang.wei", "--deadline", yesterday, "--severity", "major", "--json")
    assert added.returncode == 0, added.stderr
    hazard_id = json.loads(added.stdout)["id"]
    closed = signed(campus, "zhang.wei", "hazard", "close", str(hazard_id), "--note",
                    "wedge removed", site=False)
    assert closed.returncode == 0 and "AFTER its deadline" in closed.stdout

    # self-tests: the detector's own test mode, and a walk test of the panic station
    pin = f"{PINS['li.na']}\n"
    tested = cli(campus, "selftest", "classroom-smoke", "--user", "li.na", "--pin-stdin",
                 stdin=pin)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    wait_until(lambda: [e for e in campus.events("selftest.pass")
                        if e.device == "classroom-smoke"], 30, "the smoke self-test to pass")
    wait_until(lambda: states(campus)["classroom-smoke"] == "normal", 20, "test mode to end")
    walk = cli(campus, "selftest", "kindergarten-panic", "--user", "li.na", "--pin-stdin",
               stdin=pin)
    assert walk.returncode == 0, walk.stdout + walk.stderr
    campus.inject("panic", "kindergarten-panic")
    wait_until(lambda: [e for e in campus.events("selftest.pass")
                        if e.device == "kindergarten-panic"], 30, "the walk test to pass")
    assert campus.status()["mode"] == "normal"  # a walk test raises no lockdown
    campus.inject("panic-reset", "kindergarten-panic")

    # (a trouble becoming a hazard entry is tested on a real event log and ledger in
    # tests/controller/operations/test_operations_watcher.py; offline detection time belongs to
    # the bus scheduler's own tests)

    today = datetime.now(tz).date().isoformat()
    out = campus.root / "report"
    made = site_cli(campus, "report", "--from", today, "--to", today, "--out", str(out))
    assert made.returncode == 0, made.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    drills = report["drills"]
    assert [drills[k]["count"] for k in ("fire", "lockdown", "evacuation")] == [1, 1, 1]
    by_kind = {r["kind"]: r for r in drills["records"]}
    assert by_kind["fire"]["started_by"] == "zhang.wei" and by_kind["fire"]["ended_by"] == "li.na"
    assert by_kind["fire"]["egress_open"]["ms"] > 0, by_kind["fire"]
    assert by_kind["evacuation"]["egress_open"]["ms"] > 0, by_kind["evacuation"]
    assert by_kind["lockdown"]["secured"]["ms"] > 0, by_kind["lockdown"]
    assert report["gate_log"]["visits"] == 2 and report["gate_log"]["not_signed_out"] == 1
    hazards = report["hazards"]
    assert hazards["closed"] == 1 and hazards["closed_in_time"] == 0 and hazards["overdue"] >= 1
    late = next(h for h in hazards["entries"] if h["id"] == hazard_id)
    assert (late["opened_by"], late["closed_by"], late["severity"], late["note"]) == \
        ("li.na", "zhang.wei", "major", "wedge removed")
    assert (hazards["major"], hazards["major_closed"], hazards["major_closed_pct"]) == (1, 1, 100.0)
    duty = report["duty"]
    # unstaffed from local midnight until li.na signed on, staffed since: one gap, then covered
    assert len(duty["gaps"]) == 1 and duty["coverage_pct"] < 100
    gap_end = datetime.fromisoformat(duty["gaps"][0]["to"].replace("Z", "+00:00"))
    signed_on = [e for e in campus.events("trouble.duty_gap")][0].ts
    assert gap_end > signed_on
    assert report["alarms"] == []  # drills and self-tests raise no real alarm
    tests = report["self_tests"]
    assert (tests["tests"], tests["passed"], tests["failed"]) == (2, 2, 0)
    assert "classroom-smoke" not in tests["untested"] and "hall-smoke" in tests["untested"]
