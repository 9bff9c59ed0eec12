"""Damaged events.db and saved policy state (issue 11 item 3): the host still starts and
supervises (the damaged file moved aside, trouble raised, the fix printed), writes that hit
damaged pages while running are StoreUnavailable, and `campusguard events` shows what is readable
and names what is not - never a traceback."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from controller.policy.state import PolicyState
from controller.service.control_client import request
from controller.service.host import Host, utc_now
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from controller.store import EventStore
from protocols import events as E

SMALL_SITE = Path(__file__).resolve().parents[2] / "integration" / "small-campus.toml"
pytestmark = pytest.mark.timeout(60)
PAGE = 4096


def filled_store(path: Path, n: int = 3000, state: str | None = None) -> None:
    store = EventStore(path)
    if state is not None:
        store.save_policy_state(state)  # early in the file: its page survives damage further on
    store.append_batch([{"kind": E.DEVICE_STATE, "message": f"event {i} " + "x" * 200,
                         "device": f"d{i % 5}"} for i in range(n)])
    store.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def damage(path: Path, first_page: int, pages: int) -> None:
    with open(path, "r+b") as f:
        f.seek(PAGE * first_page)
        f.write(os.urandom(PAGE * pages))


def campusguard(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "campusguard.cli", *args], capture_output=True,
                          text=True, timeout=60)


def new_host(tmp_path: Path) -> tuple[Host, StatePaths]:
    site = load_site(SMALL_SITE)
    ports = {b.name: BusPort(b.name, str(tmp_path / "unplugged"), b.baud, b.parity, b.stopbits)
             for b in site.buses}
    paths = StatePaths(tmp_path / "state")
    return Host(site, paths, ports), paths


def locked_state() -> str:
    from controller.policy.state import Lockdown

    return PolicyState(lockdowns=(Lockdown(None, "guard", "li.na", "intruder", utc_now()),)).to_json()


# ---------------------------------------------------------------- campusguard events
def test_events_on_damaged_pages_shows_what_reads_and_names_the_rest(tmp_path):
    db = tmp_path / "state" / "events.db"
    filled_store(db)
    damage(db, 40, 10)
    done = campusguard("events", "--state-dir", str(tmp_path / "state"))
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == 1, "an incomplete log is not a success"
    shown = [line for line in done.stdout.splitlines() if E.DEVICE_STATE in line]
    assert 2000 < len(shown) < 3000, len(shown)
    assert "event 0 " in shown[0] and "event 2999 " in shown[-1], "before and after the damage"
    assert "could not be read" in done.stderr and "Fix:" in done.stderr, done.stderr
    unreadable = [line for line in done.stderr.splitlines() if "could not be read" in line]
    assert unreadable and "events " in unreadable[0]


def test_events_on_a_file_that_is_not_a_database_says_so(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "events.db").write_bytes(os.urandom(PAGE * 4))
    done = campusguard("events", "--state-dir", str(state), "--json")
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == 1 and done.stdout.strip() == "[]"
    assert "NOT READABLE" in done.stderr and "Fix:" in done.stderr, done.stderr


# ---------------------------------------------------------------- the host at start
async def test_host_starts_on_damaged_events_db_moves_it_aside_and_keeps_the_lockdown(tmp_path, capsys):
    db = tmp_path / "state" / "events.db"
    filled_store(db, state=locked_state())
    damage(db, 40, 10)
    host, paths = new_host(tmp_path)
    await host.start()
    try:
        await host.flush()
        aside = sorted(paths.root.glob("events.db.damaged-*"))
        assert [p.name for p in aside if not p.name.endswith(("-wal", "-shm"))], aside
        assert host.state.mode == "lockdown", "the saved state still read: the lockdown holds"
        status = host.status()
        assert status["store"]["state"] == "ok" and status["store"]["problems"]
        trouble = host.store.query(kind=E.TROUBLE_FAULT, device="event-store")
        assert trouble and "moved aside" in trouble[0].message and "Fix:" in trouble[0].message
        assert any(t.device == "event-store" for t in host.state.troubles)
        assert len(host.store.query()) < 100, "a fresh store"
    finally:
        await host.stop()
    printed = capsys.readouterr().err
    assert "TROUBLE at start" in printed and "Fix:" in printed


async def test_host_starts_on_a_file_that_is_not_a_database(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "events.db").write_bytes(b"garbage" * 2000)
    host, paths = new_host(tmp_path)
    await host.start()
    try:
        await host.flush()
        assert host.state.mode == "normal"
        assert list(paths.root.glob("events.db.damaged-*"))
        trouble = host.store.query(kind=E.TROUBLE_FAULT, device="event-store")
        assert trouble and "saved policy state in it was lost" in trouble[0].message
    finally:
        await host.stop()


async def test_host_starts_on_corrupt_saved_policy_state(tmp_path, capsys):
    db = tmp_path / "state" / "events.db"
    store = EventStore(db)
    store.save_policy_state('{"version": 1, "state": {"lockdowns": [{"zone": 7}]}}')
    store.close()
    host, paths = new_host(tmp_path)
    await host.start()
    try:
        await host.flush()
        assert host.state.mode == "normal"
        aside = list(paths.root.glob("policy-state.damaged-*.json"))
        assert aside and '"zone": 7' in aside[0].read_text()
        trouble = host.store.query(kind=E.TROUBLE_FAULT, device="event-store")
        assert trouble and "saved policy state could not be read" in trouble[0].message
    finally:
        await host.stop()
    assert "TROUBLE at start" in capsys.readouterr().err


# ---------------------------------------------------------------- damaged while running
async def test_damaged_pages_while_running_make_writes_fail_never_a_silent_ok(tmp_path):
    host, paths = new_host(tmp_path)
    await host.start()
    try:
        for i in range(1500):
            host.log(E.DEVICE_STATE, f"filler {i} " + "x" * 200, device="d1")
        await host.flush()
        outside = sqlite3.connect(paths.events_db)  # another process's view of the file
        outside.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        outside.close()
        damage(paths.events_db, 2, os.path.getsize(paths.events_db) // PAGE - 2)
        reply = await asyncio.to_thread(request, paths.control_socket,
                                        {"verb": "lockdown", "user": "li.na", "reason": "x"})
        assert reply["ok"] is False and "not written" in reply["error"].lower(), reply
        assert "damaged pages" in reply["error"] and "Fix:" in reply["error"]
        assert host.state.mode == "lockdown", "in force all the same"
        store = host.status()["store"]
        assert store["state"] == "failing" and store["pending"] > 0
    finally:
        await host.stop()


def test_a_new_events_db_is_readable_only_by_the_host_user_and_group(tmp_path):
    store = EventStore(tmp_path / "events.db")
    store.append(E.SERVICE_START, "x")
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    store.close()
    assert modes["events.db"] == 0o640 and modes["events.db-wal"] == 0o640, modes
