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

pytestmark = [pytest.mark.xdist_group("field-truth-sim"), pytest.mark.timeout(300)]

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


def test_a_scan_with_missing_units_exits_non_zero(sim, env):
    inject(sim, "cut", "classroom-1a-smoke", "on")
    try:
        scan = run(env, "diag", "scan", "--units", "10-12,29-31", *on(sim, "building-bus"))
    finally:
        inject(sim, "cut", "classroom-1a-smoke", "off")
    assert scan.returncode == 1, scan.stdout + scan.stderr
    assert "MISSING: unit 11 classroom-1a-smoke" in scan.stdout
    assert "did not answer" in scan.stderr
    whole = run(env, "diag", "scan", "--units", "10-12,29-31", *on(sim, "building-bus"))
    assert whole.returncode == 0, whole.stdout + whole.stderr


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


def test_watch_rides_out_a_missed_answer(sim, env):
    watch = subprocess.Popen([CAMPUSGUARD, "diag", "watch", "1", *on(sim, "gate-bus"), "--count",
                              "14", "--interval", "0.3", "--json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    first = watch.stdout.readline()
    assert json.loads(first).get("registers"), first
    inject(sim, "cut", "main-gate-slider", "on")
    time.sleep(1.5)
    inject(sim, "cut", "main-gate-slider", "off")
    rest, err = watch.communicate(timeout=120)
    assert watch.returncode == 0, err
    views = [json.loads(line) for line in rest.splitlines() if line.startswith("{")]
    missed = [i for i, v in enumerate(views) if v.get("missed")]
    assert missed, "the cut never showed"
    assert any(v.get("registers") for v in views[missed[-1] + 1:]), "it did not watch on after"


def test_diag_bus_counts_this_device_nodes_session_with_progress_and_silent_site_units(
        sim, env, tmp_path):
    port = json.loads((sim / "sim.json").read_text())["buses"]["building-bus"]["port"]
    session_dir = Path(env["CAMPUSGUARD_DIAG_SESSION"])
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
        bus = run(env, "diag", "bus", *on(sim, "building-bus"), "--poll", "3")
    finally:
        inject(sim, "cut", "classroom-1a-smoke", "off")
    assert bus.returncode == 0, bus.stderr
    assert "polling: 6/6 requests" in bus.stderr, bus.stderr
    table = {line.split()[1]: line for line in bus.stdout.splitlines()
             if line.startswith("unit ")}
    assert set(table) == {"11", "30"}, bus.stdout
    assert "NEVER ANSWERED" in table["11"] and "100.0%" in table["11"], table["11"]
    assert " 3 " in table["11"] and "500" not in bus.stdout, "counts of the earlier user mixed in"


def test_a_failed_proof_carries_a_fix_line(sim, env):
    port = json.loads((sim / "sim.json").read_text())["buses"]["gate-bus"]["port"]
    proof = run(env, "flash", "--prove-only", "--role", "gate", "--unit", "5", "--baud",
                "115200", "--bus-port", port, "--boot-timeout", "1")
    assert proof.returncode == 11, proof.stdout + proof.stderr
    lines = proof.stdout.splitlines()
    fail = next(i for i, line in enumerate(lines) if line.startswith("FAIL: "))
    assert lines[fail + 1].startswith("  fix: ") and "diag scan" in lines[fail + 1]
