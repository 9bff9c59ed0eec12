"""`campusguard sim up|inject|status|down` as a user runs them, with the exact forms of DESIGN.md."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
from sim_test_support import campusguard, run_cli, write_site

from campusguard.cli import main

pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]

SITE = """
    [site]
    name = "cli"
    timezone = "UTC"

    [[zones]]
    name = "z"
    description = "test zone"

    [[buses]]
    name = "gate-bus"
    baud = 115200
    port = "/dev/null"

    [[buses]]
    name = "building-bus"
    baud = 19200
    port = "/dev/null"

    [[devices]]
    name = "gate"
    bus = "gate-bus"
    unit = 1
    role = "gate"
    zone = "z"

    [[devices]]
    name = "bollard"
    bus = "gate-bus"
    unit = 2
    role = "bollard"
    zone = "z"

    [[devices]]
    name = "station"
    bus = "building-bus"
    unit = 1
    role = "panic"
    zone = "z"

    [[devices]]
    name = "detector"
    bus = "building-bus"
    unit = 11
    role = "smoke"
    zone = "z"
"""


def wait_for_file(path, process, timeout_s=30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists():
            return
        if process.poll() is not None:
            raise AssertionError(f"sim up exited early: {process.stdout.read()}")
        time.sleep(0.05)
    raise AssertionError(f"{path} did not appear within {timeout_s} s")


def test_up_inject_status_down(tmp_path, capsys):
    site = write_site(tmp_path, SITE)
    state = tmp_path / "state"
    up = subprocess.Popen(
        [*campusguard(), "sim", "up", "--site", str(site), "--state-dir", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ),
    )
    try:
        wait_for_file(state / "sim.json", up)
        described = json.loads((state / "sim.json").read_text())
        assert described["ready"] is True
        assert described["buses"]["building-bus"]["baud"] == 19200
        assert {(d["name"], d["bus"], d["unit"], d["role"]) for d in described["devices"]} == {
            ("gate", "gate-bus", 1, "gate"),
            ("bollard", "gate-bus", 2, "bollard"),
            ("station", "building-bus", 1, "panic"),
            ("detector", "building-bus", 11, "smoke"),
        }
        for port in (b["port"] for b in described["buses"].values()):
            assert os.path.exists(port)

        # the console script once, end to end; the other forms through the same entry point
        # in-process (a cold `campusguard` start costs seconds on a loaded 2-core host)
        done = run_cli("sim", "inject", "--state-dir", str(state), "panic", "station")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("injected panic station")
        exact_forms = [
            ["panic-reset", "station"],
            ["smoke", "detector", "--level", "3.5"],
            ["obstruct", "gate", "on"],
            ["load", "bollard", "on"],
            ["power", "gate", "off"],
            ["power", "gate", "on"],
            ["noise", "building-bus", "--rate", "0.01"],
            ["noise", "building-bus", "--rate", "0"],
        ]
        for form in exact_forms:
            assert main(["sim", "inject", "--state-dir", str(state), *form]) == 0, form
            assert capsys.readouterr().out.startswith("injected")

        assert main(["sim", "status", "--state-dir", str(state), "--json"]) == 0
        status = json.loads(capsys.readouterr().out)
        devices = {d["name"]: d for d in status["devices"]}
        assert devices["gate"]["plant"]["state"]["obstructed"] is True
        assert devices["bollard"]["plant"]["state"]["load"] is True
        assert devices["detector"]["plant"]["state"]["target"] == 3.5
        assert devices["gate"]["powered"] is True and devices["gate"]["boots"] == 2

        assert (
            main(["sim", "inject", "--state-dir", str(state), "load", "gate", "on", "--json"]) == 1
        )
        assert "a gate has no 'load'" in json.loads(capsys.readouterr().out)["error"]

        down = run_cli("sim", "down", "--state-dir", str(state))
        assert down.returncode == 0, down.stderr
        assert up.wait(timeout=20) == 0
        assert not (state / "sim.json").exists() and not (state / "sim.sock").exists()
        pids = [d.get("pid") for d in status["devices"] if d.get("pid")]
        assert pids and not any(
            os.path.exists(f"/proc/{pid}") for pid in pids
        )  # no device left running
    finally:
        if up.poll() is None:
            up.terminate()
            up.wait(timeout=20)


def test_inject_without_a_running_simulator_says_how_to_start_one(tmp_path, capsys):
    assert main(["sim", "inject", "--state-dir", str(tmp_path), "panic", "station"]) == 1
    err = capsys.readouterr().err
    assert "no simulator runs in" in err and "campusguard sim up" in err


def test_sim_up_refuses_a_broken_site_file_naming_it(tmp_path, capsys):
    site = write_site(tmp_path, "[[buses]]\nname = 'a'\nbaud = 1234\n")
    assert main(["sim", "up", "--site", str(site), "--state-dir", str(tmp_path / "s")]) == 1
    err = capsys.readouterr().err
    assert str(site) in err and "baud = 1234" in err
