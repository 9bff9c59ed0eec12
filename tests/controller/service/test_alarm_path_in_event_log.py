"""Issue 11 item 4: the alarm path is in the host's event log. A real pysiaalarm receiver is down
when the host starts and comes back; a backup receiver refuses the account. Every alarm.* kind
(queued, failed, path_lost, path_restored, acked) lands in events.db through Host.log."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import pytest

from controller.service.control_client import request
from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from protocols import events as E

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "alarm"))
from pysia_receiver import PysiaReceiver, closed_tcp_port  # noqa: E402

SMALL_SITE = HERE.parents[1] / "integration" / "small-campus.toml"
pytestmark = pytest.mark.timeout(60)


async def test_receiver_down_then_back_every_alarm_kind_reaches_the_event_log(tmp_path, caplog):
    caplog.set_level(logging.ERROR)
    down = closed_tcp_port()  # bound, not listening: refused until the receiver starts on it
    primary = PysiaReceiver("tcp", {"1234": None})
    backup = PysiaReceiver("tcp", {"9999": None})  # answers, but does not know account 1234
    backup_port = await backup.start()
    site_file = tmp_path / "site.toml"
    site_file.write_text(SMALL_SITE.read_text() + f"""
[alarm]
supervision_s = 1
ack_timeout_s = 1.0
retries = 0
[[alarm.receivers]]
host = "127.0.0.1"
port = {down.getsockname()[1]}
protocol = "tcp"
account = "1234"
[[alarm.receivers]]
host = "127.0.0.1"
port = {backup_port}
protocol = "tcp"
account = "1234"
""")
    site = load_site(site_file)
    ports = {b.name: BusPort(b.name, str(tmp_path / "unplugged"), b.baud, b.parity, b.stopbits)
             for b in site.buses}
    paths = StatePaths(tmp_path / "state")
    host = Host(site, paths, ports)
    await host.start()

    async def logged(kind: str, timeout_s: float = 20):
        for _ in range(int(timeout_s / 0.1)):
            await host.flush()
            found = host.store.query(kind=kind)
            if found:
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {kind} in the event log after {timeout_s} s: "
                             f"{[e.kind for e in host.store.query(kind='alarm')]}")

    try:
        reply = await asyncio.to_thread(request, paths.control_socket,
                                        {"verb": "lockdown", "user": "li.na", "reason": "test"})
        assert reply["ok"], reply
        queued = await logged(E.ALARM_QUEUED)
        assert queued[0].data["outbox_id"] >= 1
        lost = await logged(E.ALARM_PATH_LOST)
        assert any("primary" in e.message for e in lost)
        failed = await logged(E.ALARM_FAILED)
        assert "1234" in failed[0].message and "Fix:" in failed[0].message
        assert not primary.events

        await primary.start(sock=down)  # the receiving centre is back
        restored = await logged(E.ALARM_PATH_RESTORED)
        assert "primary" in restored[0].message
        acked = await logged(E.ALARM_ACKED)
        assert acked[0].data["outbox_id"] == queued[0].data["outbox_id"]
        await primary.wait_events(1, 10)
    finally:
        await host.stop()
        await primary.stop()
        await backup.stop()
        down.close()
    assert "log_event failed" not in caplog.text
