"""A term of school life, compressed, on the simulated campus (issue 16 "Done when"): drills of
every kind run by the real host on the real firmware, patrol rounds with one skipped checkpoint, a
duty gap, visitors, a hazard closed late, self-tests — and the term report's figures match what
happened."""

from __future__ import annotations

import json
import subprocess
import sys
import time
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


TZ = ZoneInfo("Asia/Shanghai")  # the small campus's timezone: rounds are site-local clock times
ROUTE = ("gate-checkpoint", "teaching-checkpoint", "dormitory-checkpoint")
SKIPPED = "teaching-checkpoint"
LI_NA_TAG = "0x12D04D2"
# Three checkpoints on their own bus and a route of two one-minute rounds, back to back, from
# `first` (a TOML local time, to the second) on this weekday only: round 1 runs while the term
# runs and closes with the teaching block skipped, round 2 is walked in full.
PATROL = """
[[buses]]
name = "access-bus"
port = "/dev/null-access"
baud = 115200
parity = "N"
stopbits = 1

[[zones]]
name = "grounds"
description = "Campus grounds"
{checkpoints}
[[patrol.tags]]
uid = {tag}
operator = "li.na"

[[patrol.routes]]
name = "term-round"
checkpoints = {route}
days = ["{day}"]
first = {first}
every_min = 1
rounds = 2
window_min = 1
"""
CHECKPOINT = """
[[devices]]
name = "{name}"
bus = "access-bus"
unit = {unit}
role = "checkpoint"
zone = "grounds"
"""


# Classes gather on the sports field in fire and evacuation drills: a checkpoint on no patrol
# route, where the class teacher presents her tag on arrival.
ASSEMBLY = """
[[devices]]
name = "field-checkpoint"
bus = "access-bus"
unit = 14
role = "checkpoint"
zone = "grounds"

[[operations.assembly_points]]
name = "sports-field"
checkpoint = "field-checkpoint"
"""


def patrol_site() -> tuple[str, datetime]:
    """The [patrol] part of the term's site and its first round's start: 10 s ago, so round 1
    closes 50 s after the site is written (the host is up in a few seconds)."""
    now = datetime.now(TZ).replace(microsecond=0)
    if (now - timedelta(seconds=15)).date() != (now + timedelta(minutes=2)).date():
        # both rounds and the report (about 65 s from here) must fall on one local day: within
        # two minutes of local midnight, wait for the new day (at most 135 s, in the timeout)
        midnight = datetime.combine((now + timedelta(minutes=2)).date(), datetime.min.time(), TZ)
        time.sleep((midnight - now).total_seconds() + 15)
        now = datetime.now(TZ).replace(microsecond=0)
    first = now - timedelta(seconds=10)
    checkpoints = "".join(CHECKPOINT.format(name=name, unit=11 + i) for i, name in enumerate(ROUTE))
    text = PATROL.format(checkpoints=checkpoints, tag=LI_NA_TAG, route=json.dumps(list(ROUTE)),
                         day=first.strftime("%a").lower(), first=first.strftime("%H:%M:%S"))
    return text, first


def tag_read(campus, checkpoint: str):
    """li.na presents her tag at a checkpoint; the host's patrol.read for it.

    When the reader refuses the frame (bad_frame: the firmware's 10 ms scan of the sim I/O
    channel missed a pulse, seen on a loaded machine) she presents it again, as a guard does when
    the reader beeps: up to three times. The first refusal is in the log as the reader's trouble;
    later ones are not (the fault is latched until a good frame), so after a refusal a read that
    has not come within 8 s counts as refused too."""
    before = len(campus.events("patrol.read"))
    refused = 0
    for _ in range(3):
        mark = max((e.id for e in campus.events()), default=0)
        campus.inject("tag", checkpoint, LI_NA_TAG)
        deadline = time.monotonic() + (8 if refused else 20)
        while time.monotonic() < deadline:
            reads = campus.events("patrol.read")[before:]
            if reads:
                return reads[0]
            if [e for e in campus.events("trouble.fault", device=checkpoint)
                    if e.id > mark and "bad_frame" in e.message]:
                break
            time.sleep(0.1)
        else:
            if not refused:
                raise AssertionError(f"timed out waiting for the tag read at {checkpoint}")
        refused += 1
        time.sleep(0.5)
    raise AssertionError(f"the reader at {checkpoint} refused the tag {refused} times")


def patrol_round_one(campus) -> None:
    """Round 1: the guard reads the gate and the dormitory and skips the teaching block."""
    first = campus.patrol_first
    left = (first + timedelta(minutes=1) - datetime.now(TZ)).total_seconds()
    assert left > 10, f"the host took too long to start: round 1 closes in {left:.0f} s"
    for checkpoint in ROUTE:
        if checkpoint != SKIPPED:
            read = tag_read(campus, checkpoint)
            assert read.device == checkpoint and read.data["rounds"] and not read.data["late"]


def patrol_round_two(campus) -> None:
    """Round 1's window closes: the skipped checkpoint is trouble. Round 2 is walked in full, then
    the guard goes back to the teaching block: a read in no round, a late checkpoint."""
    closes = campus.patrol_first + timedelta(minutes=1)
    wait_s = max(0.0, (closes - datetime.now(TZ)).total_seconds()) + 15
    missed = wait_until(lambda: campus.events("patrol.missed"), wait_s, "the missed checkpoint")
    assert [(m.device, m.data["round"]) for m in missed] == [(SKIPPED, 1)]
    assert "TROUBLE" in missed[0].message
    assert not campus.events("patrol.round_complete"), "round 1 was not complete"
    for checkpoint in ROUTE:
        assert tag_read(campus, checkpoint).data["rounds"], f"{checkpoint} counted in round 2"
    done = wait_until(lambda: campus.events("patrol.round_complete"), 10, "round 2 complete")
    assert [(d.data["round"], d.data["operator"]) for d in done] == [(2, "li.na")]
    assert [cp for cp, _ in done[0].data["times"]] == list(ROUTE)
    late = tag_read(campus, SKIPPED)
    assert late.data["late"] and late.data["rounds"] == []


def assemble(campus) -> None:
    """In the fire drill, once the routes are open: li.na's class reaches the sports field."""
    read = tag_read(campus, "field-checkpoint")
    assert not read.data["late"] and read.data["rounds"] == [], "an assembly point is no patrol"


def assert_assembly_points(campus, records: dict) -> None:
    """The fire drill's record: start -> the field's tag read; the evacuation drill nobody
    confirmed at the field; lockdowns gather nowhere in this site."""
    start = [e for e in campus.events("drill.start") if e.data.get("kind") == "fire"][0].ts
    at_field = [e for e in campus.events("patrol.read", device="field-checkpoint")]
    assert len(at_field) == 1 and at_field[0].ts > start
    ms = round((at_field[0].ts - start).total_seconds() * 1000, 1)
    assert records["fire"]["assembly_points"] == {
        "ms": ms, "confirmed": 1, "of": 1,
        "points": [{"name": "sports-field", "checkpoint": "field-checkpoint", "ms": ms}]}
    evacuation = records["evacuation"]["assembly_points"]
    assert (evacuation["ms"], evacuation["confirmed"], evacuation["of"],
            evacuation["missing"]) == (None, 0, 1, ["sports-field"])
    assert records["lockdown"]["assembly_points"]["note"] == \
        "no assembly point of the site is for lockdown drills"


def assert_patrol_figures(report: dict, campus_day) -> None:
    """Two rounds were due today; one was done; round 1 missed the teaching block, read late."""
    patrol = report["patrol"]
    assert (patrol["rounds_done"], patrol["rounds_required"], patrol["completion_pct"]) == \
        (1, 2, 50.0), patrol
    assert patrol["missed_checkpoints"] == 1
    assert [(m["device"], m["route"], m["round"]) for m in patrol["missed"]] == \
        [(SKIPPED, "term-round", 1)]
    assert patrol["late_checkpoints"] == 1
    assert [(x["device"], x["operator"]) for x in patrol["late"]] == [(SKIPPED, "li.na")]
    day = campus_day.isoformat()
    row = {"rounds_required": 2, "rounds_done": 1, "pending": 0, "missed_checkpoints": 1,
           "rate_pct": 50.0}
    assert patrol["days"] == [{"date": day, **row}]
    assert patrol["daily_rate_goal_pct"] == 90 and patrol["days_below_goal"] == [day]
    assert patrol["routes"] == [{"route": "term-round", **row}]
    # the 24-hour gatehouse shift holds both rounds; it is not over, so not judged under two
    assert [(w["window"], w["shifts"], w["rounds_done"], w["under_two"])
            for w in patrol["shifts"]] == [("gatehouse", 1, 1, [])]


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


def run_drill(campus, kind: str, done, during=None) -> None:
    assert campus.act("drill", "zhang.wei", f"term {kind} drill", kind=kind)["ok"]
    wait_until(lambda: done(), 30, f"the {kind} drill to move the devices")
    if during is not None:
        during()
    assert campus.act("drill", "li.na", "drill over", kind="end")["ok"]
    wait_until(lambda: campus.status()["mode"] == "normal", 10, "the drill to end")


def states(campus) -> dict[str, str]:
    return {d["name"]: d["state"] for d in campus.status()["devices"]}


@pytest.fixture
def campus(tmp_path):
    site = tmp_path / "term-campus.toml"
    patrol, first = patrol_site()
    site.write_text(SMALL_SITE.read_text(encoding="utf-8") + OPERATIONS + patrol + ASSEMBLY,
                    encoding="utf-8")
    running = RunningCampus(tmp_path, site)
    running.patrol_first = first
    try:
        yield running.start()
    finally:
        running.stop()


def test_a_compressed_term_produces_a_report_that_matches_it(campus):
    patrol_round_one(campus)

    # nobody signs on: the 24-hour gatehouse window is unstaffed -> trouble within the grace
    wait_until(lambda: campus.events("trouble.duty_gap"), 30, "the duty gap trouble")
    on = signed(campus, "li.na", "duty", "on", "--post", "gatehouse")
    assert on.returncode == 0, on.stderr
    wait_until(lambda: [e for e in campus.events("trouble.restore")
                        if e.data.get("trouble") == "duty_gap"], 20, "the duty gap to end")

    egress_open = lambda: states(campus)["main-gate-barrier"] == "open" \
        and states(campus)["fire-lane-bollard"] == "down"  # noqa: E731
    run_drill(campus, "fire", egress_open, during=lambda: assemble(campus))
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

    patrol_round_two(campus)

    # (a trouble becoming a hazard entry is tested on a real event log and ledger in
    # tests/controller/operations/test_operations_watcher.py; offline detection time belongs to
    # the bus scheduler's own tests)

    today = datetime.now(tz).date().isoformat()
    out = campus.root / "report"
    made = site_cli(campus, "report", "--from", today, "--to", today, "--out", str(out))
    assert made.returncode == 0, made.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    page = (out / "report.en.html").read_text(encoding="utf-8")
    assert "<th>Registered by</th>" in page and "<th>Closed by</th>" in page
    assert "<td>li.na</td><td class=bad>" in page  # the late close is marked
    assert "<td>teaching-checkpoint</td><td>term-round</td><td>1</td>" in page  # the skipped one
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
    assert_patrol_figures(report, campus.patrol_first.date())
    assert_assembly_points(campus, by_kind)
