"""`campusguard diag` against a stand-in bus: pymodbus's own server behind a pty."""

from __future__ import annotations

import json

from protocols import registers as R


def line(bus, *extra):
    return ["--port", bus.host_port, "--baud", "19200", *extra]


def test_scan_finds_and_names_every_unit(standin, cli):
    r = cli("diag", "scan", "--units", "1-4,29-31", *line(standin, "--json"))
    assert r.code == 0, r.err
    found = {d["unit"]: d for d in r.json()["devices"]}
    assert sorted(found) == [1, 2, 30]
    assert found[1]["product"] == "CG-GATE" and found[1]["role"] == "gate"
    assert found[1]["vendor"] == "CampusGuard" and found[1]["revision"] == "1.0.0"
    # no FC 2B/0E: named by probing the third-party profiles
    assert found[30]["role"] == "generic-di-8"


def test_scan_text_names_profile_given(standin, cli):
    r = cli("diag", "scan", "--units", "30", "--profile", "generic-di-8", *line(standin))
    assert r.code == 0
    assert "profile:generic-di-8" in r.out and "1 unit(s) found" in r.out


def test_info_shows_identity_firmware_uptime_faults_and_log(standin, cli):
    r = cli("diag", "info", "1", *line(standin))
    assert r.code == 0, r.err
    for text in ("CG-GATE", "firmware         1.0.0", "uptime           01:02:05",
                 "reset cause      power_on", "faults           none", "fault log"):
        assert text in r.out
    data = cli("diag", "info", "1", *line(standin, "--json")).json()
    assert data["uptime_s"] == 3725 and data["serial"] == 4242 and data["fault_log"] == []


def test_info_third_party_shows_profile_points(standin, cli):
    data = cli("diag", "info", "30", *line(standin, "--json")).json()
    assert data["profile"] == "generic-di-8"
    assert data["points"][0]["name"] == "inputs" and data["points"][0]["raw"] == [0] * 8


def test_counters_read_and_clear(standin, cli):
    r = cli("diag", "counters", "1", *line(standin, "--json"))
    assert r.code == 0, r.err
    assert set(r.json()["counters"]) >= {"bus_messages", "bus_comm_errors", "bus_exceptions"}
    r = cli("diag", "counters", "1", "--clear", *line(standin, "--json"))
    assert r.json()["cleared"] is True
    assert r.json()["after_clear"]["bus_comm_errors"] == 0


def test_watch_count_gives_decoded_refreshes(standin, cli):
    r = cli("diag", "watch", "1", "--count", "2", "--interval", "0.05", *line(standin, "--json"))
    assert r.code == 0, r.err
    snaps = [json.loads(x) for x in r.out.splitlines()]
    assert len(snaps) == 2
    rows = {row["register"]: row for row in snaps[0]["registers"]}
    assert rows["gate.travel_timeout_s"]["value"] == "30 s"
    assert rows["gate.state"]["value"] in R.GATE_STATE_NAMES
    text = cli("diag", "watch", "1", "--count", "1", *line(standin)).out
    assert "gate.state" in text and "common.fault_flags" in text


def test_read_by_name_and_address(standin, cli):
    r = cli("diag", "read", "1", "reset_cause", *line(standin, "--json"))
    assert r.json()["value"] == "power_on" and r.json()["address"] == 7
    r = cli("diag", "read", "1", "106", *line(standin))
    assert "gate.travel_timeout_s" in r.out and "30 s" in r.out


def test_write_needs_confirmation_then_writes(standin, cli):
    r = cli("diag", "write", "1", "travel_timeout_s", "25", *line(standin))
    assert r.code != 0 and "not confirmed" in r.err and "--yes" in r.err
    r = cli("diag", "write", "1", "travel_timeout_s", "25", "--yes", *line(standin, "--json"))
    assert r.code == 0, r.err
    assert r.json()["read_back"] == 25
    assert cli("diag", "read", "1", "travel_timeout_s", *line(standin, "--json")).json()["raw"] == 25


def test_write_refuses_read_only_and_out_of_range(standin, cli):
    r = cli("diag", "write", "1", "state", "3", "--yes", *line(standin))
    assert r.code == 2 and "read-only" in r.err
    r = cli("diag", "write", "1", "travel_timeout_s", "500", "--yes", *line(standin))
    assert r.code == 2 and "outside" in r.err and "5..120" in r.err


def test_command_names_are_accepted(standin, cli):
    r = cli("diag", "write", "2", "command", "open", "--yes", *line(standin, "--json"))
    assert r.code == 0 and r.json()["written"] == 1


def test_bus_reports_error_rates_of_the_session(standin, cli):
    cli("diag", "scan", "--units", "1-5", "--no-progress", *line(standin))
    r = cli("diag", "bus", *line(standin, "--json"))
    session = r.json()["session"]
    assert set(session["units"]) == {"1", "2"} and session["total"]["error_rate"] == 0.0
    assert session["silent_units"] == [3, 4, 5] and session["silent_requests"] == 3
    assert "3-5" in cli("diag", "bus", *line(standin)).out
    r = cli("diag", "bus", "--reset", "--poll", "2", "--units", "1,7", *line(standin, "--json"))
    session = r.json()["session"]
    assert session["units"]["1"]["answers"] == 2 and session["silent_units"] == [7]
    assert session["all_requests"]["timeouts"] == 2


def test_list_registers_without_a_device(cli):
    r = cli("diag", "read", "1", "bollard", "--list", "--port", "/dev/null")
    assert r.code == 0 and "bollard.efo_timeout_ms" in r.out


def test_scan_shows_a_progress_bar_on_a_terminal(standin, tmp_path):
    """stderr on a real pty (a terminal): the bar is drawn there, stdout keeps the result."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    done = subprocess.run([sys.executable, "-m", "campusguard.cli", "diag", "scan", "--units",
                           "1-3", *line(standin, "--json")], stdout=subprocess.PIPE, stderr=slave,
                          env=dict(os.environ, CAMPUSGUARD_DIAG_SESSION=str(tmp_path)),
                          timeout=60)
    os.close(slave)
    bar = os.read(master, 4096).decode()
    os.close(master)
    assert done.returncode == 0
    assert "scanning [" in bar and "3/3, 2 found" in bar
    assert [d["unit"] for d in json.loads(done.stdout)["devices"]] == [1, 2]
