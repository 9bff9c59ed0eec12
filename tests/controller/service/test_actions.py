"""Actions.perform over the real policy and event store, on a host whose buses are unplugged:
a lockdown is never refused, the two-person rule needs two proofs, every action record says who,
how and from where, and a store that cannot make the action durable is reported, not hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.identity import Actor
from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from controller.store.errors import StoreUnavailable
from protocols import events as E

SITE = Path(__file__).resolve().parents[2] / "integration" / "small-campus.toml"
LI = Actor("li.na", "guard", "pin", "control socket uid=0 pid=1", "pin:li.na")
CHEN = Actor("chen.jie", "guard", "pin", "control socket uid=0 pid=2", "pin:chen.jie")
ROOT_AS_CHEN = Actor("chen.jie", "guard", "os_user", "control socket uid=0 pid=3", "uid:0")
ROOT_AS_LI = Actor("li.na", "guard", "os_user", "control socket uid=0 pid=4", "uid:0")
NOBODY = Actor.unauthenticated("control socket uid=1234 pid=5", "uid:1234")


@pytest.fixture
async def host(tmp_path):
    site = load_site(SITE)
    ports = {b.name: BusPort(b.name, str(tmp_path / f"no-{b.name}"), b.baud, b.parity,
                             b.stopbits) for b in site.buses}
    host = Host(site, StatePaths(tmp_path / "state"), ports)
    await host.start()
    yield host
    await host.stop()


async def test_lockdown_from_nobody_with_a_typo_zone_and_no_reason_locks_the_campus(host):
    result = await host.actions.perform("lockdown", NOBODY, zone="libary")
    assert result.ok and result.result == "done" and result.mode == "lockdown"
    assert set(host.status()["zones"].values()) == {"lockdown"}
    messages = " | ".join(e["message"] for e in result.log)
    assert "zone 'libary' unknown: whole campus locked" in messages
    assert "unidentified caller" in messages
    lockdown = host.status()["lockdowns"][0]
    assert lockdown["zone"] is None and lockdown["method"] == "unauthenticated"
    assert lockdown["at"].endswith("+08:00"), "site-local time with its offset"
    # durable before the reply, with who, how and from where
    action = host.store.query(kind=E.OPERATOR_ACTION)[-1]
    assert action.data["method"] == "unauthenticated"
    assert action.data["origin"] == "control socket uid=1234 pid=5"


async def test_clear_needs_an_identified_operator(host):
    await host.actions.perform("lockdown", LI, reason="fight")
    refused = await host.actions.perform("clear", NOBODY, reason="let me")
    assert not refused.ok and refused.result == "refused" and "Fix:" in refused.message
    assert host.state.mode == "lockdown"
    bad_zone = await host.actions.perform("clear", LI, zone="moon", reason="x")
    assert bad_zone.result == "refused" and "moon" in bad_zone.message


async def test_one_account_cannot_be_two_guards_two_pins_can(host):
    await host.actions.perform("lockdown", LI, reason="fight")
    first = await host.actions.perform("clear", ROOT_AS_LI, reason="calm")
    assert first.result == "pending" and host.status()["pending_clear"]["by"] == "li.na"
    pending = host.status()["pending_clear"]
    assert pending["zone"] is None and pending["expires_at"] > pending["at"]
    same_account = await host.actions.perform("clear", ROOT_AS_CHEN, reason="calm")
    assert same_account.result == "refused" and "same credential" in same_account.message
    assert host.state.mode == "lockdown"
    same_name = await host.actions.perform("clear", LI, reason="calm")
    assert same_name.result == "refused" and host.state.mode == "lockdown"
    second = await host.actions.perform("clear", CHEN, reason="checked the west side")
    assert second.ok and second.result == "cleared" and host.state.mode == "normal"
    cleared = host.store.query(kind=E.LOCKDOWN_CLEAR)[-1]
    assert "li.na and chen.jie" in cleared.message


async def test_supervisor_clears_alone_and_viewer_cannot(host):
    await host.actions.perform("lockdown", LI, reason="fight")
    viewer = Actor("wang.fang", "viewer", "session", "console 127.0.0.1", "session:abc")
    refused = await host.actions.perform("clear", viewer, reason="x")
    assert refused.result == "refused" and "viewer may not" in refused.message
    boss = Actor("zhang.wei", "supervisor", "session", "console 127.0.0.1", "session:def")
    done = await host.actions.perform("clear", boss, reason="police on site")
    assert done.result == "cleared" and host.state.mode == "normal"


async def test_a_lockdown_the_store_cannot_keep_stays_in_force_and_says_so(host, monkeypatch):
    async def disk_full() -> None:
        raise StoreUnavailable("events.db: database or disk is full")

    monkeypatch.setattr(host, "flush", disk_full)
    result = await host.actions.perform("lockdown", LI, reason="fight")
    assert not result.ok and result.result == "done"
    assert host.state.mode == "lockdown" and "mode_lockdown" in result.commands
    assert "in force but is NOT written to disk" in result.message
    assert "disk is full" in result.message and "Fix:" in result.message
