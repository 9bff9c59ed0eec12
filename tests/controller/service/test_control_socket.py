"""The host's control socket and CLI verbs, on a host whose buses are not plugged in (the socket,
the policy and the store work whatever the field does)."""

from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
from pathlib import Path

from controller.service.control_client import request
from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from protocols import events as E

SITE = Path(__file__).resolve().parents[2] / "integration" / "small-campus.toml"


def unplugged_ports(site, tmp_path):
    return {b.name: BusPort(b.name, str(tmp_path / f"no-{b.name}"), b.baud, b.parity, b.stopbits)
            for b in site.buses}


async def ask(paths, **payload):
    return await asyncio.to_thread(request, paths.control_socket, payload)


async def test_guard_verbs_over_the_socket_and_events_with_the_host_down(tmp_path):
    site = load_site(SITE)
    paths = StatePaths(tmp_path / "state")
    host = Host(site, paths, unplugged_ports(site, tmp_path))
    await host.start()
    try:
        mode = stat.S_IMODE(paths.control_socket.stat().st_mode)
        assert mode == 0o660, "the socket's permissions decide who may act"

        status = (await ask(paths, verb="status"))["status"]
        assert status["mode"] == "normal" and set(status["zones"]) == set(site.zone_names())
        for device in status["devices"]:
            assert {"name", "role", "online", "state", "commanded", "faults"} <= set(device)
        assert status["buses"]["gate-bus"]["up"] is False

        refused = await ask(paths, verb="lockdown", user="mallory", reason="x")
        assert not refused["ok"] and "mallory" in refused["error"] and "Fix:" in refused["error"]
        no_reason = await ask(paths, verb="lockdown", user="li.na", reason="")
        assert not no_reason["ok"] and "--reason" in no_reason["error"]
        bad_zone = await ask(paths, verb="lockdown", user="li.na", reason="x", zone="moon")
        assert not bad_zone["ok"] and "moon" in bad_zone["error"]

        done = await ask(paths, verb="lockdown", user="li.na", reason="fight at the gate",
                         zone="main-gate")
        assert done["ok"] and done["mode"] == "lockdown"
        assert "mode_lockdown" in done["commands"]
        assert host.status()["zones"]["main-gate"] == "lockdown"
        assert host.status()["zones"]["teaching"] == "normal"
        # durable before the guard got the answer
        actions = host.store.query(kind=E.OPERATOR_ACTION)
        assert actions and actions[-1].user == "li.na" and actions[-1].role == "guard"

        half = await ask(paths, verb="clear", user="li.na", reason="calm again", zone="main-gate")
        assert half["ok"] and half["mode"] == "lockdown", "one guard cannot clear alone"
    finally:
        await host.stop()

    assert not paths.control_socket.exists()
    out = subprocess.run([sys.executable, "-m", "campusguard.cli", "events", "--state-dir",
                          str(paths.root), "--kind", "lockdown", "--json"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    kinds = [e["kind"] for e in json.loads(out.stdout)]
    assert E.LOCKDOWN_SET in kinds and E.LOCKDOWN_CLEAR_PENDING in kinds

    down = subprocess.run([sys.executable, "-m", "campusguard.cli", "status", "--state-dir",
                           str(paths.root)], capture_output=True, text=True, timeout=30)
    assert down.returncode == 1 and "Fix:" in down.stderr


async def test_restart_restores_the_lockdown_from_the_store(tmp_path):
    site = load_site(SITE)
    paths = StatePaths(tmp_path / "state")
    host = Host(site, paths, unplugged_ports(site, tmp_path))
    await host.start()
    await ask(paths, verb="lockdown", user="zhang.wei", reason="drill of the restore path")
    await host.stop()
    again = Host(site, paths, unplugged_ports(site, tmp_path))
    assert again.state.mode == "lockdown"
    assert set(again.dispatcher.desired_mode.values()) == {1}, "devices are told lockdown again"
    again.store.close()
