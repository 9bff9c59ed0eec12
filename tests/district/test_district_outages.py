"""Outages with every peer real: a campus that falls silent is shown offline (last will).
(The district centre killed with kill -9: test_district_centre.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from test_uplink_district_flow import until

from district.store import PostgresStore
from district.subscriber import DistrictSubscriber

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


def child(script: str, *args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(HERE / script), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise AssertionError(f"{script} did not start: {proc.stderr.read()[-2000:]}")
    return proc


def campus_online(url: str, campus_id: str) -> bool | None:
    store = PostgresStore(url)
    try:
        rows = {c["campus_id"]: c["online"] for c in store.campuses()}
    finally:
        store.close()
    return rows.get(campus_id)


async def test_a_silent_campus_is_shown_offline_by_its_last_will_and_online_when_back(
        broker, database, tmp_path):
    store = PostgresStore(database)
    district = DistrictSubscriber(broker.url, store, client_id=f"district-{uuid.uuid4().hex[:8]}")
    district.start()
    campus = child("campus_child.py", broker.url, "quiet-school", str(tmp_path), "2")
    try:
        await until(lambda: campus_online(database, "quiet-school") is True, 60,
                    "the campus online")
        campus.send_signal(signal.SIGSTOP)  # alive but silent: no keepalive, no packets
        # keepalive 2 s: the broker gives up after 3 s and publishes the will; 30 s is the goal
        await until(lambda: campus_online(database, "quiet-school") is False, 30,
                    "the campus shown offline")
        campus.send_signal(signal.SIGCONT)
        await until(lambda: campus_online(database, "quiet-school") is True, 60,
                    "the campus back online")
        # a killed campus (no DISCONNECT) is shown offline by its will: the district must still
        # be running to store it (it was stopped first before, which made this a race)
        campus.kill()
        campus.wait()
        await until(lambda: campus_online(database, "quiet-school") is False, 30,
                    "the killed campus offline")
    finally:
        if campus.poll() is None:
            campus.kill()
            campus.wait()
        district.stop()
        store.close()
