"""The host's control socket and CLI verbs, on a host whose buses are not plugged in (the socket,
the identity layer, the policy and the store work whatever the field does). Tests run as one OS
account (root in CI): exactly the attacker who types two guards' names from one shell."""

from __future__ import annotations

import asyncio
import getpass
import json
import socket
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from controller.service.control_client import request
from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from protocols import events as E

SITE = Path(__file__).resolve().parents[2] / "integration" / "small-campus.toml"
ME = getpass.getuser()  # the OS account these tests run as
PINS = {"li.na": "2580", "chen.jie": "4682", "zhang.wei": "731946"}


def unplugged_ports(site, tmp_path):
    return {b.name: BusPort(b.name, str(tmp_path / f"no-{b.name}"), b.baud, b.parity, b.stopbits)
            for b in site.buses}


async def ask(paths, **payload):
    return await asyncio.to_thread(request, paths.control_socket, payload)


async def cli(paths, *argv, stdin: str = ""):
    """The real CLI in a subprocess (off the loop: the host under test answers it)."""
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "campusguard.cli", *argv, "--state-dir",
                           str(paths.root)], input=stdin, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
async def host(tmp_path):
    site = load_site(SITE)
    host = Host(site, StatePaths(tmp_path / "state"), unplugged_ports(site, tmp_path))
    for name, role in (("li.na", "guard"), ("chen.jie", "guard"), ("zhang.wei", "supervisor")):
        host.operators.add(name, role, f"{name} password", PINS[name])
    await host.start()
    yield host
    await host.stop()


async def test_lockdown_is_never_refused_on_the_socket(host):
    paths = host.paths
    assert stat.S_IMODE(paths.control_socket.stat().st_mode) == 0o660
    status = (await ask(paths, verb="status"))["status"]
    assert status["mode"] == "normal" and status["pending_clear"] is None
    assert status["buses"]["gate-bus"]["up"] is False

    # an unmapped account, a name nobody knows, no reason, a typo zone: all lock down
    stranger = await ask(paths, verb="lockdown", user="mallory", reason="", zone="libary")
    assert stranger["ok"] and stranger["mode"] == "lockdown", stranger
    assert set(host.status()["zones"].values()) == {"lockdown"}
    text = " | ".join(e.message for e in host.store.query())
    assert "zone 'libary' unknown: whole campus locked" in text
    assert "claimed to be 'mallory' without a PIN" in text
    action = host.store.query(kind=E.OPERATOR_ACTION)[-1]
    assert action.data["method"] == "unauthenticated"
    assert action.data["origin"].startswith("control socket uid=")

    wrong_pin = await ask(paths, verb="lockdown", user="li.na", pin="0000", zone="main-gate")
    assert wrong_pin["ok"], "a wrong PIN does not stop a lockdown"

    # the CLI: no --reason, an unmapped account
    out = await cli(paths, "lockdown", "--zone", "main-gate")
    assert out.returncode == 0, out.stderr


async def test_two_names_from_one_account_are_one_person(host):
    paths = host.paths
    await ask(paths, verb="lockdown", reason="fight at the gate")
    # root is not mapped: typing a guard's name without her PIN proves nothing
    for name in ("li.na", "chen.jie"):
        refused = await ask(paths, verb="clear", user=name, reason="calm")
        assert not refused["ok"] and f"needs {name}'s PIN" in refused["error"]
        assert "Fix:" in refused["error"]
    assert host.state.mode == "lockdown"
    # map this account to li.na: she acts without a PIN, chen.jie still needs his
    host.operators.disable("li.na")
    host.operators.add("li.na2", "guard", "li.na2 password", "8642", os_user=ME)
    first = await ask(paths, verb="clear", reason="east side checked")
    assert first["result"] == "pending" and first["actor"]["method"] == "os_user"
    second = await ask(paths, verb="clear", user="chen.jie", reason="west side checked")
    assert second["result"] == "refused" and host.state.mode == "lockdown"
    pending = host.status()["pending_clear"]
    assert pending["by"] == "li.na2" and pending["expires_at"] > pending["at"]

    # with his own PIN, through the CLI: the second proof is different, the campus clears
    out = await cli(paths, "clear", "--user", "chen.jie", "--pin-stdin", "--reason", "west side",
              stdin=PINS["chen.jie"] + "\n")
    assert out.returncode == 0, out.stderr
    assert host.state.mode == "normal"
    cleared = host.store.query(kind=E.LOCKDOWN_CLEAR)[-1]
    assert "li.na2 and chen.jie" in cleared.message


async def test_each_guard_own_pin_clears_the_same_pin_twice_does_not(host):
    paths = host.paths
    await ask(paths, verb="lockdown", reason="fight at the gate")
    first = await ask(paths, verb="clear", user="chen.jie", pin=PINS["chen.jie"], reason="a")
    assert first["result"] == "pending"
    again = await ask(paths, verb="clear", user="chen.jie", pin=PINS["chen.jie"], reason="b")
    assert again["result"] == "refused" and host.state.mode == "lockdown"
    second = await ask(paths, verb="clear", user="zhang.wei", pin=PINS["zhang.wei"], reason="c")
    assert second["result"] == "cleared" and host.state.mode == "normal"


async def test_pin_brute_force_on_the_socket_is_rate_limited_and_logged(host):
    paths = host.paths
    await ask(paths, verb="lockdown", reason="x")
    replies = [await ask(paths, verb="clear", user="li.na", pin=f"{9000 + i}", reason="guess")
               for i in range(20)]
    assert all(not r["ok"] for r in replies)
    limited = [r for r in replies if "retry_after_s" in r]
    assert len(limited) == 15 and all(r["retry_after_s"] > 0 for r in limited)
    right = await ask(paths, verb="clear", user="li.na", pin=PINS["li.na"], reason="now?")
    assert not right["ok"] and right["retry_after_s"] > 0, "the right PIN waits too"
    assert host.state.mode == "lockdown"
    assert len(host.store.query(kind=E.AUTH_FAILED)) == 5
    assert len(host.store.query(kind=E.AUTH_RATE_LIMITED)) == 16
    # rate-limited PINs still never stop a lockdown
    assert (await ask(paths, verb="lockdown", user="li.na", pin="1111", zone="main-gate"))["ok"]


async def test_flood_of_idle_connections_does_not_stop_a_lockdown(host):
    paths = host.paths
    idle = []
    for _ in range(300):  # one client holding hundreds of connections and sending nothing
        s = socket.socket(socket.AF_UNIX)
        s.setblocking(False)
        try:
            s.connect(str(paths.control_socket))
        except BlockingIOError:
            pass
        idle.append(s)
    try:
        zones = [None, "main-gate", "east-gate", "teaching"] * 3
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(len(zones)) as clients:  # 12 guards at once, own threads
            replies = await asyncio.gather(*[
                loop.run_in_executor(clients, request, paths.control_socket,
                                     {"verb": "lockdown", "reason": f"flood {i}", "zone": zone})
                for i, zone in enumerate(zones)])
        accepted = sum(1 for r in replies if r.get("ok"))
        print(f"lockdowns accepted during a flood of 300 idle connections: {accepted}/12")
        assert accepted == 12, replies
        assert host.state.mode == "lockdown"
        assert host.control.evicted > 0, "idle connections were dropped to make room"
    finally:
        for s in idle:
            s.close()


async def test_events_with_the_host_down_and_restart_keeps_the_lockdown(tmp_path):
    site = load_site(SITE)
    paths = StatePaths(tmp_path / "state")
    host = Host(site, paths, unplugged_ports(site, tmp_path))
    await host.start()
    await ask(paths, verb="lockdown", reason="drill of the restore path")
    await host.stop()
    assert not paths.control_socket.exists()
    out = await cli(paths, "events", "--kind", "lockdown", "--json")
    assert out.returncode == 0, out.stderr
    assert E.LOCKDOWN_SET in [e["kind"] for e in json.loads(out.stdout)]
    down = await cli(paths, "status")
    assert down.returncode == 1 and "Fix:" in down.stderr
    again = Host(site, paths, unplugged_ports(site, tmp_path))
    assert again.state.mode == "lockdown"
    assert set(again.dispatcher.desired_mode.values()) == {1}, "devices are told lockdown again"
    again.store.close()
