"""Issue 14 through the CLI, with a host running on the simulated campus: a second host is
refused with the real cause, and the guard verbs say the truth."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from campus_and_host import SITE, start, stop  # noqa: E402

pytestmark = [pytest.mark.timeout(300), pytest.mark.xdist_group(name="host-truth"),
              pytest.mark.slow]


@pytest.fixture(scope="module")
def campus(tmp_path_factory):
    both = start(tmp_path_factory.mktemp("truth"))
    yield both
    stop(both)


def _events(campus, *extra: str) -> list[dict]:
    done = campus.cli("events", "--state-dir", str(campus.state_dir), "--json", *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ---------------------------------------------------------------- a second host
def test_a_second_host_on_the_same_ports_is_told_who_holds_them(campus, tmp_path):
    sim_json = json.loads((campus.sim_dir / "sim.json").read_text())
    port = sim_json["buses"]["gate-bus"]["port"]
    second = campus.spawn("run", "--site", str(SITE), "--sim", str(campus.sim_dir),
                          "--state-dir", str(tmp_path / "other"), timeout=60)
    assert second.returncode == 1, second.stdout + second.stderr
    assert f"port {port} is held by campusguard run, PID {campus.host.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert not (tmp_path / "other" / "events.db").exists(), "refused before writing anything"


def test_a_second_host_on_the_same_state_dir_is_refused_and_writes_nothing(campus):
    starts = len(_events(campus, "--kind", "service.start"))
    second = campus.spawn("run", "--site", str(SITE), "--sim", str(campus.sim_dir),
                          "--state-dir", str(campus.state_dir), timeout=60)
    assert second.returncode == 1, second.stdout + second.stderr
    assert f"state dir {campus.state_dir} in use by PID {campus.host.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert len(_events(campus, "--kind", "service.start")) == starts == 1, \
        "no false service.start in the live host's log"
    assert campus.status()["mode"] == "normal", "the live host still answers"


# ---------------------------------------------------------------- the CLI says the truth
def _sd(campus) -> list[str]:
    return ["--state-dir", str(campus.state_dir)]


def test_ack_of_an_unknown_device_is_an_error_listing_the_devices(campus):
    done = campus.act("ack", *_sd(campus), "--device", "no-such-device", user="li.na")
    assert done.returncode == 1, done.stdout
    assert "no-such-device" in done.stderr and "main-gate-slider" in done.stderr
    assert "acknowledged" not in done.stdout


def test_drill_end_with_no_drill_is_refused_exit_1(campus):
    done = campus.act("drill", "end", *_sd(campus), "--reason", "tidy up", user="zhang.wei")
    assert done.returncode == 1, done.stdout + done.stderr


def test_events_of_an_unknown_kind_is_an_error_listing_the_kinds(campus):
    done = campus.cli("events", *_sd(campus), "--kind", "nosuchkind")
    assert done.returncode == 1
    assert "nosuchkind" in done.stderr and "panic.alarm" in done.stderr
    assert campus.cli("events", *_sd(campus), "--kind", "service").returncode == 0


def test_since_takes_site_local_times_and_events_show_site_time(campus):
    """The site is in Asia/Shanghai (+08:00): a time without a zone is the school's time."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    local = datetime.now(ZoneInfo("Asia/Shanghai"))
    start = _events(campus, "--kind", "service.start")[0]
    assert start["local_ts"].endswith("+08:00")
    later = (local + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    earlier = (local - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert _events(campus, "--kind", "service.start", "--since", later) == []
    assert len(_events(campus, "--kind", "service.start", "--since", earlier)) == 1
    utc_later = (datetime.now(timezone.utc) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%MZ")
    assert _events(campus, "--kind", "service.start", "--since", utc_later) == []
    for form in ("1h", "yesterday", (local - timedelta(minutes=30)).strftime("%H:%M")):
        assert len(_events(campus, "--kind", "service.start", "--since", form)) == 1, form
    text = campus.cli("events", *_sd(campus), "--kind", "service.start")
    assert "+08:00" in text.stdout
    bad = campus.cli("events", *_sd(campus), "--since", "teatime")
    assert bad.returncode == 1 and "HH:MM" in bad.stderr and "yesterday" in bad.stderr


def test_status_into_a_closed_pipe_exits_quietly(campus):
    import subprocess

    pipeline = subprocess.run(
        f"'{sys.executable[:-len('python')]}campusguard' status --state-dir '{campus.state_dir}'"
        " | head -1; exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
        capture_output=True, text=True, timeout=60, env=campus.env)
    assert pipeline.returncode == 0, pipeline.stderr
    assert "Traceback" not in pipeline.stderr and "BrokenPipe" not in pipeline.stderr
    assert pipeline.stdout.startswith("truth test campus: mode")


def test_a_fire_drill_reads_drill_and_a_lockdown_says_who_why_when(campus):
    start = campus.act("drill", "fire", *_sd(campus), "--reason", "term drill", user="zhang.wei")
    assert start.returncode == 0, start.stdout + start.stderr
    try:
        status = campus.status()
        assert status["mode"] == "drill"
        assert set(status["zones"].values()) == {"drill"}, status["zones"]
    finally:
        end = campus.act("drill", "end", *_sd(campus), "--reason", "done", user="zhang.wei")
        assert end.returncode == 0, end.stdout + end.stderr
    lock = campus.act("lockdown", *_sd(campus), "--zone", "main-gate", "--reason",
                      "stranger at the gate", user="li.na")
    assert lock.returncode == 0, lock.stdout + lock.stderr
    half = campus.act("clear", *_sd(campus), "--zone", "main-gate", "--reason", "gone",
                      user="li.na")
    assert half.returncode == 0, half.stdout + half.stderr
    try:
        text = campus.cli("status", *_sd(campus)).stdout
        assert "lockdown of zone main-gate: by li.na (pin) at " in text, text
        assert "stranger at the gate" in text and "+0800" in text
        assert "pending clear of zone main-gate: asked by li.na" in text
        assert "needs a second person within" in text
        pending = campus.status()["pending_clear"]
        assert pending["by"] == "li.na" and pending["expires_at"] > pending["at"]
    finally:
        done = campus.act("clear", *_sd(campus), "--zone", "main-gate", "--reason", "gone",
                          user="zhang.wei")
        assert done.returncode == 0, done.stdout + done.stderr


def test_an_offline_device_shows_unknown_not_its_last_state(campus):
    campus.wait(lambda s: all(d["online"] for d in s["devices"]), 60, "all online")
    done = campus.cli("sim", "inject", "--state-dir", str(campus.sim_dir), "power",
                      "pickup-bollard", "off")
    assert done.returncode == 0, done.stderr
    try:
        status = campus.wait(lambda s: not next(d for d in s["devices"]
                                                if d["name"] == "pickup-bollard")["online"],
                             60, "bollard offline")
        bollard = next(d for d in status["devices"] if d["name"] == "pickup-bollard")
        assert bollard["state"] == "unknown" and bollard["last_state"]
        text = campus.cli("status", *_sd(campus)).stdout
        assert any("pickup-bollard" in line and "OFFLINE unknown" in line
                   for line in text.splitlines()), text
    finally:
        campus.cli("sim", "inject", "--state-dir", str(campus.sim_dir), "power",
                   "pickup-bollard", "on")
        campus.wait(lambda s: all(d["online"] for d in s["devices"]), 90, "all online again")
