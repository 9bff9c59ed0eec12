"""Issue 14, the field tools telling the truth, on the simulator running the real firmware: a scan
with MISSING units fails, "n" at the write prompt is "not written" (exit 1), watch rides out a lost
answer, diag bus counts only this device node's session with progress and the site's silent units
as failures, and a failed proof says what to do."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.xdist_group(name="field-truth-sim"), pytest.mark.timeout(300),
              pytest.mark.slow]

SITE = str(Path(__file__).with_name("field-site.toml"))
CAMPUSGUARD = str(Path(sys.executable).with_name("campusguard"))


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    state = tmp_path_factory.mktemp("truth-sim")
    log = open(state / "sim.log", "w")
    proc = subprocess.Popen([CAMPUSGUARD, "sim", "up", "--site", SITE, "--state-dir", str(state)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while not (state / "sim.json").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            log.close()
            pytest.fail("the simulator did not start:\n" + (state / "sim.log").read_text()[-3000:])
        time.sleep(0.2)
    yield state
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()


@pytest.fixture
def env(tmp_path):
    return dict(os.environ, CAMPUSGUARD_DIAG_SESSION=str(tmp_path / "session"),
                CAMPUSGUARD_LOCK_DIR=str(tmp_path / "locks"))


def run(env, *argv, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([CAMPUSGUARD, *argv], capture_output=True, text=True, timeout=timeout,
                          env=env)


def inject(sim, *argv) -> None:
    done = subprocess.run([CAMPUSGUARD, "sim", "inject", "--state-dir", str(sim), *argv],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def on(sim, bus):
    return ["--sim", str(sim), "--bus", bus]


def test_a_scan_with_missing_units_exits_non_zero(sim, cli):
    inject(sim, "cut", "classroom-1a-smoke", "on")
    try:
        scan = cli("diag", "scan", "--units", "10-12,29-31", "--timeout", "0.5",
                   *on(sim, "building-bus"))
    finally:
        inject(sim, "cut", "classroom-1a-smoke", "off")
    assert scan.code == 1, scan.out + scan.err
    assert "MISSING: unit 11 classroom-1a-smoke" in scan.out
    assert "did not answer" in scan.err
    whole = cli("diag", "scan", "--units", "10-12,29-31", "--timeout", "0.5",
                *on(sim, "building-bus"))
    assert whole.code == 0, whole.out + whole.err


def test_answering_n_at_the_write_prompt_is_not_written_exit_1(sim, env):
    main, child = pty.openpty()
    process = subprocess.Popen([CAMPUSGUARD, "diag", "write", "1", "travel_timeout_s", "25",
                                *on(sim, "gate-bus")], stdin=child, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    os.close(child)
    os.write(main, b"n\n")
    out, err = process.communicate(timeout=60)
    os.close(main)
    assert process.returncode == 1, out + err
    assert "not written:" in err and "was not confirmed" in err
    assert "error:" not in err
    read = run(env, "diag", "read", "1", "travel_timeout_s", *on(sim, "gate-bus"), "--json")
    assert read.returncode == 0 and json.loads(read.stdout)["raw"] == 20, read.stdout
    # the same answer without a terminal to ask on
    quiet = run(env, "diag", "write", "1", "travel_timeout_s", "25", *on(sim, "gate-bus"))
    assert quiet.returncode == 1 and "not written:" in quiet.stderr


def test_watch_rides_out_a_missed_answer(sim, env):
    """It used to exit on the first missed answer; now it notes the gap and keeps watching."""
    watch = subprocess.Popen([CAMPUSGUARD, "diag", "watch", "1", *on(sim, "gate-bus"),
                              "--interval", "0.3", "--json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = watch.stdout.readline()
        assert json.loads(first).get("registers"), first
        inject(sim, "cut", "main-gate-slider", "on")
        views = []
        while not any(v.get("missed") for v in views):
            line = watch.stdout.readline()
            assert line, "watch ended: " + watch.stderr.read()
            views.append(json.loads(line))
        inject(sim, "cut", "main-gate-slider", "off")
        deadline = time.monotonic() + 60
        while not views[-1].get("registers"):
            assert time.monotonic() < deadline, views[-1]
            line = watch.stdout.readline()
            assert line, "watch ended after a missed answer: " + watch.stderr.read()
            views.append(json.loads(line))
        assert watch.poll() is None, "still watching"
        missed = next(v for v in views if v.get("missed"))
        assert missed["missed_in_row"] == 1 and "unit 1" in missed["message"]
    finally:
        inject(sim, "cut", "main-gate-slider", "off")
        watch.send_signal(signal.SIGINT)
        watch.communicate(timeout=30)


def test_diag_bus_counts_this_device_nodes_session_with_progress_and_silent_site_units(
        sim, cli, tmp_path):
    port = json.loads((sim / "sim.json").read_text())["buses"]["building-bus"]["port"]
    session_dir = Path(os.environ["CAMPUSGUARD_DIAG_SESSION"])
    session_dir.mkdir()
    # an earlier user of the same port name (another simulator's pty /dev/pts/N): 500 timeouts
    earlier = {"port": port, "instance": "0:0:1", "started": 1.0,
               "total": {"requests": 500, "timeouts": 500},
               "units": {"11": {"requests": 500, "timeouts": 500}}}
    name = port.strip("/").replace("/", "_")
    (session_dir / f"_{name}.json").write_text(json.dumps(earlier))
    assert list(session_dir.iterdir())
    inject(sim, "cut", "classroom-1a-smoke", "on")
    try:
        bus = cli("diag", "bus", *on(sim, "building-bus"), "--poll", "3")
    finally:
        inject(sim, "cut", "classroom-1a-smoke", "off")
    assert bus.code == 0, bus.err
    assert "polling: 6/6 requests" in bus.err, bus.err
    table = {line.split()[1]: line for line in bus.out.splitlines()
             if line.startswith("unit ")}
    assert set(table) == {"11", "30"}, bus.out
    assert "NEVER ANSWERED" in table["11"] and "100.0%" in table["11"], table["11"]
    assert " 3 " in table["11"] and "500" not in bus.out, "counts of the earlier user mixed in"


def test_a_failed_proof_carries_a_fix_line(sim, cli):
    port = json.loads((sim / "sim.json").read_text())["buses"]["gate-bus"]["port"]
    proof = cli("flash", "--prove-only", "--role", "gate", "--unit", "5", "--baud",
                "115200", "--bus-port", port, "--boot-timeout", "1")
    assert proof.code == 11, proof.out + proof.err
    lines = proof.out.splitlines()
    fail = next(i for i, line in enumerate(lines) if line.startswith("FAIL: "))
    assert lines[fail + 1].startswith("  fix: ") and "diag scan" in lines[fail + 1]
