"""`campusguard district run` with a real Mosquitto and a real PostgreSQL: operators sign in
(same operator store and sessions as the guard room), see every campus with its mode and link
state and the alarms newest first; read-only; a kill -9 of the centre loses nothing."""

from __future__ import annotations

import asyncio
import signal
import uuid

import pytest
from district_cli import Api, DistrictProcess, add_operator, follow_stream
from test_uplink_district_flow import Campus, stored_ids, until

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]


def _config(tmp_path, broker, database):
    path = tmp_path / "district.toml"
    # its own broker session: an earlier test's queued messages must not reach this database
    path.write_text(f'broker = "{broker.url}"\ndatabase = "{database}"\n'
                    f'listen = "127.0.0.1:0"\nclient_id = "district-{uuid.uuid4().hex[:8]}"\n')
    return path


async def test_operators_see_campuses_and_alarms_read_only(broker, database, tmp_path):
    state = tmp_path / "district-state"
    await asyncio.to_thread(add_operator, state, "wang.fang", "viewer", "district-pass-1")
    await asyncio.to_thread(add_operator, state, "li.guard", "guard", "guard-pass-1")
    await asyncio.to_thread(add_operator, state, "zhao.lei", "supervisor", "district-pass-2")
    centre = await asyncio.to_thread(DistrictProcess(_config(tmp_path, broker, database),
                                                     state).start)
    campus = Campus(broker.url, "sunrise-primary", tmp_path / "campus")
    await campus.uplink.start()
    try:
        api = Api(centre.url)
        assert (await asyncio.to_thread(api.call, "GET", "/api/campuses"))[0] == 401
        status, _ = await asyncio.to_thread(api.call, "POST", "/api/session",
                                            {"user": "wang.fang", "password": "wrong"})
        assert status == 401
        status, _ = await asyncio.to_thread(api.call, "POST", "/api/session",
                                            {"user": "li.guard", "password": "guard-pass-1"})
        assert status == 403  # a guard works on a campus, not at the district
        status, me = await asyncio.to_thread(api.call, "POST", "/api/session",
                                             {"user": "wang.fang", "password": "district-pass-1"})
        assert status == 200 and me["role"] == "viewer" and me["csrf_token"]
        pushed: list[dict] = []
        stream = asyncio.create_task(asyncio.to_thread(
            follow_stream, api, pushed, lambda got: any(e["kind"] == "panic.alarm" for e in got)))
        await asyncio.sleep(0.5)  # the stream is open before the events happen
        campus.log("device.state", 2)
        campus.log("panic.alarm")
        campus.mode = "lockdown"
        await asyncio.wait_for(stream, 60)  # pushed to the console as it was stored
        assert [e["alarm"] for e in pushed if e["kind"] == "panic.alarm"] == [True]

        def campus_row():
            _, body = api.call("GET", "/api/campuses")
            rows = [c for c in body["campuses"] if c["campus_id"] == "sunrise-primary"]
            return rows and rows[0]["mode"] == "lockdown" and rows[0]

        row = await until(campus_row, 60, "the campus in lockdown on the district API")
        assert row["online"] is True and row["name"] == "School sunrise-primary"
        assert row["last_seen"]

        def alarms():
            _, body = api.call("GET", "/api/events?campus=sunrise-primary&kind=panic")
            return body["events"]

        got = await until(alarms, 60, "the panic alarm on the district API")
        assert [e["kind"] for e in got] == ["panic.alarm"]
        assert got[0]["campus_id"] == "sunrise-primary" and got[0]["id"].startswith(
            "sunrise-primary-")
        _, every = await asyncio.to_thread(api.call, "GET", "/api/events?campus=sunrise-primary")
        stamps = [e["ts"] for e in every["events"]]
        assert len(stamps) == 3 and stamps == sorted(stamps, reverse=True)  # newest first
        _, term = await asyncio.to_thread(api.call, "GET",
                                          "/api/inspection?since=2000-01-01T00:00:00.000Z")
        mine = [c for c in term["campuses"] if c["campus_id"] == "sunrise-primary"]
        assert mine[0]["alarms"] == 1 and mine[0]["events"] == 3
        # a viewer cannot send a district advisory; a supervisor can, with the CSRF token
        status, _ = await asyncio.to_thread(api.call, "POST", "/api/advisory",
                                            {"action": "lockdown", "reason": "drill of the drill"})
        assert status == 403
        _, page = await asyncio.to_thread(api.call, "GET", "/")
        assert "District centre" in page
        # read-only: no action verbs on the district console
        status, _ = await asyncio.to_thread(api.call, "POST", "/api/lockdown", {"zone": None})
        assert status in (404, 405)
        assert (await asyncio.to_thread(api.call, "DELETE", "/api/session"))[0] == 200
        boss = Api(centre.url)
        _, me = await asyncio.to_thread(boss.call, "POST", "/api/session",
                                        {"user": "zhao.lei", "password": "district-pass-2"})
        body = {"action": "lockdown", "campuses": None, "reason": "storm warning"}
        assert (await asyncio.to_thread(boss.call, "POST", "/api/advisory", body))[0] == 403
        boss.csrf = me["csrf_token"]
        status, sent = await asyncio.to_thread(boss.call, "POST", "/api/advisory", body)
        assert status == 200 and "sunrise-primary" in sent["sent_to"]
        _, logged = await asyncio.to_thread(
            boss.call, "GET", "/api/events?campus=sunrise-primary&kind=district.advisory")
        assert [e["user"] for e in logged["events"]] == ["zhao.lei"]  # logged at the district
        assert (await asyncio.to_thread(api.call, "GET", "/api/campuses"))[0] == 401
    finally:
        await campus.close()
        code = await asyncio.to_thread(centre.stop)
    assert code == 0, centre.proc.stderr.read()[-2000:]


async def test_district_run_killed_with_kill_9_loses_nothing(broker, database, tmp_path):
    state = tmp_path / "district-state"
    config = _config(tmp_path, broker, database)
    centre = await asyncio.to_thread(DistrictProcess(config, state).start)
    campus = Campus(broker.url, "kill-test", tmp_path / "campus")
    await campus.uplink.start()
    expected = 0
    try:
        for _ in range(10):  # a steady stream; the centre dies in the middle of it
            campus.log("device.state", 10)
            expected += 10
            await asyncio.sleep(0.05)
            if expected == 50:
                await until(lambda: len(stored_ids(database)) > 0, 60, "events flowing")
                centre.proc.send_signal(signal.SIGKILL)
                centre.proc.wait()
        assert len(stored_ids(database)) < expected  # it really was down for part of it
        await until(lambda: campus.uplink.outbox.pending() == 0, 60, "the broker to take all")
        centre = await asyncio.to_thread(DistrictProcess(config, state).start)
        await until(lambda: len(stored_ids(database)) == expected, 60,
                    f"all {expected} events after the restart")
        ids = stored_ids(database)
        assert len(set(ids)) == len(ids) == expected
    finally:
        await campus.close()
        await asyncio.to_thread(centre.stop)
