"""Issue 11 items 3 and 6 against the simulated campus, host and simulator in their own processes.

- The state disk fills up (a real tmpfs, else RLIMIT_FSIZE on the host process): a lockdown is
  in force on the devices but never answered ok, status says the store is failing; kill -9, free
  the space, restart: the host is in lockdown again, from the devices' evidence (the lockdown
  event was never written).
- One press, one alarm: kill -9 of the host at varying delays after a panic press, N restarts
  (CAMPUSGUARD_PRESS_TRIALS, default 6): each press is logged, queued and received exactly once.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from running_campus import SMALL_SITE, RunningCampus, wait_until

from protocols import events as E

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "controller" / "service"))
from small_filesystem import DiskFull  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "controller" / "alarm"))
from pysia_receiver import PysiaReceiver  # noqa: E402

pytestmark = [pytest.mark.slow]
STATION = "kindergarten-panic"
BARRIERS = {"main-gate-barrier": "locked", "side-gate": "locked", "fire-lane-bollard": "up"}
TRIALS = int(os.environ.get("CAMPUSGUARD_PRESS_TRIALS", "6"))  # ~12 s a trial with a receiver


def barrier_states(campus: RunningCampus) -> dict[str, str]:
    return {d["name"]: d["state"] for d in campus.status()["devices"] if d["name"] in BARRIERS}


@pytest.mark.timeout(180)
def test_disk_full_lockdown_in_force_not_ok_then_kill_free_restart_is_still_lockdown(tmp_path):
    campus = RunningCampus(tmp_path)
    disk = DiskFull(campus.state_dir, 16 * 1024 * 1024)
    try:
        campus.start()
        disk.pid = campus.host.pid
        disk.fill()

        def store_failing() -> bool:  # drive writes until one meets the full disk
            campus.act("ack", "li.na", "checking")
            return campus.status()["store"]["state"] == "failing"
        wait_until(store_failing, 30, "the store to fail on the full disk")

        reply = campus.act("lockdown", "li.na", "intruder at the fence")
        assert reply["ok"] is False, reply
        assert "in force" in reply["error"] and "not written" in reply["error"].lower(), reply
        assert "Fix:" in reply["error"], reply
        assert reply["mode"] == "lockdown"
        wait_until(lambda: barrier_states(campus) == BARRIERS, 30, "every barrier locked")
        store = campus.status()["store"]
        assert store["state"] == "failing" and store["pending"] > 0 and store["fix"], store
        shown = subprocess.run([sys.executable, "-m", "campusguard.cli", "status", "--state-dir",
                                str(campus.state_dir)], capture_output=True, text=True, timeout=30)
        assert "mode LOCKDOWN" in shown.stdout and "EVENT STORE FAILING" in shown.stdout, shown

        campus.kill_host()
        disk.free()
        written = [e for e in campus.events() if e.kind == E.LOCKDOWN_SET]
        assert written == [], "the lockdown event never reached the disk"

        restart = max((e.id for e in campus.events()), default=0)
        campus.start_host(wait_for_devices=False)
        wait_until(lambda: campus.status()["mode"] == "lockdown", 30,
                   "the restarted host to restore the lockdown")
        reconciled = [e for e in campus.events(E.POLICY_DECISION)
                      if e.data.get("rule") == "reconciled_at_start"]
        assert reconciled and reconciled[0].data["evidence"]["mode"] == "lockdown", \
            "logged as reconciled, with the evidence"
        assert campus.events(E.LOCKDOWN_SET)
        wait_until(lambda: barrier_states(campus) == BARRIERS, 30, "barriers still locked")
        normal = [e for e in campus.events(E.COMMAND_SENT)
                  if e.id > restart and e.data.get("action") == "mode_normal"]
        assert normal == [], "the restarted host never told a device to return to normal"
        assert campus.status()["store"]["state"] == "ok"
    finally:
        campus.stop()
        disk.close()


def panic_logged(campus: RunningCampus, since: int) -> bool:
    """A read-only look at events.db, fast enough to kill the host right after the write."""
    db = sqlite3.connect(f"file:{campus.state_dir / 'events.db'}?mode=ro", uri=True, timeout=1)
    try:
        row = db.execute("SELECT 1 FROM events WHERE kind = ? AND device = ? AND id > ?",
                         (E.PANIC_ALARM, STATION, since)).fetchone()
    except sqlite3.Error:
        return False
    finally:
        db.close()
    return row is not None


def kill_after_press(campus: RunningCampus, trial: int, since: int) -> str:
    """Even trials: kill at a fixed delay after the press (0.2 .. 0.8 s: before, during and after
    the host sees it). Odd trials: kill 0..60 ms after panic.alarm is durable - the window in
    which the station has not yet been told "received", where the old host reported twice."""
    campus.inject("panic", STATION)
    start = time.monotonic()
    if trial % 2 == 0:
        delay = 0.2 + 0.6 * (trial / max(TRIALS - 1, 1))
        time.sleep(delay)
        how = f"{delay:.2f} s after the press"
    else:
        while not panic_logged(campus, since) and time.monotonic() - start < 5:
            time.sleep(0.005)
        offset = 0.06 * ((trial // 2) % 4) / 3
        time.sleep(offset)
        how = f"{offset * 1000:.0f} ms after panic.alarm was durable"
    campus.kill_host()
    return how


class ReceiverThread:
    """A real pysiaalarm receiver on its own event loop, for a test driven from plain threads."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        async def start() -> PysiaReceiver:
            receiver = PysiaReceiver("tcp", {"1234": None})
            await receiver.start()
            return receiver
        self.receiver = asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)

    def panic_sequences(self) -> set[str]:
        return {e.sequence for e in list(self.receiver.events)
                if e.event_qualifier + e.event_type == "1120"}

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.receiver.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def outbox_panics(campus: RunningCampus) -> list[int]:
    db = sqlite3.connect(f"file:{campus.state_dir / 'alarm-outbox.db'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT id FROM alarm_outbox WHERE source_key LIKE ?",
                          (f"panic:{STATION}:%",)).fetchall()
    finally:
        db.close()
    return [r[0] for r in rows]


@pytest.mark.timeout(60 + 45 * TRIALS)
def test_kill_9_after_a_press_never_reports_it_twice(tmp_path):
    """With a real receiver (CAMPUSGUARD_PRESS_RECEIVER=0: the log-only report path): per press,
    one panic.alarm in the log, one outbox entry, one alarm (one DC-09 sequence) received."""
    use_receiver = os.environ.get("CAMPUSGUARD_PRESS_RECEIVER", "1") != "0"
    receiver = ReceiverThread() if use_receiver else None
    site = SMALL_SITE
    if receiver is not None:
        site = tmp_path / "site.toml"
        site.write_text(SMALL_SITE.read_text() + f"""
[alarm]
[[alarm.receivers]]
host = "127.0.0.1"
port = {receiver.receiver.port}
protocol = "tcp"
account = "1234"
""")
    campus = RunningCampus(tmp_path, site=site).start()
    wrong = []
    try:
        for trial in range(TRIALS):
            campus.inject("panic-reset", STATION)
            wait_until(lambda: campus.device(STATION)["state"] == "idle", 20, "the station idle")
            time.sleep(0.5)  # the reset's own events are written before the trial's mark
            since = max((e.id for e in campus.events()), default=0)
            sent_before = receiver.panic_sequences() if receiver else set()
            queued_before = set(outbox_panics(campus)) if receiver else set()
            how = kill_after_press(campus, trial, since)
            campus.start_host(wait_for_devices=False)

            def handled(since: int = since) -> bool:
                mine = [e for e in campus.events() if e.id > since and e.device == STATION]
                return any(e.kind == E.PANIC_ALARM or e.data.get("rule") == "reconciled_at_start"
                           for e in mine) and campus.device(STATION)["state"] != "unknown"
            wait_until(handled, 30, f"trial {trial}: the restarted host to see the station")
            if receiver is not None:
                wait_until(lambda before=sent_before: receiver.panic_sequences() - before, 30,
                           f"trial {trial}: the panic alarm at the receiver")
            time.sleep(1.0)  # anything the host would do twice, it has done by now
            logged = [e for e in campus.events(E.PANIC_ALARM) if e.id > since
                      and e.device == STATION]
            if receiver is not None:
                reported = len(set(outbox_panics(campus)) - queued_before)
                received = len(receiver.panic_sequences() - sent_before)
            else:
                reported = len([e for e in campus.events(E.ALARM_QUEUED) if e.id > since
                                and e.data.get("report") == E.PANIC_ALARM
                                and e.device == STATION and not e.data.get("restore")])
                received = 1
            if (len(logged), reported, received) != (1, 1, 1):
                wrong.append((trial, how, len(logged), reported, received))
        print(f"press/kill -9 trials: {TRIALS} (receiver: {use_receiver}), wrong: {wrong}")
        assert wrong == [], "(trial, when killed, panic.alarm logged, reports queued, received)"
    finally:
        campus.stop()
        if receiver is not None:
            receiver.stop()
