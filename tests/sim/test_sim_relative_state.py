"""`sim up` with a relative state dir (sim/README.md's own example), readiness that means every
device answers at its own unit with its own role, and a host port opened at the wrong baud."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sim_test_support import campusguard, write_site

pytestmark = [pytest.mark.timeout(180), pytest.mark.xdist_group(name="sim-relative"),
              pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]

SITE = """
    [site]
    name = "relative"
    timezone = "UTC"

    [[buses]]
    name = "gate-bus"
    port = "/dev/ttyUSB0"
    baud = 115200

    [[zones]]
    name = "gate"
    description = "Gate"

    [[devices]]
    name = "gate"
    bus = "gate-bus"
    unit = 1
    role = "gate"
    zone = "gate"

    [[devices]]
    name = "bollard"
    bus = "gate-bus"
    unit = 2
    role = "bollard"
    zone = "gate"
"""


def _up(cwd: Path, site: Path, state: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*campusguard(), "sim", "up", "--site", str(site), "--state-dir", state],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.stdout.read() if process.stdout else ""


def _wait_ready(state: Path, process: subprocess.Popen, timeout_s: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (state / "sim.json").exists():
            return json.loads((state / "sim.json").read_text())
        if process.poll() is not None:
            raise AssertionError("sim up exited: " + (process.stdout.read() or ""))
        time.sleep(0.1)
    raise AssertionError("sim.json did not appear")


@pytest.fixture(scope="module")
def relative_sim(tmp_path_factory):
    """A campus started from its own directory with `--state-dir relstate`."""
    work = tmp_path_factory.mktemp("relative")
    site = write_site(work, SITE)
    process = _up(work, site, "relstate")
    try:
        described = _wait_ready(work / "relstate", process)
        yield work, described
    finally:
        _stop(process)


def _diag(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, CAMPUSGUARD_DIAG_SESSION=str((cwd or REPO) / "diag-session"))
    return subprocess.run([*campusguard(), "diag", *args], capture_output=True, text=True,
                          timeout=90, cwd=cwd, env=env)


def test_a_relative_state_dir_gives_a_campus_whose_devices_answer(relative_sim):
    work, described = relative_sim
    assert described["ready"] is True
    scan = _diag("scan", "--units", "1-3", "--timeout", "0.5", "--sim", "relstate", "--bus",
                 "gate-bus", "--json", cwd=work)
    assert scan.returncode == 0, scan.stderr
    found = {d["unit"]: d["name"] for d in json.loads(scan.stdout)["devices"]}
    assert found == {1: "gate", 2: "bollard"}
    assert not list(work.glob("relstate/devices/*/relstate")), "a device wrote a nested state dir"


def test_a_host_port_at_the_wrong_baud_reads_garbage_and_diag_says_so(relative_sim):
    work, _ = relative_sim
    wrong = _diag("info", "1", "--sim", "relstate", "--bus", "gate-bus", "--baud", "19200",
                  cwd=work)
    assert wrong.returncode == 7, wrong.stdout + wrong.stderr
    assert "answers at 115200 baud, not 19200" in wrong.stderr
    assert "--baud 115200" in wrong.stderr
    right = _diag("info", "1", "--sim", "relstate", "--bus", "gate-bus", cwd=work)
    assert right.returncode == 0, right.stderr
    status = subprocess.run([*campusguard(), "sim", "status", "--state-dir", "relstate", "--json"],
                            capture_output=True, text=True, timeout=30, cwd=work)
    counters = json.loads(status.stdout)["buses"]["gate-bus"]["counters"]
    assert counters["host_baud_mismatch_bytes"] > 0


def test_sim_up_is_not_ready_when_a_device_answers_at_another_unit(tmp_path):
    """A device whose flash holds another unit (an installer's earlier provisioning): booted, but
    deaf at the unit the site names; sim up says which and exits non-zero."""
    site = write_site(tmp_path, SITE)
    flash = tmp_path / "state" / "devices" / "bollard"
    flash.mkdir(parents=True)
    config = {"version": 1, "role": "bollard", "unit": 9, "baud": 115200, "parity": "N",
              "stopbits": 1, "site_flags": 0, "comm_loss_timeout_s": 30, "serial": 1, "params": {}}
    (flash / "config.json").write_text(json.dumps(config))
    process = subprocess.Popen(
        [*campusguard(), "sim", "up", "--site", str(site), "--state-dir", "state",
         "--boot-timeout", "8"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        code = process.wait(timeout=100)
    finally:
        output = _stop(process)
    assert code != 0
    assert "bollard (bus gate-bus, unit 2): expected role bollard, got nothing" in output
    assert "NOT ready" in output
    assert not (tmp_path / "state" / "sim.json").exists()
