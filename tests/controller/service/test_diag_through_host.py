"""Issue 14: a technician diagnoses a device while the host keeps the campus supervised, puts it in
maintenance and back; the host says so when it overwrites what the technician wrote."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from campus_and_host import SITE, start, stop  # noqa: E402

pytestmark = [pytest.mark.timeout(400), pytest.mark.xdist_group(name="diag-through-host"),
              pytest.mark.slow]


@pytest.fixture(scope="module")
def campus(tmp_path_factory):
    both = start(tmp_path_factory.mktemp("through-host"))
    yield both
    stop(both)


def _on(campus, bus: str) -> list[str]:
    return ["--sim", str(campus.sim_dir), "--bus", bus]


def _events(campus, kind: str) -> list[dict]:
    done = campus.cli("events", "--state-dir", str(campus.state_dir), "--kind", kind, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _device(status: dict, name: str) -> dict:
    return next(d for d in status["devices"] if d["name"] == name)


def _gate_offline_then_back(campus) -> None:
    """Cut the gate off the line until the host calls it offline, then put it back."""
    sim = ["sim", "inject", "--state-dir", str(campus.sim_dir)]
    assert campus.cli(*sim, "cut", "main-gate-slider", "on").returncode == 0
    try:
        campus.wait(lambda s: not _device(s, "main-gate-slider")["online"], 60, "gate offline")
    finally:
        assert campus.cli(*sim, "cut", "main-gate-slider", "off").returncode == 0
    campus.wait(lambda s: _device(s, "main-gate-slider")["online"], 60, "gate back online")


def test_every_diag_verb_goes_through_the_running_host(campus):
    scan = campus.cli("diag", "scan", "--units", "1-3", "--timeout", "0.5",
                      *_on(campus, "gate-bus"), "--json")
    assert scan.returncode == 0, scan.stderr
    assert f"through the host (campusguard run, PID {campus.host.pid}" in scan.stderr
    found = [(d["unit"], d["name"], d["product"]) for d in json.loads(scan.stdout)["devices"]]
    assert found == [(1, "main-gate-slider", "CG-GATE"), (2, "pickup-bollard", "CG-BOLLARD")]
    info = campus.cli("diag", "info", "11", *_on(campus, "building-bus"))
    assert info.returncode == 0 and "CG-SMOKE" in info.stdout, info.stderr
    counters = campus.cli("diag", "counters", "8", *_on(campus, "building-bus"), "--json")
    assert counters.returncode == 0, counters.stderr
    watch = campus.cli("diag", "watch", "1", *_on(campus, "gate-bus"), "--count", "2", "--json")
    assert watch.returncode == 0 and watch.stdout.count('"registers"') == 2, watch.stderr
    bus = campus.cli("diag", "bus", *_on(campus, "gate-bus"), "--poll", "2", "--json")
    assert bus.returncode == 0, bus.stderr
    assert set(json.loads(bus.stdout)["session"]["units"]) >= {"1", "2"}
    proof = campus.cli("flash", "--prove-only", "--site", str(SITE), "--device",
                       "main-gate-slider", "--sim", str(campus.sim_dir))
    assert proof.returncode == 0 and "PASS: unit 1 is a gate" in proof.stdout, \
        proof.stdout + proof.stderr
    # the host kept supervising all along: nothing went offline, the bus stayed up
    status = campus.status()
    assert all(d["online"] for d in status["devices"]) and status["buses"]["gate-bus"]["up"]
    assert _events(campus, "trouble") == []


def test_maintenance_pauses_trouble_and_provisioning_and_the_overwrite_is_logged(campus):
    sd = ["--state-dir", str(campus.state_dir)]
    guard = campus.cli("diag", "maintenance", "main-gate-slider", "--minutes", "10",
                       "--user", "li.na", "--pin-stdin", *sd, stdin="2580\n")
    assert guard.returncode == 1 and "li.na is a guard" in guard.stderr, guard.stderr

    wrote = campus.cli("diag", "write", "1", "travel_timeout_s", "25", "--yes",
                       *_on(campus, "gate-bus"))
    assert wrote.returncode == 0, wrote.stderr
    wrong_pin = campus.cli("diag", "maintenance", "main-gate-slider", "--minutes", "10",
                           "--user", "liu.yang", "--pin-stdin", *sd, stdin="0000\n")
    assert wrong_pin.returncode == 1 and "refused" in wrong_pin.stderr, wrong_pin.stderr
    begin = campus.cli("diag", "maintenance", "main-gate-slider", "--minutes", "10", "--user",
                       "liu.yang", "--pin-stdin", "--reason", "testing the travel timeout", *sd,
                       stdin="8642\n")
    assert begin.returncode == 0, begin.stderr
    started = _events(campus, "maintenance.start")
    assert started and started[-1]["user"] == "liu.yang" and "until" in started[-1]["data"]
    assert started[-1]["data"]["method"] == "pin"
    assert "liu.yang" in started[-1]["message"] and "until" in started[-1]["message"]
    shown = _device(campus.status(), "main-gate-slider")["maintenance"]
    assert shown["by"] == "liu.yang" and shown["until"] > shown["since"]
    assert "MAINTENANCE by liu.yang" in campus.cli("status", *sd).stdout

    _gate_offline_then_back(campus)
    time.sleep(4)  # longer than the site's trouble_after_s (3 s)
    assert not [e for e in _events(campus, "trouble.offline")
                if e["device"] == "main-gate-slider"], "comm-loss trouble raised in maintenance"
    assert _events(campus, "device.param_overwritten") == [], "re-provisioned in maintenance"
    held = campus.cli("diag", "read", "1", "travel_timeout_s", *_on(campus, "gate-bus"),
                      "--json")
    assert json.loads(held.stdout)["raw"] == 25, "the technician's value was overwritten"

    end = campus.cli("diag", "maintenance", "main-gate-slider", "--end", "--user", "liu.yang",
                     "--pin-stdin", *sd, stdin="8642\n")
    assert end.returncode == 0, end.stderr
    assert _events(campus, "maintenance.end")
    assert _device(campus.status(), "main-gate-slider")["maintenance"] is None

    _gate_offline_then_back(campus)
    deadline = time.monotonic() + 30
    while not _events(campus, "device.param_overwritten") and time.monotonic() < deadline:
        time.sleep(0.5)
    overwritten = _events(campus, "device.param_overwritten")
    assert overwritten, "the host overwrote the technician's value without saying so"
    data = overwritten[-1]["data"]
    assert (data["param"], data["device_value"], data["site_value"]) == \
        ("travel_timeout_s", 25, 30)
    assert "offline" in data["why"]
    back = campus.cli("diag", "read", "1", "travel_timeout_s", *_on(campus, "gate-bus"), "--json")
    assert json.loads(back.stdout)["raw"] == 30


def test_maintenance_by_the_os_account_mapped_to_a_technician(campus):
    """SO_PEERCRED: the caller's OS account is the operator's proof; no PIN asked."""
    import getpass

    from controller.identity.store import OperatorStore

    store = OperatorStore(campus.state_dir)
    if store.get("wu.tech") is None:
        store.add("wu.tech", "technician", "wu.tech password", "97531",
                  os_user=getpass.getuser())
    sd = ["--state-dir", str(campus.state_dir)]
    begin = campus.cli("diag", "maintenance", "classroom-smoke", "--minutes", "1", *sd, "--json")
    assert begin.returncode == 0, begin.stdout + begin.stderr
    window = json.loads(begin.stdout)["maintenance"]
    assert (window["by"], window["method"]) == ("wu.tech", "os_user")
    end = campus.cli("diag", "maintenance", "classroom-smoke", "--end", *sd)
    assert end.returncode == 0, end.stderr
    assert "classroom-smoke out of maintenance" in end.stdout
