"""The field tools against the simulator running the real firmware under MicroPython: what a
technician and an installer do, end to end, through the simulated buses' ptys."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from controller.field.errors import ProofFailed

pytestmark = pytest.mark.xdist_group(name="field-simulator")  # one simulated campus per run

SITE = str(Path(__file__).with_name("field-site.toml"))
CAMPUSGUARD = str(Path(sys.executable).with_name("campusguard"))


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    state = tmp_path_factory.mktemp("sim")
    log = open(state / "sim.log", "w")
    proc = subprocess.Popen([CAMPUSGUARD, "sim", "up", "--site", SITE, "--state-dir", str(state)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not (state / "sim.json").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)  # the simulator and its device processes
            log.close()
            pytest.fail("the simulator did not start:\n" + (state / "sim.log").read_text()[-3000:])
        time.sleep(0.2)
    yield str(state)
    subprocess.run([CAMPUSGUARD, "sim", "down", "--state-dir", str(state)], timeout=30,
                   capture_output=True)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()


def on(sim, bus):
    return ["--sim", sim, "--bus", bus]


def test_scan_finds_every_unit_and_names_it(sim, cli):
    gate = cli("diag", "scan", "--units", "1-3", *on(sim, "gate-bus"), "--json")
    assert gate.code == 0, gate.err
    assert [(d["unit"], d["name"], d["product"]) for d in gate.json()["devices"]] == [
        (1, "main-gate-slider", "CG-GATE")]
    building = cli("diag", "scan", "--units", "10-12,29-31", *on(sim, "building-bus"), "--json")
    assert building.code == 0, building.err
    found = {d["unit"]: d for d in building.json()["devices"]}
    assert sorted(found) == [11, 30] and building.json()["missing"] == []
    assert found[11]["product"] == "CG-SMOKE" and found[11]["vendor"] == "CampusGuard"
    assert found[30]["role"] == "generic-rs485-smoke"  # no identification: found by probing


def test_info_and_counters_of_a_real_firmware(sim, cli):
    info = cli("diag", "info", "1", *on(sim, "gate-bus"), "--json")
    assert info.code == 0, info.err
    data = info.json()
    assert data["role"] == "gate" and data["site_flags"] == ["evacuation_route"]
    assert data["active_unit"] == 1 and data["active_baud"] == 115200
    assert data["fw_version"] == data["revision"]
    counters = cli("diag", "counters", "1", *on(sim, "gate-bus"), "--clear", "--json")
    assert counters.code == 0, counters.err
    assert counters.json()["counters"]["bus_messages"] > 0
    assert counters.json()["after_clear"]["bus_messages"] < counters.json()["counters"][
        "bus_messages"]


def test_watch_a_gate_move(sim, cli):
    r = cli("diag", "write", "1", "command", "open", "--yes", *on(sim, "gate-bus"))
    assert r.code == 0, r.err
    r = cli("diag", "watch", "1", "--count", "12", "--interval", "0.25", *on(sim, "gate-bus"),
            "--json")
    assert r.code == 0, r.err
    states = [next(row["value"] for row in json.loads(x)["registers"]
                   if row["register"] == "gate.state") for x in r.out.splitlines()]
    assert "open" in states, states
    assert states[-1] == "open"


def test_third_party_profile_values(sim, cli):
    r = cli("diag", "info", "30", *on(sim, "building-bus"), "--json")
    assert r.code == 0, r.err
    points = {p["name"]: p for p in r.json()["points"]}
    assert points["alarm"]["value"] == "normal" and points["fault"]["value"] == "ok"


def test_proof_passes_for_the_device_as_provisioned(sim, cli):
    r = cli("flash", "--prove-only", "--site", SITE, "--device", "main-gate-slider", "--sim", sim,
            "--boot-timeout", "2")
    assert r.code == 0, r.out + r.err
    assert "PASS: unit 1 is a gate" in r.out


def test_proof_fails_for_a_wrong_unit_address(sim, cli):
    r = cli("flash", "--prove-only", "--site", SITE, "--device", "main-gate-slider", "--sim", sim,
            "--unit", "5", "--boot-timeout", "1")
    assert r.code == ProofFailed.exit_code
    assert "FAIL: no answer from unit 5" in r.out and "wrong unit address" in r.out


def test_bus_shows_the_errors_of_a_noisy_line(sim, cli):
    def inject(rate: str) -> None:
        subprocess.run([CAMPUSGUARD, "sim", "inject", "--state-dir", sim, "noise", "gate-bus",
                        "--rate", rate], check=True, capture_output=True, timeout=30)

    inject("0.1")
    try:
        r = cli("diag", "bus", "--reset", "--poll", "6", "--units", "1", *on(sim, "gate-bus"),
                "--json")
    finally:
        inject("0")
    assert r.code == 0, r.err
    total = r.json()["session"]["all_requests"]
    assert total["requests"] == 6
    assert total["crc_errors"] + total["frame_errors"] > 0, total
    assert total["error_rate"] > 0
