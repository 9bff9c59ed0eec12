"""The console API over real HTTP (uvicorn in the host's loop, a real host and real identity):
every endpoint's authorisation and bad input, the DESIGN.md contract, and the live stream."""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import aclosing
from dataclasses import replace

import pytest

pytest.importorskip("controller.identity", reason="the console acts through operator identity")

from controller.console.security import CSP  # noqa: E402
from controller.console.server import ConsoleServer, ConsoleStartError  # noqa: E402
from tests.controller.console import console_host as ch  # noqa: E402

pytestmark = [pytest.mark.timeout(60), pytest.mark.xdist_group(name="console-api")]


@pytest.fixture(scope="module")
def operators(tmp_path_factory):
    return ch.operators_db(tmp_path_factory.mktemp("operators"))


@pytest.fixture
async def console(tmp_path, operators):
    under_test = await ch.start(tmp_path / "state", operators)
    try:
        yield under_test
    finally:
        await ch.stop(under_test)


def _mode(console) -> str:
    return console.host.state.mode


async def _events(console, kind=None):
    await console.host.flush()
    return console.host.store.query(kind=kind)


# ---------------------------------------------------------------- the page and the contract
async def test_console_json_names_the_url_and_the_page_has_a_strict_csp(console):
    info = json.loads((console.host.paths.root / "console.json").read_text())
    assert info == {"url": console.url} and re.match(r"http://127\.0\.0\.1:\d+$", console.url)
    page = await console.http.get("/")
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts and all("src=" in s for s in scripts), "no inline script may be needed"
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', page.text)), "no CDN"


async def test_openapi_lists_every_endpoint(console):
    spec = (await console.http.get("/api/openapi.json")).json()
    for path in ("/api/session", "/api/status", "/api/lockdown", "/api/clear", "/api/ack",
                 "/api/reset", "/api/drill", "/api/fire-confirm", "/api/events",
                 "/api/events.csv", "/api/stream"):
        assert path in spec["paths"], path


async def test_unknown_path_is_a_clear_json_404(console):
    reply = await console.http.get("/api/nothing")
    assert reply.status_code == 404 and "openapi" in reply.json()["error"]


# ---------------------------------------------------------------- session
async def test_sign_in_sets_a_strict_http_only_cookie_and_returns_the_csrf_token(console):
    reply = await console.http.post("/api/session", json={"user": "li.na",
                                                          "password": "li-na-password"})
    assert reply.status_code == 200
    body = reply.json()
    assert (body["user"], body["role"]) == ("li.na", "guard") and len(body["csrf_token"]) > 20
    cookie = reply.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert (await console.http.get("/api/session")).json()["user"] == "li.na"


@pytest.mark.parametrize("body, status, words", [
    ({"user": "li.na", "password": "wrong-password"}, 401, ""),
    ({"user": "nobody", "password": "whatever-pass"}, 401, ""),
    ({"user": "li.na"}, 422, "password"),
    ({"user": "", "password": "x"}, 422, "user"),
    ({"user": "li.na", "password": "li-na-password", "admin": True}, 422, "admin"),
])
async def test_bad_sign_in_is_refused_with_a_clear_message(console, body, status, words):
    reply = await console.http.post("/api/session", json=body)
    assert reply.status_code == status
    error = reply.json()["error"]
    assert words in error and "Traceback" not in error and len(error) > 10
    assert "set-cookie" not in reply.headers


async def test_malformed_json_is_a_422_never_a_traceback(console):
    reply = await console.http.post("/api/session", content=b"{not json",
                                    headers={"Content-Type": "application/json"})
    assert reply.status_code == 422 and "not valid JSON" in reply.json()["error"]


async def test_failed_sign_ins_are_rate_limited(console):
    codes = []
    for _ in range(8):
        reply = await console.http.post("/api/session", json={"user": "chen.jie",
                                                              "password": "guessing-123"})
        codes.append(reply.status_code)
    assert codes[0] == 401 and codes[-1] == 429, codes
    assert int(reply.headers["retry-after"]) >= 1
    # even the right password waits out the lock
    right = await console.http.post("/api/session", json={"user": "chen.jie",
                                                          "password": "chen-jie-password"})
    assert right.status_code == 429


async def test_sign_out_ends_the_session_and_needs_the_csrf_token(console):
    client, csrf = await console.sign_in("li.na")
    async with aclosing(client):
        assert (await client.delete("/api/session")).status_code == 403
        assert (await client.delete("/api/session", headers=csrf)).status_code == 200
        assert (await client.get("/api/status")).status_code == 401


# ---------------------------------------------------------------- status and events
async def test_status_needs_a_session_and_is_the_status_json_object(console):
    assert (await console.http.get("/api/status")).status_code == 401
    client, _ = await console.sign_in("wang.fang")  # a viewer may look
    async with aclosing(client):
        status = (await client.get("/api/status")).json()
    assert status["mode"] == "normal" and set(status["zones"]) == {"main-gate", "teaching",
                                                                   "kindergarten"}
    names = {d["name"] for d in status["devices"]}
    assert "kindergarten-panic" in names
    for device in status["devices"]:
        assert {"name", "role", "online", "state", "commanded", "faults", "last_contact"} <= \
            set(device)
    assert status["time_zone"] == "Asia/Shanghai" and status["now"].endswith("+08:00")
    assert status["alarm_path"]["configured"] is False
    assert "no alarm receiver" in status["alarm_path"]["note"]


async def test_events_are_in_site_local_time_with_filters_and_csv(console):
    assert (await console.http.get("/api/events")).status_code == 401
    client, csrf = await console.sign_in("li.na")
    async with aclosing(client):
        await client.post("/api/lockdown", json={"zone": None, "reason": "csv test"},
                          headers=csrf)
        events = (await client.get("/api/events", params={"kind": "lockdown"})).json()
        assert events["time_zone"] == "Asia/Shanghai"
        assert [e["kind"] for e in events["events"]] == ["lockdown.set"]
        assert events["events"][0]["ts"].endswith("+08:00")
        assert events["events"][0]["ts_utc"].endswith("Z")
        late = (await client.get("/api/events", params={"since": "2999-01-01T00:00:00"})).json()
        assert late["events"] == []
        bad = await client.get("/api/events", params={"since": "yesterday"})
        assert bad.status_code == 422 and "ISO 8601" in bad.json()["error"]
        too_many = await client.get("/api/events", params={"limit": 0})
        assert too_many.status_code == 422 and "limit" in too_many.json()["error"]
        csv_reply = await client.get("/api/events.csv", params={"kind": "lockdown"})
    assert csv_reply.headers["content-type"].startswith("text/csv")
    lines = csv_reply.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,time,kind") and "lockdown.set" in lines[1]
    assert "+08:00" in lines[1]


# ---------------------------------------------------------------- lockdown: never refused
async def test_lockdown_without_a_session_is_honoured_and_logged_unauthenticated(console):
    reply = await console.http.post("/api/lockdown", json={"zone": None, "reason": "intruder"})
    assert reply.status_code == 200
    assert reply.json()["result"] == "done" and reply.json()["authenticated"] is False
    assert _mode(console) == "lockdown"
    actions = [e for e in await _events(console, "operator.action")
               if e.data.get("action") == "lockdown"]
    assert actions and actions[-1].user is None
    assert actions[-1].data.get("method") == "unauthenticated"
    assert "console 127.0.0.1" in json.dumps(dict(actions[-1].data))


@pytest.mark.parametrize("content", [b"", b"garbage", b"[1, 2]", b'{"zone": 7}',
                                     b'{"zone": "no-such-zone"}'])
async def test_lockdown_with_any_body_still_locks_the_campus_down(console, content):
    reply = await console.http.post("/api/lockdown", content=content,
                                    headers={"Content-Type": "application/json"})
    assert reply.status_code == 200 and _mode(console) == "lockdown"
    assert [ld.zone for ld in console.host.state.lockdowns] == [None]


async def test_lockdown_with_a_cookie_but_no_csrf_token_counts_as_unauthenticated(console):
    client, csrf = await console.sign_in("li.na")
    async with aclosing(client):
        forged = await client.post("/api/lockdown", json={"zone": "kindergarten",
                                                          "reason": "x"})
        assert forged.status_code == 200 and forged.json()["authenticated"] is False
        signed = await client.post("/api/lockdown", json={"zone": "teaching", "reason": "y"},
                                   headers=csrf)
        assert signed.json()["authenticated"] is True
    by = {ld.zone: ld.by for ld in console.host.state.lockdowns}
    assert by["teaching"] == "li.na" and by["kindergarten"] != "li.na"


# ---------------------------------------------------------------- two-person clear with PINs
async def test_two_guards_clear_and_the_same_guard_twice_is_refused(console):
    await console.http.post("/api/lockdown", json={"reason": "drill-free test"})
    first, first_csrf = await console.sign_in("li.na")
    second, second_csrf = await console.sign_in("chen.jie")
    async with aclosing(first), aclosing(second):
        body = {"zone": None, "reason": "police gave the all-clear"}
        asked = await first.post("/api/clear", json={**body, "pin": "2580"}, headers=first_csrf)
        assert asked.json()["result"] == "pending", asked.text
        status = (await first.get("/api/status")).json()
        assert status["clear_request"]["user"] == "li.na"
        assert status["clear_request"]["expires_at"].endswith("+08:00")
        again = await first.post("/api/clear", json={**body, "pin": "2580"}, headers=first_csrf)
        assert again.json()["result"] == "refused" and _mode(console) == "lockdown"
        done = await second.post("/api/clear", json={**body, "pin": "1397"}, headers=second_csrf)
        assert done.json()["result"] == "cleared", done.text
    assert _mode(console) == "normal"


async def test_second_guard_confirms_on_the_same_screen_with_their_own_pin(console):
    await console.http.post("/api/lockdown", json={"reason": "test"})
    client, csrf = await console.sign_in("li.na")
    async with aclosing(client):
        body = {"reason": "all clear", "pin": "2580"}
        assert (await client.post("/api/clear", json=body, headers=csrf)).json()["result"] == \
            "pending"
        wrong = await client.post("/api/clear", json={"reason": "ok", "pin": "0000",
                                                      "user": "chen.jie"}, headers=csrf)
        assert wrong.status_code == 403 and "PIN" in wrong.json()["error"]
        done = await client.post("/api/clear", json={"reason": "ok", "pin": "1397",
                                                     "user": "chen.jie"}, headers=csrf)
        assert done.json()["result"] == "cleared", done.text


@pytest.mark.parametrize("path, body", [
    ("/api/clear", {"reason": "r", "pin": "2580"}),
    ("/api/ack", {}),
    ("/api/reset", {"device": "kindergarten-panic", "pin": "2580"}),
    ("/api/drill", {"kind": "fire", "reason": "r", "pin": "2580"}),
    ("/api/fire-confirm", {"reason": "r", "pin": "2580"}),
])
async def test_critical_actions_need_a_session_and_the_csrf_token(console, path, body):
    anonymous = await console.http.post(path, json=body)
    assert anonymous.status_code == 401 and "sign in" in anonymous.json()["error"]
    client, _ = await console.sign_in("li.na")
    async with aclosing(client):
        forged = await client.post(path, json=body)
    assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["error"]
    assert _mode(console) == "normal"


@pytest.mark.parametrize("path, body, words", [
    ("/api/clear", {"reason": "r"}, "pin"),
    ("/api/clear", {"reason": "", "pin": "2580"}, "reason"),
    ("/api/drill", {"kind": "flood", "reason": "r", "pin": "2580"}, "kind"),
    ("/api/reset", {"pin": "2580"}, "device"),
    ("/api/fire-confirm", {"pin": "2580"}, "reason"),
    ("/api/ack", {"device": 5}, "device"),
])
async def test_bad_action_input_is_a_422_naming_the_field(console, path, body, words):
    client, csrf = await console.sign_in("li.na")
    async with aclosing(client):
        reply = await client.post(path, json=body, headers=csrf)
    assert reply.status_code == 422 and words in reply.json()["error"], reply.text


async def test_drill_and_fire_confirm_need_the_pin_and_a_guard(console):
    client, csrf = await console.sign_in("li.na")
    async with aclosing(client):
        wrong = await client.post("/api/drill", json={"kind": "fire", "reason": "term drill",
                                                      "pin": "9999"}, headers=csrf)
        assert wrong.status_code == 403 and _mode(console) == "normal"
        started = await client.post("/api/drill", json={"kind": "fire", "reason": "term drill",
                                                        "pin": "2580"}, headers=csrf)
        assert started.json()["result"] == "done" and _mode(console) == "drill"
        ended = await client.post("/api/drill", json={"kind": "end", "reason": "done",
                                                      "pin": "2580"}, headers=csrf)
        assert ended.status_code == 200 and _mode(console) == "normal"
    viewer, viewer_csrf = await console.sign_in("wang.fang")
    async with aclosing(viewer):
        refused = await viewer.post("/api/fire-confirm", json={"reason": "smoke seen",
                                                               "pin": "5173"},
                                    headers=viewer_csrf)
    assert refused.json()["result"] == "refused" and _mode(console) == "normal"


async def test_a_panic_is_listed_first_unacknowledged_until_a_guard_acknowledges(console):
    from controller.policy.inputs import PanicPressed
    from controller.service.host import trigger_now

    console.host.decide(PanicPressed("kindergarten-panic", "kindergarten"), trigger_now("test"))
    client, csrf = await console.sign_in("li.na")
    async with aclosing(client):
        alarms = (await client.get("/api/status")).json()["alarms"]
        assert alarms[0]["device"] == "kindergarten-panic" and alarms[0]["kind"] == "panic"
        assert alarms[0]["unacknowledged"] and alarms[0]["since"].endswith("+08:00")
        reply = await client.post("/api/ack", json={"device": "kindergarten-panic"}, headers=csrf)
        assert reply.status_code == 200 and reply.json()["result"] == "done", reply.text
        alarms = (await client.get("/api/status")).json()["alarms"]
    assert alarms[0]["device"] == "kindergarten-panic" and not alarms[0]["unacknowledged"]
    assert console.host.state.unacknowledged == ()


# ---------------------------------------------------------------- the live stream
async def test_stream_needs_a_session_then_sends_the_state_then_changes(console):
    assert (await console.http.get("/api/stream")).status_code == 401
    client, csrf = await console.sign_in("li.na")
    async with aclosing(client), client.stream("GET", "/api/stream") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        first: list[str] = []
        async for line in lines:
            first.append(line)
            if line.startswith("data: "):
                break
        assert "retry: 1000" in first and "event: state" in first
        assert json.loads(first[-1][6:])["mode"] == "normal"
        await console.http.post("/api/lockdown", json={"reason": "stream test"})
        seen: dict[str, list] = {}
        kind = None
        async for line in lines:
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                seen.setdefault(kind, []).append(json.loads(line[6:]))
                if "heartbeat" in seen and any(p.get("mode") == "lockdown"
                                               for p in seen.get("patch", [])):
                    break
    assert "heartbeat" in seen and any(p.get("mode") == "lockdown" for p in seen["patch"])


async def test_console_refuses_a_remote_listen_without_tls(console):
    host = console.host
    settings = replace(host.site.console, listen="0.0.0.0:0")
    object.__setattr__(host, "site", replace(host.site, console=settings))
    with pytest.raises(ConsoleStartError, match="without TLS"):
        ConsoleServer(host)._bind()


async def test_a_busy_port_is_reported_not_fatal(console):
    host = console.host
    port = console.url.rsplit(":", 1)[1]
    object.__setattr__(host, "site", replace(host.site, console=replace(
        host.site.console, listen=f"127.0.0.1:{port}")))
    with pytest.raises(ConsoleStartError, match="cannot listen"):
        ConsoleServer(host)._bind()
    await asyncio.sleep(0)
