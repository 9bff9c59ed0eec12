"""Scheduled smoke self-tests on the simulated campus: inside the site's
[operations.smoke_selftest] window the real host puts each detector due a test into its own test
mode, with nobody at a terminal; the detectors' firmware reports it and the host records a test,
never an alarm."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from running_campus import SMALL_SITE, RunningCampus, wait_until

from protocols import events as E

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def window_now() -> str:
    local = datetime.now(ZoneInfo("Asia/Shanghai"))  # the small campus's timezone
    if local.hour == 23 and local.minute >= 50:
        pytest.skip("too close to local midnight for a same-day window; run again after 00:00")
    start = max(local - timedelta(hours=1), local.replace(hour=0, minute=0))
    end = min(local + timedelta(hours=1), local.replace(hour=23, minute=59))
    return f"""
[operations]
duty_grace_s = 5

[operations.smoke_selftest]
start = "{start:%H:%M}"
end = "{end:%H:%M}"
"""


@pytest.fixture
def campus(tmp_path):
    site = tmp_path / "selftest-campus.toml"
    site.write_text(SMALL_SITE.read_text(encoding="utf-8") + window_now(), encoding="utf-8")
    running = RunningCampus(tmp_path, site)
    try:
        yield running.start()
    finally:
        running.stop()


def test_the_host_self_tests_its_smoke_detectors_in_the_window(campus):
    detectors = ("classroom-smoke", "hall-smoke")
    passed = lambda: {e.device for e in campus.events("selftest.pass")}  # noqa: E731
    wait_until(lambda: set(detectors) <= passed(), 60, "both detectors' scheduled self-tests")
    starts = [e for e in campus.events("selftest.start") if e.device in detectors]
    assert {e.device for e in starts} == set(detectors)
    assert all(e.user == "host-schedule" for e in starts), [e.user for e in starts]
    assert campus.status()["mode"] == "normal"  # a test, never a fire alarm
    for kind in (E.SMOKE_ALARM, E.FIRE_CONFIRMED, E.FIRE_CONFIRM_PENDING):
        assert campus.events(kind) == [], kind
    wait_until(lambda: all(d["state"] == "normal" for d in campus.status()["devices"]
                           if d["name"] in detectors), 30, "the detectors to leave test mode")
